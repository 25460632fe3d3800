"""Wire helpers shared by the endpoint logic: errors, body readers, timestamps.

Endpoint logic is plain synchronous code that takes a :class:`Call` and returns
a :class:`Reply` or raises :class:`ApiError`; only ``_app`` knows about aiohttp.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone

import attrs

__all__ = [
    "MISSING",
    "ApiError",
    "Call",
    "JsonObject",
    "Missing",
    "Reply",
    "format_time",
    "invalid",
    "opt_bool",
    "opt_int",
    "opt_str",
    "opt_time",
    "opt_user_id",
    "parse_time",
    "req_int",
    "req_str",
    "req_user_id",
]

JsonObject = dict[str, object]

_USER_ID = re.compile(r"[0-9]{1,20}", re.ASCII)
_ISO = re.compile(
    r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})", re.ASCII
)


class ApiError(Exception):
    """An error the emulated API answers with its documented error body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def body(self) -> JsonObject:
        """Return the documented error envelope."""
        return {"success": False, "error": {"code": self.status, "message": self.message}}


def invalid(message: str) -> ApiError:
    """Build the 400 used for every body or query validation failure."""
    return ApiError(400, f"Validation error: {message}")


@attrs.frozen(kw_only=True)
class Call:
    """One decoded request as the endpoint logic sees it."""

    params: Mapping[str, str] = attrs.field(factory=dict)
    query: Mapping[str, str] = attrs.field(factory=dict)
    body: JsonObject = attrs.field(factory=dict)


@attrs.frozen
class Reply:
    """A successful answer: HTTP status and the ``data`` of the success envelope."""

    status: int
    data: JsonObject

    def body(self) -> JsonObject:
        """Return the documented success envelope."""
        return {"success": True, "data": self.data}


class Missing:
    """Marks a field the request did not contain (``None`` is a sent ``null``)."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING = Missing()


def format_time(value: datetime) -> str:
    """Render a timestamp the way get/list do: UTC, milliseconds, ``Z``.

    The year always has four digits (``0999-06-01T...``): ``strftime("%Y")``
    writes ``999`` on some platforms, which no ISO 8601 reader accepts.
    """
    utc = value.astimezone(timezone.utc)
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:"
        f"{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )


def parse_time(text: str) -> datetime | None:
    """Parse an ISO 8601 date-time that has a ``Z`` or an offset; else ``None``."""
    match = _ISO.fullmatch(text)
    if match is None:
        return None
    date, clock, fraction, zone = match.groups()
    fraction = (fraction or ".0")[1:].ljust(6, "0")
    zone = "+00:00" if zone == "Z" else zone
    try:
        return datetime.fromisoformat(f"{date}T{clock}.{fraction}{zone}")
    except ValueError:
        return None


def _present(body: JsonObject, field: str) -> object:
    return body.get(field, MISSING)


def req_str(body: JsonObject, field: str, prefix: str = "") -> str:
    """Read a required, non-blank string field."""
    name = prefix + field
    value = _present(body, field)
    if value is MISSING:
        raise invalid(f"{name} is required")
    if not isinstance(value, str) or not value.strip():
        raise invalid(f"{name} must be a non-empty string")
    return value


def opt_str(body: JsonObject, field: str, prefix: str = "") -> str | Missing:
    """Read an optional string field; a sent ``null`` is refused."""
    value = _present(body, field)
    if isinstance(value, (str, Missing)):
        return value
    raise invalid(f"{prefix}{field} must be a string")


def req_user_id(body: JsonObject, field: str) -> str:
    """Read a required Roblox user id (a digit-only string)."""
    value = req_str(body, field)
    if not _USER_ID.fullmatch(value):
        raise invalid(f"{field} must be a Roblox user ID (a string of digits)")
    return value


def opt_user_id(body: JsonObject, field: str) -> str | Missing:
    """Read an optional Roblox user id."""
    if field not in body:
        return MISSING
    return req_user_id(body, field)


def opt_bool(body: JsonObject, field: str, prefix: str = "") -> bool | Missing:
    """Read an optional boolean field."""
    value = _present(body, field)
    if isinstance(value, (bool, Missing)):
        return value
    raise invalid(f"{prefix}{field} must be a boolean")


def opt_int(
    body: JsonObject, field: str, low: int, high: int | None = None, prefix: str = ""
) -> int | Missing:
    """Read an optional integer field within ``low..high`` (JSON floats refused)."""
    value = _present(body, field)
    if isinstance(value, Missing):
        return value
    name = prefix + field
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(f"{name} must be an integer")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise invalid(f"{name} must be {bound}")
    return value


def req_int(
    body: JsonObject, field: str, low: int, high: int | None = None, prefix: str = ""
) -> int:
    """Read a required integer field within ``low..high``."""
    value = opt_int(body, field, low, high, prefix)
    if isinstance(value, Missing):
        raise invalid(f"{prefix}{field} is required")
    return value


def opt_time(body: JsonObject, field: str) -> datetime | Missing:
    """Read an optional ISO 8601 date-time field that carries a timezone."""
    value = _present(body, field)
    if isinstance(value, Missing):
        return value
    parsed = parse_time(value) if isinstance(value, str) else None
    if parsed is None:
        raise invalid(
            f"{field} must be an ISO 8601 date-time with a timezone, e.g. 2024-01-20T15:00:00Z"
        )
    try:
        # Stored and compared in UTC: 9999-12-31T23:59:59-23:59 has no UTC time.
        parsed.astimezone(timezone.utc)
    except OverflowError:
        raise invalid(f"{field} is outside the years 1-9999 once shifted to UTC") from None
    return parsed
