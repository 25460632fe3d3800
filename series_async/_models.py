"""Request and response models: frozen, keyword-only attrs classes.

Attribute names are snake_case; the API's wire names (PascalCase, camelCase, or
both, depending on the endpoint) live in the converter, never here.
"""

from __future__ import annotations

import enum
from datetime import datetime

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
class RolePermissions:
    """What holders of a custom role may do in the session."""

    change_session_status: bool = False
    pass_or_fail_attendees: bool = False
    modify_attendance: bool = False


@attrs.frozen(kw_only=True)
class CustomRole:
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
class SlotState:
    """One slot of a custom role."""

    attended: bool = False


def _vacant_index(key: str) -> int:
    suffix = key[len(_VACANT_PREFIX) :]
    return int(suffix) if suffix.isdigit() else -1


@attrs.frozen(kw_only=True)
class RoleSlots:
    """A custom role as a session reports it: its rules and its slots.

    ``slots`` maps a slot key to its state: ``VACANT_<n>`` for an empty slot,
    the holder's Roblox user id for a filled one.
    """

    min_rank: int = 0
    permissions: RolePermissions = attrs.field(factory=RolePermissions)
    slots: dict[str, SlotState] = attrs.field(factory=dict)

    def vacant_slot_keys(self) -> list[str]:
        """Return the keys of the empty slots, lowest ``VACANT_<n>`` first."""
        vacant = [key for key in self.slots if key.startswith(_VACANT_PREFIX)]
        return sorted(vacant, key=_vacant_index)

    def holders(self) -> list[str]:
        """Return the Roblox user ids holding a slot, in the API's order."""
        return [key for key in self.slots if not key.startswith(_VACANT_PREFIX)]


@attrs.frozen(kw_only=True)
class Session:
    """A session as returned by ``sessions.get``, ``list`` and ``iterate``."""

    session_id: str
    title: str
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


@attrs.frozen(kw_only=True)
class SessionPage:
    """One page of ``sessions.list``. An empty ``sessions`` list means the end."""

    page: int
    sessions: list[Session] = attrs.field(factory=list)
    workspace_id: str | None = None


@attrs.frozen(kw_only=True)
class _SessionEcho:
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
    """The answer to ``sessions.create``: the new id plus whatever the API echoes."""

    created_at: datetime | None = None


@attrs.frozen(kw_only=True)
class UpdatedSession(_SessionEcho):
    """The answer to ``sessions.update``: the id plus whatever the API echoes."""

    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class RoleAssignment:
    """The answer to claiming, quitting or being removed from a custom role."""

    session_id: str
    role_name: str
    user_id: str
    message: str | None = None


@attrs.frozen(kw_only=True)
class Attendee:
    """An attendance record. ``duration_seconds`` is the time between join and leave."""

    session_id: str
    user_id: str
    attendee_id: str | None = None
    join_time: datetime | None = None
    leave_time: datetime | None = None
    duration_seconds: int | None = None
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class RankChange:
    """The result of a promote, demote or set-rank call."""

    user_id: str
    action: str
    previous_rank: int
    new_rank: int
    previous_role: str | None = None
    new_role: str | None = None
    workspace_id: str | None = None


@attrs.frozen(kw_only=True)
class KeyInfo:
    """The answer to ``keys.check``. An unknown or inactive key gives ``valid=False``."""

    valid: bool
    status: str | None = None
    workspace_id: str | None = None
    workspace_name: str | None = None
    created_at: datetime | None = None
    last_used: datetime | None = None
    rate_limit_remaining: int | None = None
    rate_limit_reset: datetime | None = None
    message: str | None = None
