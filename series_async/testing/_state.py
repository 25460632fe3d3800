"""The emulator's in-memory state and the read-only snapshots tests assert on.

Records are frozen attrs objects; a change replaces a record instead of
mutating it, so a :class:`StateSnapshot` can share them safely with the test
thread. Every change and every snapshot happens under one ``threading.Lock``
because the emulator may run on its own thread while a test reads its state.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from types import MappingProxyType

import attrs

from series_async.testing._config import ApiKeyConfig, WorkspaceConfig

__all__ = [
    "AttendeeRecord",
    "RankingRecord",
    "RequestRecord",
    "RoleRecord",
    "SessionRecord",
    "SlotRecord",
    "StateSnapshot",
    "Store",
    "vacant_key",
]

SESSION_STATUSES = ("upcoming", "ongoing", "completed", "cancelled")
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def vacant_key(index: int) -> str:
    """Return the wire key of an empty slot: ``VACANT_<n>``, 0-based."""
    return f"VACANT_{index}"


@attrs.frozen(kw_only=True)
class SlotRecord:
    """One slot of a custom role; ``holder`` is a user id or ``None`` when vacant."""

    holder: str | None = None
    attended: bool = False

    @property
    def vacant(self) -> bool:
        """Whether nobody holds the slot."""
        return self.holder is None


@attrs.frozen(kw_only=True)
class RoleRecord:
    """A custom role of a session, its rules and its slots (index order)."""

    name: str
    min_rank: int = 0
    change_session_status: bool = False
    pass_or_fail_attendees: bool = False
    modify_attendance: bool = False
    slots: tuple[SlotRecord, ...] = ()

    def slot_key(self, index: int) -> str:
        """Return the wire key of slot ``index``: the holder's id or ``VACANT_<n>``."""
        return self.slots[index].holder or vacant_key(index)

    def keyed_slots(self) -> dict[str, SlotRecord]:
        """Return the slots keyed as the API shows them."""
        return {self.slot_key(i): slot for i, slot in enumerate(self.slots)}

    def holders(self) -> list[str]:
        """Return the user ids holding a slot, in slot order."""
        return [slot.holder for slot in self.slots if slot.holder is not None]

    def with_slot(self, index: int, holder: str | None) -> RoleRecord:
        """Return a copy with slot ``index`` given to ``holder`` (``None`` frees it)."""
        slots = list(self.slots)
        slots[index] = SlotRecord(holder=holder)
        return attrs.evolve(self, slots=tuple(slots))


@attrs.frozen(kw_only=True)
class SessionRecord:
    """A session as the emulator stores it."""

    session_id: str
    workspace_id: str
    title: str
    scheduled: datetime
    duration: int
    created_at: datetime
    updated_at: datetime
    description: str | None = None
    host: str | None = None
    co_host: str | None = None
    supervisor: str | None = None
    delayed: bool = False
    status: str = "upcoming"
    claimable: bool = False
    min_host_rank: int = 0
    custom_roles: tuple[RoleRecord, ...] = ()

    def role(self, name: str) -> RoleRecord | None:
        """Return the custom role called ``name``, if any."""
        return next((r for r in self.custom_roles if r.name == name), None)

    def with_role(self, role: RoleRecord) -> SessionRecord:
        """Return a copy with the same-named role replaced by ``role``."""
        roles = tuple(role if r.name == role.name else r for r in self.custom_roles)
        return attrs.evolve(self, custom_roles=roles)


@attrs.frozen(kw_only=True)
class AttendeeRecord:
    """An attendance record of one user in one session."""

    attendee_id: str
    session_id: str
    user_id: str
    join_time: datetime
    leave_time: datetime | None = None
    username: str | None = None
    display_name: str | None = None
    avatar_url: str | None = None
    updated_at: datetime | None = None

    @property
    def duration_seconds(self) -> int | None:
        """Seconds between join and leave, ``None`` while the user has not left."""
        if self.leave_time is None:
            return None
        return int((self.leave_time - self.join_time).total_seconds())


@attrs.frozen(kw_only=True)
class RankingRecord:
    """One ranking-history entry (promote, demote or set-rank)."""

    user_id: str
    action: str
    previous_rank: int
    new_rank: int
    workspace_member: bool
    comment: str | None
    at: datetime


@attrs.frozen(kw_only=True)
class RequestRecord:
    """One request the emulator received, for counting in tests.

    ``applied`` is true when the endpoint logic ran and succeeded (status < 400),
    whatever an injected fault then did to the response.
    """

    seq: int
    method: str
    path: str
    route: str | None
    status: int | None
    applied: bool
    fault: str | None = None


@attrs.frozen(kw_only=True)
class StateSnapshot:
    """A consistent, read-only copy of the emulator's state at one instant."""

    workspace_id: str
    sessions: Mapping[str, SessionRecord]
    attendees: tuple[AttendeeRecord, ...]
    member_ranks: Mapping[str, int]
    group_ranks: Mapping[str, int]
    ranking_history: tuple[RankingRecord, ...]
    requests: tuple[RequestRecord, ...]

    def applied(self, route: str) -> int:
        """Count the successful, applied calls of ``route`` (e.g. ``"ranking.promote"``)."""
        return sum(1 for r in self.requests if r.route == route and r.applied)

    def attendees_of(self, session_id: str) -> list[AttendeeRecord]:
        """Return the attendance records of one session."""
        return [a for a in self.attendees if a.session_id == session_id]


class Store:
    """The mutable state behind one emulator. Hold ``lock`` while touching it."""

    def __init__(
        self, config: WorkspaceConfig, seed: int | None = None, log_limit: int | None = None
    ) -> None:
        self.config = config
        self.log_limit = log_limit
        self.request_count = 0
        self.lock = threading.Lock()
        self._rng = random.Random(seed)
        self.workspace_id = config.workspace.id or str(uuid.UUID(int=self._rng.getrandbits(128)))
        self.started_at = self.now()
        self.sessions: dict[str, SessionRecord] = {}
        self.attendees: dict[tuple[str, str], AttendeeRecord] = {}
        self.members: dict[str, int] = {m.user_id: m.rank for m in config.members}
        # Group ranks cover everyone in the Roblox group, workspace members included.
        self.group: dict[str, int] = dict(self.members)
        self.group.update({g.user_id: g.rank for g in config.group_members})
        self.history: list[RankingRecord] = []
        self.requests: list[RequestRecord] = []
        self.keys: dict[str, ApiKeyConfig] = {k.key: k for k in config.api_keys}
        self.last_used: dict[str, datetime] = {}
        self.windows: dict[str, tuple[float, int]] = {}

    @staticmethod
    def now() -> datetime:
        """Return the current time, timezone-aware UTC."""
        return datetime.now(timezone.utc)

    def new_id(self, prefix: str) -> str:
        """Return a fresh id such as ``session_1700000000_abc12345678`` (seeded)."""
        tail = "".join(self._rng.choice(_ID_ALPHABET) for _ in range(11))
        if prefix == "session":
            return f"session_{int(self.now().timestamp())}_{tail}"
        return f"{prefix}_{tail}"

    def log(self, record: RequestRecord) -> None:
        """Append to the request log, numbering it; trims the oldest past ``log_limit``."""
        self.requests.append(attrs.evolve(record, seq=self.request_count))
        self.request_count += 1
        # Trim in chunks so a long-running server pays O(1) amortised per request.
        if self.log_limit is not None and len(self.requests) > 2 * self.log_limit:
            del self.requests[: len(self.requests) - self.log_limit]

    def rank_name(self, rank: int) -> str | None:
        """Return the ladder name of ``rank``, if the ladder has it."""
        return next((r.name for r in self.config.ranks if r.rank == rank), None)

    def snapshot(self) -> StateSnapshot:
        """Copy the state; takes the lock itself."""
        with self.lock:
            return StateSnapshot(
                workspace_id=self.workspace_id,
                sessions=MappingProxyType(dict(self.sessions)),
                attendees=tuple(self.attendees.values()),
                member_ranks=MappingProxyType(dict(self.members)),
                group_ranks=MappingProxyType(dict(self.group)),
                ranking_history=tuple(self.history),
                requests=tuple(self.requests),
            )
