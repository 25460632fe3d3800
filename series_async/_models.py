"""Request and response models: frozen, keyword-only attrs classes.

Attribute names are snake_case; the API's wire names (PascalCase, camelCase, or
both, depending on the endpoint) live in the converter, never here. Every model
converts to and from plain JSON-ready dicts (``to_dict()``,
``from_dict()``); every response model keeps the wire fields it does
not map in ``extra``.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

import attrs

__all__ = [
    "Attendee",
    "CreatedSession",
    "CustomRole",
    "KeyInfo",
    "RankChange",
    "RoleAssignment",
    "RolePermissions",
    "RoleSlots",
    "Session",
    "SessionPage",
    "SessionStatus",
    "SlotState",
    "UpdatedSession",
]

_VACANT_PREFIX = "VACANT_"
_M = TypeVar("_M", bound="_Model")


class _Model:
    """What every model does: to and from JSON-ready dicts."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the model as a new JSON-ready dict keyed by attribute names.

        Nested models are dicts, datetimes ISO 8601 UTC strings with ``Z`` (and as
        many fractional digits as they have), enums their values, and ``extra`` is
        included as it is.
        """
        from ._converter import dict_converter  # the converter imports this module

        data: dict[str, Any] = dict_converter.unstructure(self)
        return data

    def to_json(self) -> str:
        """Return ``to_dict()`` as a JSON string."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls: type[_M], data: Mapping[str, Any]) -> _M:
        """Build the model from a dict such as ``to_dict()`` returns.

        ``Model.from_dict(m.to_dict()) == m``. Values follow the same strict rules
        as a response: a value of the wrong type is refused, never coerced.

        Raises:
            ValidationError: A value breaks a rule; ``field`` names it
                (``custom_roles['Trainer'].min_rank``).
        """
        from ._converter import from_dict  # the converter imports this module

        return from_dict(data, cls)


def _own_dict(value: Any) -> Mapping[str, Any]:
    # The model keeps a dict of its own (the converter's fresh dicts are kept as they
    # are). Typed Any so that ``RolePermissions(**flags)`` still type-checks.
    return value if type(value) is dict else dict(value)


# ``extra`` is not part of the hash (a dict is not hashable); equal models still hash alike.


class SessionStatus(str, enum.Enum):
    """A session's lifecycle state. Values the SDK does not know map to ``UNKNOWN``."""

    UPCOMING = "upcoming"
    ONGOING = "ongoing"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"

    @classmethod
    def _missing_(cls, value: object) -> SessionStatus:
        # A status added to the API later must not break parsing of old clients.
        return cls.UNKNOWN


@attrs.frozen(kw_only=True)
class RolePermissions(_Model):
    """What holders of a custom role may do in the session (request and response side).

    Attributes:
        change_session_status: May start, end or cancel the session.
        pass_or_fail_attendees: May pass or fail attendees.
        modify_attendance: May change attendance records.
        extra: The wire fields this model does not map (responses only; never sent).
    """

    change_session_status: bool = False
    pass_or_fail_attendees: bool = False
    modify_attendance: bool = False
    extra: Mapping[str, Any] = attrs.field(factory=dict, converter=_own_dict, hash=False)


@attrs.frozen(kw_only=True)
class CustomRole(_Model):
    """A custom role definition sent with ``sessions.create`` / ``sessions.update``.

    Attributes:
        name: Unique within the session; not ``Host``, ``CoHost`` or ``Supervisor``.
        slots: How many users can hold the role, 1 to 10.
        min_rank: Minimum group rank (0-255) needed to claim it.
        permissions: What holders may do.
    """

    name: str
    slots: int
    min_rank: int = 0
    permissions: RolePermissions = attrs.field(factory=RolePermissions)


@attrs.frozen(kw_only=True)
class SlotState(_Model):
    """One slot of a custom role.

    Attributes:
        attended: Whether the slot's holder attended.
        extra: The wire fields this model does not map.
    """

    attended: bool = False
    extra: Mapping[str, Any] = attrs.field(factory=dict, converter=_own_dict, hash=False)


def _vacant_index(key: str) -> int:
    suffix = key[len(_VACANT_PREFIX) :]
    return int(suffix) if suffix.isdigit() else -1


@attrs.frozen(kw_only=True)
class RoleSlots(_Model):
    """A custom role as a session reports it: its rules and its slots.

    Attributes:
        min_rank: Minimum group rank needed to claim the role.
        permissions: What holders may do.
        slots: Slot key to its state: ``VACANT_<n>`` for an empty slot, the
            holder's Roblox user id for a filled one.
        extra: The wire fields this model does not map.
    """

    min_rank: int = 0
    permissions: RolePermissions = attrs.field(factory=RolePermissions)
    slots: dict[str, SlotState] = attrs.field(factory=dict)
    extra: Mapping[str, Any] = attrs.field(factory=dict, converter=_own_dict, hash=False)

    def vacant_slot_keys(self) -> list[str]:
        """Return the keys of the empty slots, lowest ``VACANT_<n>`` first."""
        vacant = [key for key in self.slots if key.startswith(_VACANT_PREFIX)]
        return sorted(vacant, key=_vacant_index)

    def holders(self) -> list[str]:
        """Return the Roblox user ids holding a slot, in the API's order."""
        return [key for key in self.slots if not key.startswith(_VACANT_PREFIX)]


@attrs.frozen(kw_only=True)
class Session(_Model):
    """A session as returned by ``sessions.get``, ``list`` and ``iterate``.

    Attributes:
        session_id: The session's id.
        title: The session's title.
        description: Its description, ``None`` when it has none.
        workspace_id: The workspace (Roblox group) it belongs to.
        host: The host's Roblox user id.
        co_host: The co-host's Roblox user id.
        supervisor: The supervisor's Roblox user id.
        scheduled: When it starts (timezone-aware).
        delayed: Whether it has been delayed.
        status: Its lifecycle state; a status the SDK does not know is ``UNKNOWN``.
        claimable: Whether its roles can be claimed.
        duration: Its length in minutes.
        min_host_rank: Minimum group rank needed to host it.
        custom_roles: Its custom roles by name.
        extra: The wire fields this model does not map.
    """

    session_id: str
    title: str
    description: str | None = None
    workspace_id: str | None = None
    host: str | None = None
    co_host: str | None = None
    supervisor: str | None = None
    scheduled: datetime | None = None
    delayed: bool = False
    status: SessionStatus = SessionStatus.UNKNOWN
    claimable: bool = False
    duration: int | None = None
    min_host_rank: int | None = None
    custom_roles: dict[str, RoleSlots] = attrs.field(factory=dict)
    extra: Mapping[str, Any] = attrs.field(factory=dict, converter=_own_dict, hash=False)


@attrs.frozen(kw_only=True)
class SessionPage(_Model):
    """One page of ``sessions.list``. An empty ``sessions`` list means the end.

    Attributes:
        page: The page number the API echoed.
        sessions: The sessions of the page.
        workspace_id: The workspace the sessions belong to.
        extra: The wire fields this model does not map.
    """

    page: int
    sessions: list[Session] = attrs.field(factory=list)
    workspace_id: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, converter=_own_dict, hash=False)


@attrs.frozen(kw_only=True)
class _SessionEcho(_Model):
    """The fields a create or update answer may echo back (``None`` when absent)."""

    session_id: str
    title: str | None = None
    description: str | None = None
    host: str | None = None
    co_host: str | None = None
    supervisor: str | None = None
    scheduled: datetime | None = None
    duration: int | None = None
    claimable: bool | None = None
    custom_roles: dict[str, RoleSlots] | None = None


@attrs.frozen(kw_only=True)
class CreatedSession(_SessionEcho):
    """The answer to ``sessions.create``: the new id plus whatever the API echoes.

    Attributes:
        session_id: The new session's id.
        title: The title, if echoed (``None`` when absent, as for every field below).
        description: The description, if echoed.
        host: The host's Roblox user id, if echoed.
        co_host: The co-host's Roblox user id, if echoed.
        supervisor: The supervisor's Roblox user id, if echoed.
        scheduled: When it starts, if echoed.
        duration: Its length in minutes, if echoed.
        claimable: Whether its roles can be claimed, if echoed.
        custom_roles: Its custom roles by name, if echoed.
        created_at: When it was created, if echoed.
        extra: The wire fields this model does not map.
    """

    created_at: datetime | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, converter=_own_dict, hash=False)


@attrs.frozen(kw_only=True)
class UpdatedSession(_SessionEcho):
    """The answer to ``sessions.update``: the id plus whatever the API echoes.

    Attributes:
        session_id: The session's id.
        title: The title, if echoed (``None`` when absent, as for every field below).
        description: The description, if echoed.
        host: The host's Roblox user id, if echoed.
        co_host: The co-host's Roblox user id, if echoed.
        supervisor: The supervisor's Roblox user id, if echoed.
        scheduled: When it starts, if echoed.
        duration: Its length in minutes, if echoed.
        claimable: Whether its roles can be claimed, if echoed.
        custom_roles: Its custom roles by name, if echoed.
        updated_at: When it was updated, if echoed.
        extra: The wire fields this model does not map.
    """

    updated_at: datetime | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, converter=_own_dict, hash=False)


@attrs.frozen(kw_only=True)
class RoleAssignment(_Model):
    """The answer to claiming, quitting or being removed from a custom role.

    Attributes:
        session_id: The session's id.
        role_name: The custom role's name.
        user_id: The Roblox user id that claimed, quit or was removed.
        message: The API's message, if any.
        extra: The wire fields this model does not map.
    """

    session_id: str
    role_name: str
    user_id: str
    message: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, converter=_own_dict, hash=False)


@attrs.frozen(kw_only=True)
class Attendee(_Model):
    """An attendance record.

    Attributes:
        session_id: The session's id.
        user_id: The attendee's Roblox user id.
        attendee_id: The record's id.
        join_time: When the attendee joined.
        leave_time: When the attendee left.
        duration_seconds: The time between join and leave, in seconds.
        updated_at: When the record last changed.
        extra: The wire fields this model does not map.
    """

    session_id: str
    user_id: str
    attendee_id: str | None = None
    join_time: datetime | None = None
    leave_time: datetime | None = None
    duration_seconds: int | None = None
    updated_at: datetime | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, converter=_own_dict, hash=False)


@attrs.frozen(kw_only=True)
class RankChange(_Model):
    """The result of a promote, demote or set-rank call.

    Attributes:
        user_id: The Roblox user id whose rank changed.
        action: What was done, as the API names it (e.g. ``promote``).
        previous_rank: The rank before (0-255).
        new_rank: The rank after (0-255).
        previous_role: The group role's name before.
        new_role: The group role's name after.
        workspace_id: The workspace (Roblox group).
        extra: The wire fields this model does not map.
    """

    user_id: str
    action: str
    previous_rank: int
    new_rank: int
    previous_role: str | None = None
    new_role: str | None = None
    workspace_id: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, converter=_own_dict, hash=False)


@attrs.frozen(kw_only=True)
class KeyInfo(_Model):
    """The answer to ``keys.check``. An unknown or inactive key gives ``valid=False``.

    Attributes:
        valid: Whether the key can be used.
        status: The key's status as the API names it.
        workspace_id: The workspace (Roblox group) the key belongs to.
        workspace_name: That workspace's name.
        created_at: When the key was created.
        last_used: When the key was last used.
        rate_limit_remaining: Calls left in the current rate-limit window.
        rate_limit_reset: When the window resets.
        message: The API's message, if any.
        extra: The wire fields this model does not map.
    """

    valid: bool
    status: str | None = None
    workspace_id: str | None = None
    workspace_name: str | None = None
    created_at: datetime | None = None
    last_used: datetime | None = None
    rate_limit_remaining: int | None = None
    rate_limit_reset: datetime | None = None
    message: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, converter=_own_dict, hash=False)
