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
    SlotState,
    UpdatedSession,
)
from ._time import parse_timestamp

__all__ = ["converter", "make_converter"]

_RESPONSE_MODELS: tuple[type, ...] = (
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


def _fold(key: str) -> str:
    return key.replace("_", "").replace("-", "").lower()


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 string, got {type(value).__name__}")
    return parse_timestamp(value, assume_utc=True)


def _role_list_to_map(items: list[Any]) -> dict[str, Any]:
    # Some answers may echo the request shape (an array of definitions) instead of
    # the documented map; turn it into the map with every slot vacant.
    roles: dict[str, Any] = {}
    for item in items:
        folded = {_fold(k): v for k, v in item.items()}
        count = int(folded.get("slots", 0))
        roles[str(folded["name"])] = {
            "MinRank": folded.get("minrank", 0),
            "Permissions": folded.get("permissions") or {},
            "Slots": {f"VACANT_{n}": {"Attended": False} for n in range(count)},
        }
    return roles


def _renamed(names: Mapping[str, str]) -> dict[str, Any]:
    return {name: override(rename=wire) for name, wire in names.items()}


def make_converter() -> cattrs.Converter:
    """Build the configured converter (never the cattrs global one)."""
    conv = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)
    conv.register_structure_hook(datetime, _structure_datetime)

    def tolerant_factory(cl: type) -> Callable[[Any, type], Any]:
        renames: dict[str, Any] = {a.name: override(rename=_fold(a.name)) for a in attrs.fields(cl)}
        inner: Callable[[Mapping[str, Any], Any], Any] = make_dict_structure_fn(cl, conv, **renames)
        aliases = _ALIASES.get(cl, {})

        def structure(value: Any, _: type) -> Any:
            if not isinstance(value, Mapping):
                raise TypeError(f"expected an object for {cl.__name__}, got {type(value).__name__}")
            folded = {_fold(k): v for k, v in value.items()}
            for alias, target in aliases.items():
                if alias in folded and target not in folded:
                    folded[target] = folded[alias]
            return inner(folded, cl)

        return structure

    conv.register_structure_hook_factory(lambda t: t in _RESPONSE_MODELS, tolerant_factory)

    role_map_hook = conv.get_structure_hook(dict[str, RoleSlots])

    def structure_role_map(value: Any, _: type) -> dict[str, RoleSlots]:
        if isinstance(value, list):
            value = _role_list_to_map(value)
        if value is None:
            return {}
        result: dict[str, RoleSlots] = role_map_hook(value, dict[str, RoleSlots])
        return result

    conv.register_structure_hook_func(lambda t: t == dict[str, RoleSlots], structure_role_map)

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
