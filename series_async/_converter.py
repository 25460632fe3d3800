"""The SDK's one cattrs converter: wire names and tolerant response parsing.

Responses mix casings (``SessionId`` in get/list, ``sessionId`` in create and
attendance, ``UserId`` beside ``updatedAt``...). Rather than list every variant,
each response model's hook folds incoming keys to lower case without
underscores, so ``SessionId``, ``sessionId``, ``sessionID`` and ``session_id``
all land on ``session_id``. Only attrs-model keys are folded: map keys such as
role names and slot keys (user ids) are left exactly as sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._hooks import (
    OPTIONAL_HOOKS,
    SHAPES_LIMIT,
    interned_hook,
    shaped_hook,
    structure_bool,
    structure_datetime,
    structure_int,
    structure_status,
    structure_str,
)
from ._hooks import json_type as _json_type
from ._models import (
    Attendee,
    CreatedSession,
    CustomRole,
    KeyInfo,
    RankChange,
    RoleAssignment,
    RolePermissions,
    RoleSlots,
    Session,
    SessionPage,
    SessionStatus,
    SlotState,
    UpdatedSession,
)

__all__ = ["converter", "fold_key", "make_converter"]

_RESPONSE_MODELS: tuple[type, ...] = (
    Attendee,
    CreatedSession,
    KeyInfo,
    RankChange,
    RoleAssignment,
    RoleSlots,
    Session,
    SessionPage,
    UpdatedSession,
)
_INTERNED_MODELS: tuple[type, ...] = (RolePermissions, SlotState)

# Wire keys (already folded) that mean a differently named attribute.
_ALIASES: dict[type, dict[str, str]] = {
    Attendee: {"duration": "durationseconds", "attendanceid": "attendeeid"},
    RoleAssignment: {"targetuserid": "userid"},
}

# Request-side wire names: the API wants camelCase items with PascalCase flags.
_PERMISSION_NAMES = {
    "change_session_status": "ChangeSessionStatus",
    "pass_or_fail_attendees": "PassOrFailAttendees",
    "modify_attendance": "ModifyAttendance",
}


_KEYMAP_LIMIT = 512
# The API allows 10 slots per role; a bound keeps a hostile echo from
# making the SDK build a huge map of vacant slots.
_MAX_ECHOED_SLOTS = 1000


def fold_key(key: str) -> str:
    """Fold a wire key to compare casings: ``SessionId``, ``sessionId`` and ``session_id`` match."""
    return key.replace("_", "").replace("-", "").lower()


def _key_folder(cl: type) -> Callable[[Any], dict[str, Any]]:
    """Return a function folding a response object's keys for model ``cl``.

    Raw key -> folded key is seeded with the usual spellings and grown with what
    the API sends (bounded, so a hostile server cannot grow it without limit):
    the hot path is one dict lookup per key instead of string surgery.
    """
    keymap: dict[str, str] = {}
    for a in attrs.fields(cl):
        pascal = "".join(part.title() for part in a.name.split("_"))
        for spelling in (a.name, pascal, pascal[0].lower() + pascal[1:]):
            keymap[spelling] = fold_key(a.name)
    aliases = _ALIASES.get(cl, {})
    name = cl.__name__
    # null for a field that has a default reads as "absent"; null for a required
    # field reaches the strict hooks and is refused.
    defaulted = frozenset(
        fold_key(a.name) for a in attrs.fields(cl) if a.default is not attrs.NOTHING
    )

    def fold_keys(value: Any) -> dict[str, Any]:
        if type(value) is not dict and not isinstance(value, Mapping):
            raise TypeError(f"expected an object for {name}, got {type(value).__name__}")
        lookup = keymap.get
        folded: dict[str, Any] = {}
        for key, item in value.items():
            target = lookup(key)
            if target is None:
                target = fold_key(key)
                if len(keymap) < _KEYMAP_LIMIT:
                    keymap[key] = target
            if item is None and target in defaulted:
                continue
            folded[target] = item
        for alias, target in aliases.items():
            if alias in folded and target not in folded:
                folded[target] = folded[alias]
        return folded

    return fold_keys


def _is_optional_of(scalar: type) -> Callable[[Any], bool]:
    optional = scalar | None

    def check(t: Any) -> bool:
        return bool(t == optional)

    return check


def _role_list_to_map(items: list[Any]) -> dict[str, Any]:
    # Some answers may echo the request shape (an array of definitions) instead of
    # the documented map; turn it into the map with every slot vacant.
    roles: dict[str, Any] = {}
    for item in items:
        if type(item) is not dict:
            raise TypeError(f"expected a custom role object, got {_json_type(item)}")
        folded = {fold_key(k): v for k, v in item.items()}
        count = structure_int(folded.get("slots", 0), int)
        if not 0 <= count <= _MAX_ECHOED_SLOTS:
            raise ValueError(f"a custom role's slot count must be 0 to {_MAX_ECHOED_SLOTS}")
        roles[structure_str(folded.get("name"), str)] = {
            "MinRank": folded.get("minrank", 0),
            "Permissions": folded.get("permissions") or {},
            "Slots": {f"VACANT_{n}": {"Attended": False} for n in range(count)},
        }
    return roles


def _renamed(names: Mapping[str, str]) -> dict[str, Any]:
    return {name: override(rename=wire) for name, wire in names.items()}


def make_converter(*, shapes: int = SHAPES_LIMIT) -> cattrs.Converter:
    """Build the configured converter (never the cattrs global one).

    Args:
        shapes: How many key shapes each response model compiles a hook for (see
            ``_hooks.shaped_hook``); 0 folds every object's keys instead.
    """
    conv = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)
    conv.register_structure_hook(datetime, structure_datetime)
    conv.register_structure_hook(str, structure_str)
    conv.register_structure_hook(int, structure_int)
    conv.register_structure_hook(bool, structure_bool)
    conv.register_structure_hook(SessionStatus, structure_status)
    # Direct hooks for the optional scalars of the models: cattrs' generic Optional
    # dispatch costs a lookup per field per response, and responses are the hot path.
    for optional, hook in OPTIONAL_HOOKS.items():
        conv.register_structure_hook_func(_is_optional_of(optional.__args__[0]), hook)

    # The container hooks go in first: the models' hooks are generated with them.
    def structure_slot_map(value: Any, _: type) -> dict[str, SlotState]:
        if value is None:
            return {}  # only reachable as RoleSlots.slots, where null means the default
        if type(value) is not dict and not isinstance(value, Mapping):
            raise TypeError(f"expected an object of slots, got {type(value).__name__}")
        hook = slot_hook
        return {
            key if type(key) is str else str(key): hook(item, SlotState)
            for key, item in value.items()
        }

    def structure_sessions(value: Any, _: type) -> list[Session]:
        # cattrs' list hook takes any iterable: a string or an object would be walked.
        if type(value) is not list:
            raise TypeError(f"expected an array of sessions, got {_json_type(value)}")
        hook = session_hook
        return [hook(item, Session) for item in value]

    def structure_role_map(value: Any, _: type) -> dict[str, RoleSlots]:
        if isinstance(value, list):
            value = _role_list_to_map(value)
        if value is None:
            return {}
        if type(value) is not dict:
            raise TypeError(f"expected an object of custom roles, got {_json_type(value)}")
        hook = role_hook
        # JSON object keys are strings: cattrs' str hook would return each unchanged.
        return {key: hook(item, RoleSlots) for key, item in value.items()}

    conv.register_structure_hook_func(lambda t: t == dict[str, SlotState], structure_slot_map)
    conv.register_structure_hook_func(lambda t: t == list[Session], structure_sessions)
    conv.register_structure_hook_func(lambda t: t == dict[str, RoleSlots], structure_role_map)
    null_safe = frozenset({structure_slot_map, structure_role_map})

    def tolerant_factory(cl: type) -> Callable[[Any, type], Any]:
        renames: dict[str, Any] = {
            a.name: override(rename=fold_key(a.name)) for a in attrs.fields(cl)
        }
        inner: Callable[[Mapping[str, Any], Any], Any] = make_dict_structure_fn(cl, conv, **renames)
        fold_keys = _key_folder(cl)

        def structure_folded(value: Any, _: type) -> Any:
            return inner(fold_keys(value), cl)

        return shaped_hook(
            cl,
            conv,
            fold=fold_key,
            aliases=_ALIASES.get(cl, {}),
            general=structure_folded,
            null_safe=null_safe,
            limit=shapes,
        )

    def interned_factory(cl: type) -> Callable[[Any, type], Any]:
        # Slot states and permission sets are frozen all-bool values with a handful
        # of possible instances: share them instead of building one per response.
        fields = attrs.fields(cl)
        names = [a.name for a in fields]
        position = {fold_key(a.name): index for index, a in enumerate(fields)}
        defaults = [bool(a.default) for a in fields]
        instances: dict[tuple[bool, ...], Any] = {}
        spelled: dict[str, int] = {}  # raw key -> field index, -1 for other keys

        def structure_bits(value: Any) -> Any:
            if type(value) is not dict and not isinstance(value, Mapping):
                raise TypeError(f"expected an object for {cl.__name__}, got {type(value).__name__}")
            bits = defaults.copy()
            for key, item in value.items():
                index = spelled.get(key)
                if index is None:
                    index = position.get(fold_key(key), -1)
                    if len(spelled) < _KEYMAP_LIMIT:
                        spelled[key] = index
                if index >= 0:
                    bits[index] = structure_bool(item, bool)
            state = tuple(bits)
            found = instances.get(state)
            if found is None:
                found = instances[state] = cl(**dict(zip(names, state, strict=True)))
            return found

        return interned_hook(cl, structure_bits)

    conv.register_structure_hook_factory(lambda t: t in _INTERNED_MODELS, interned_factory)
    conv.register_structure_hook_factory(lambda t: t in _RESPONSE_MODELS, tolerant_factory)
    slot_hook = conv.get_structure_hook(SlotState)
    session_hook = conv.get_structure_hook(Session)
    role_hook = conv.get_structure_hook(RoleSlots)

    conv.register_unstructure_hook(
        RolePermissions,
        make_dict_unstructure_fn(
            RolePermissions,
            conv,
            **_renamed(_PERMISSION_NAMES),
        ),
    )
    conv.register_unstructure_hook(
        CustomRole,
        make_dict_unstructure_fn(CustomRole, conv, min_rank=override(rename="minRank")),
    )
    return conv


converter = make_converter()
