"""The SDK's cattrs converters: tolerant of wire names, strict on values.

Responses mix casings (``SessionId`` in get/list, ``sessionId`` in create and
attendance, ``UserId`` beside ``updatedAt``...). Rather than list every variant,
a model's hook first folds the incoming keys to lower case without underscores,
so ``SessionId``, ``sessionId``, ``sessionID`` and ``session_id`` all land on
``session_id``; keys that match no field are kept, under their wire names, in
the model's ``extra``. The folded object then goes to the function cattrs
generates for the model (``make_dict_structure_fn``, each field renamed to its
folded name), whose field hooks are the strict ones of ``_hooks``. Only
attrs-model keys are folded: map keys such as role names and slot keys (user
ids) are left exactly as sent.

Two converters are built the same way: ``converter`` reads responses and writes
request bodies; ``dict_converter`` serves ``to_dict`` / ``from_dict`` (attribute
names, ``extra`` under its own name, errors that name the field).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._hooks import (
    json_type,
    structure_bool,
    structure_datetime,
    structure_extra,
    structure_int,
    structure_status,
    structure_str,
)
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
from ._time import format_exact

__all__ = ["converter", "dict_converter", "fold_key", "from_dict", "make_converter"]

T = TypeVar("T")
Hook = Callable[[Any, Any], Any]

RESPONSE_MODELS: tuple[type, ...] = (
    Attendee,
    CreatedSession,
    KeyInfo,
    RankChange,
    RoleAssignment,
    RolePermissions,
    RoleSlots,
    Session,
    SessionPage,
    SlotState,
    UpdatedSession,
)
MODELS: tuple[type, ...] = (*RESPONSE_MODELS, CustomRole)

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

# The API allows 10 slots per role; a bound keeps a hostile echo from
# making the SDK build a huge map of vacant slots.
_MAX_ECHOED_SLOTS = 1000
_EXTRA = "extra"
_ABSENT = object()


def fold_key(key: str) -> str:
    """Fold a wire key to compare casings: ``SessionId``, ``sessionId`` and ``session_id`` match."""
    return key.replace("_", "").replace("-", "").lower()


def _spellings(name: str) -> tuple[str, str, str]:
    """``session_id``, ``SessionId`` and ``sessionId``."""
    pascal = "".join(part.title() for part in name.split("_"))
    return name, pascal, pascal[0].lower() + pascal[1:]


def _key_reader(cl: type, *, extra_key: str | None) -> Callable[[Any], dict[str, Any]]:
    """Return the function turning an object of ``cl`` into its generated function's input.

    Known fields land under their folded names (a later spelling of a field wins;
    null for a field with a default reads as absent, while null for a required field
    reaches the strict hooks and is refused); an alias (``TargetUserId`` for
    ``user_id``) is read when its field did not come under its own name, and is never
    extra; every other key goes to ``extra`` as it is. With
    ``extra_key`` (``from_dict``), that key carries ``extra`` itself.

    Args:
        cl: The model.
        extra_key: The key holding ``extra`` in the input, or ``None`` for wire objects.
    """
    fields = [a for a in attrs.fields(cl) if a.name != _EXTRA]
    known = frozenset(fold_key(a.name) for a in fields)
    defaulted = frozenset(fold_key(a.name) for a in fields if a.default is not attrs.NOTHING)
    aliases = _ALIASES.get(cl, {})
    keeps_extra = len(fields) < len(attrs.fields(cl))
    name = cl.__name__
    # The usual spellings, folded in advance: the common case is one lookup per key.
    spelled = {s: fold_key(s) for a in fields for s in _spellings(a.name)}

    def read(value: Any) -> dict[str, Any]:
        if type(value) is not dict and not isinstance(value, Mapping):
            raise TypeError(f"expected an object for {name}, got {type(value).__name__}")
        folded: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        aliased: dict[str, Any] = {}
        given: Any = _ABSENT
        for key, item in value.items():
            target = spelled.get(key)
            if target is None:
                if type(key) is not str:
                    raise TypeError(f"expected an object with string keys for {name}")
                target = fold_key(key)
                if target not in known:
                    if key == extra_key and keeps_extra:
                        given = item
                    elif target in aliases:
                        aliased[aliases[target]] = item
                    else:
                        extra[key] = item
                    continue
            if item is None and target in defaulted:
                continue
            folded[target] = item
        for target, item in aliased.items():
            if target not in folded:  # else the field came under its own name
                folded[target] = item
        if not keeps_extra:
            if extra:
                raise ValueError(f"{', '.join(map(repr, extra))}: not a field of {name}")
            return folded
        if given is not _ABSENT:
            extra = {**extra, **given} if extra and isinstance(given, Mapping) else given
        folded[_EXTRA] = extra
        return folded

    return read


def _as_is(value: Any, _: Any) -> Any:
    return value


_OPTIONAL_SCALARS = (str | None, int | None, bool | None, datetime | None)


def _optional_hook(optional: Any, conv: cattrs.Converter) -> Hook:
    """``X | None`` in one call (cattrs' generic Optional hook dispatches on every value)."""
    inner = optional.__args__[0]
    hook = conv.get_structure_hook(inner)

    def structure_optional(value: Any, _: Any) -> Any:
        return None if value is None else hook(value, inner)

    return structure_optional


def _model_hook(cl: type, conv: cattrs.Converter, *, extra_key: str | None) -> Hook:
    """Return ``cl``'s hook: fold the keys, then cattrs' generated function."""
    read = _key_reader(cl, extra_key=extra_key)
    renames: dict[str, Any] = {a.name: override(rename=fold_key(a.name)) for a in attrs.fields(cl)}
    if extra_key is None and _EXTRA in renames:  # read() built it: nothing to check
        renames[_EXTRA] = override(rename=_EXTRA, struct_hook=_as_is)
    generated: Hook = make_dict_structure_fn(cl, conv, **renames)

    def structure(value: Any, _: Any) -> Any:
        return generated(read(value), cl)

    return structure


def _items(pairs: Any, item_type: type, hook: Hook) -> list[tuple[Any, Any]]:
    """Structure each ``(key, item)``, saying which ones failed (detailed validation)."""
    done: list[tuple[Any, Any]] = []
    errors: list[Exception] = []
    for key, item in pairs:
        try:
            done.append((key, hook(item, item_type)))
        except Exception as exc:  # collected, raised as a group
            note = IterableValidationNote(f"Structuring item @ {key!r}", key, item_type)
            exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]
            errors.append(exc)
    if errors:
        raise IterableValidationError(f"While structuring {item_type.__name__}s", errors, item_type)
    return done


def _role_list_to_map(items: list[Any]) -> dict[str, Any]:
    # Some answers may echo the request shape (an array of definitions) instead of
    # the documented map; turn it into the map with every slot vacant.
    roles: dict[str, Any] = {}
    for item in items:
        if type(item) is not dict:
            raise TypeError(f"expected a custom role object, got {json_type(item)}")
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


def _slot_map_hook(conv: cattrs.Converter) -> Hook:
    slot = conv.get_structure_hook(SlotState)
    detailed = conv.detailed_validation

    def structure_slot_map(value: Any, _: Any) -> dict[str, SlotState]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise TypeError(f"expected an object of slots, got {type(value).__name__}")
        if not detailed:
            return {k if type(k) is str else str(k): slot(v, SlotState) for k, v in value.items()}
        pairs = ((k if type(k) is str else str(k), v) for k, v in value.items())
        return dict(_items(pairs, SlotState, slot))

    return structure_slot_map


def _role_map_hook(conv: cattrs.Converter) -> Hook:
    role = conv.get_structure_hook(RoleSlots)
    detailed = conv.detailed_validation

    def structure_role_map(value: Any, _: Any) -> dict[str, RoleSlots]:
        if isinstance(value, list):
            value = _role_list_to_map(value)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise TypeError(f"expected an object of custom roles, got {json_type(value)}")
        if not detailed:
            return {key: role(item, RoleSlots) for key, item in value.items()}
        return dict(_items(value.items(), RoleSlots, role))

    return structure_role_map


def _session_list_hook(conv: cattrs.Converter) -> Hook:
    session = conv.get_structure_hook(Session)
    detailed = conv.detailed_validation

    def structure_sessions(value: Any, _: Any) -> list[Session]:
        # cattrs' list hook takes any iterable: a string or an object would be walked.
        if type(value) is not list:
            raise TypeError(f"expected an array of sessions, got {json_type(value)}")
        if not detailed:
            return [session(item, Session) for item in value]
        return [item for _, item in _items(enumerate(value), Session, session)]

    return structure_sessions


def make_converter(*, for_dicts: bool = False) -> cattrs.Converter:
    """Build a configured converter (never the cattrs global one).

    Args:
        for_dicts: Build the ``to_dict`` / ``from_dict`` converter: attribute names
            out, ``extra`` read from its own key, errors naming the failing field.
            Otherwise: responses in, request bodies (wire names) out.
    """
    conv = cattrs.Converter(detailed_validation=for_dicts, forbid_extra_keys=False)
    conv.register_structure_hook(str, structure_str)
    conv.register_structure_hook(int, structure_int)
    conv.register_structure_hook(bool, structure_bool)
    conv.register_structure_hook(datetime, structure_datetime)
    conv.register_structure_hook(SessionStatus, structure_status)
    conv.register_structure_hook_func(lambda t: t == Mapping[str, Any], structure_extra)

    conv.register_structure_hook_factory(
        lambda t: t in _OPTIONAL_SCALARS, lambda t: _optional_hook(t, conv)
    )
    # Factories run when a hook is first asked for, so the order here does not matter.
    models = MODELS if for_dicts else RESPONSE_MODELS
    extra_key = _EXTRA if for_dicts else None
    conv.register_structure_hook_factory(
        lambda t: t in models, lambda t: _model_hook(t, conv, extra_key=extra_key)
    )
    slots, roles, sessions = dict[str, SlotState], dict[str, RoleSlots], list[Session]
    conv.register_structure_hook_factory(lambda t: t == slots, lambda _: _slot_map_hook(conv))
    conv.register_structure_hook_factory(lambda t: t == roles, lambda _: _role_map_hook(conv))
    conv.register_structure_hook_factory(
        lambda t: t == sessions, lambda _: _session_list_hook(conv)
    )

    if for_dicts:
        conv.register_unstructure_hook(datetime, format_exact)
        conv.register_unstructure_hook(SessionStatus, lambda status: status.value)
        conv.register_unstructure_hook_func(lambda t: t == Mapping[str, Any], copy.deepcopy)
        return conv
    permissions: dict[str, Any] = {
        name: override(rename=wire) for name, wire in _PERMISSION_NAMES.items()
    }
    conv.register_unstructure_hook(
        RolePermissions,
        make_dict_unstructure_fn(RolePermissions, conv, extra=override(omit=True), **permissions),
    )
    conv.register_unstructure_hook(
        CustomRole,
        make_dict_unstructure_fn(CustomRole, conv, min_rank=override(rename="minRank")),
    )
    return conv


converter = make_converter()
dict_converter = make_converter(for_dicts=True)


def _failure_path(exc: BaseException, path: str = "") -> tuple[str, BaseException]:
    """Follow a detailed-validation error to its first cause and the field path leading there."""
    if isinstance(exc, cattrs.BaseValidationError) and exc.exceptions:
        cause = exc.exceptions[0]
        for note in getattr(cause, "__notes__", []):
            if isinstance(note, cattrs.AttributeValidationNote):
                path = f"{path}.{note.name}" if path else note.name
            elif isinstance(note, IterableValidationNote):
                path = f"{path}[{note.index!r}]"
        return _failure_path(cause, path)
    return path, exc


def from_dict(data: Any, cl: type[T]) -> T:
    """Build ``cl`` from a ``to_dict``-style dict with the response rules for values.

    Raises:
        ValidationError: A value breaks a rule; ``field`` is its path
            (``custom_roles['Trainer'].min_rank``), or ``data`` for the whole.
    """
    from ._errors import ValidationError

    try:
        result: T = dict_converter.structure(data, cl)
    except Exception as exc:  # each becomes a ValidationError
        path, cause = _failure_path(exc)
        rule = "is required" if isinstance(cause, KeyError) else str(cause)
        raise ValidationError(path or "data", rule) from exc
    return result
