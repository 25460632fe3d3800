"""Argument converters of the ``series`` command: WHEN, DAY, role SPEC and numbers.

Each converter is an argparse ``type=``: it raises ``argparse.ArgumentTypeError``
with the rule that was broken, and argparse prefixes the option's name, so the
user reads ``argument --scheduled: ...``. Standard library only: nothing here
may import the SDK, which is loaded only once a command actually runs.
"""

from __future__ import annotations

import argparse
import re
from datetime import date, datetime, timedelta, timezone

__all__ = [
    "ROLE_FLAGS",
    "RoleSpec",
    "day",
    "minutes",
    "non_negative_int",
    "positive_float",
    "positive_int",
    "role_spec",
    "when",
]

_RELATIVE = re.compile(r"\+(\d{1,6})([mhd])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHEN_RULE = (
    "must be ISO 8601 with an offset or Z (2026-12-01T15:00:00Z, 2026-12-01T17:00+02:00) "
    "or relative to now (+30m, +2h, +7d)"
)

#: Permission flags of a role SPEC and the ``RolePermissions`` attribute each sets.
ROLE_FLAGS = {
    "change-session-status": "change_session_status",
    "pass-or-fail-attendees": "pass_or_fail_attendees",
    "modify-attendance": "modify_attendance",
}
_SPEC_KEYS = ("name", "slots", "min-rank")


class RoleSpec:
    """A parsed ``--role`` SPEC; the command turns it into a ``CustomRole``.

    A plain class, not a NamedTuple or dataclass: those would import typing or
    dataclasses on every start-up, ``--help`` included.
    """

    __slots__ = ("min_rank", "name", "permissions", "slots")

    def __init__(
        self, *, name: str, slots: int, min_rank: int = 0, permissions: frozenset[str] = frozenset()
    ) -> None:
        self.name = name
        self.slots = slots
        self.min_rank = min_rank
        self.permissions = permissions

    def _key(self) -> tuple[str, int, int, frozenset[str]]:
        return (self.name, self.slots, self.min_rank, self.permissions)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RoleSpec) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"RoleSpec(name={self.name!r}, slots={self.slots}, min_rank={self.min_rank}, "
            f"permissions={sorted(self.permissions)})"
        )


def when(text: str) -> datetime:
    """Parse WHEN: an aware ISO 8601 date-time, or ``+<n>m``, ``+<n>h``, ``+<n>d`` from now.

    Raises:
        argparse.ArgumentTypeError: Not one of those forms, or no UTC offset.
    """
    relative = _RELATIVE.fullmatch(text.strip())
    if relative:
        amount, unit = relative.groups()
        return datetime.now(timezone.utc) + timedelta(**{_UNITS[unit]: int(amount)})
    iso = text.strip()
    if iso[-1:] in ("Z", "z"):
        iso = iso[:-1] + "+00:00"  # Python 3.10's fromisoformat() does not know Z
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{_WHEN_RULE}; got {text!r}") from None
    if parsed.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no UTC offset, so it is ambiguous: add Z or +HH:MM"
        )
    return parsed


def day(text: str) -> date:
    """Parse DAY: ``YYYY-MM-DD``.

    Raises:
        argparse.ArgumentTypeError: Another format, or no such day.
    """
    if not _DAY.fullmatch(text):
        raise argparse.ArgumentTypeError(f"must be a day as YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a real day ({exc})") from None


def _whole(text: str, what: str) -> int:
    try:
        return int(text.strip(), 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None


def positive_int(text: str) -> int:
    """Parse a whole number >= 1 (page numbers)."""
    value = _whole(text, "a whole number >= 1")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return value


def minutes(text: str) -> int:
    """Parse a duration in whole minutes (the API's own range check follows)."""
    return _whole(text, "a whole number of minutes")


def non_negative_int(text: str) -> int:
    """Parse a whole number >= 0 (``--max-retries``, ranks)."""
    value = _whole(text, "a whole number >= 0")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """Parse seconds > 0 (``--timeout``)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds > 0, got {text!r}")
    return value


def role_spec(text: str) -> RoleSpec:
    """Parse a role SPEC: ``name=Trainer,slots=2[,min-rank=50][,<permission flag>...]``.

    Raises:
        argparse.ArgumentTypeError: A part is unknown, repeated, missing or not a number.
    """
    fields: dict[str, str] = {}
    flags: set[str] = set()
    for raw in text.split(","):
        part = raw.strip()
        key, sep, value = part.partition("=")
        key = key.strip()
        if sep:
            if key not in _SPEC_KEYS:
                raise argparse.ArgumentTypeError(
                    f"unknown key {key!r} in {text!r}; keys: {', '.join(_SPEC_KEYS)}"
                )
            if key in fields:
                raise argparse.ArgumentTypeError(f"{key} is given twice in {text!r}")
            fields[key] = value.strip()
        elif part in ROLE_FLAGS:
            flags.add(ROLE_FLAGS[part])
        else:
            raise argparse.ArgumentTypeError(
                f"unknown part {part!r} in {text!r}: use name=..., slots=..., min-rank=... "
                f"and the flags {', '.join(ROLE_FLAGS)}"
            )
    for required in ("name", "slots"):
        if not fields.get(required):
            raise argparse.ArgumentTypeError(
                f"{required}= is required in {text!r} (e.g. name=Trainer,slots=2,min-rank=50)"
            )
    try:
        slots = int(fields["slots"], 10)
        min_rank = int(fields.get("min-rank", "0"), 10)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"slots and min-rank must be whole numbers in {text!r}"
        ) from None
    return RoleSpec(
        name=fields["name"], slots=slots, min_rank=min_rank, permissions=frozenset(flags)
    )
