"""Argument checks run before any I/O. Each raises ``ValidationError`` naming the field."""

from __future__ import annotations

import ipaddress
import re
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from ._errors import ValidationError
from ._scrub import excerpt
from ._time import format_timestamp, parse_timestamp

__all__ = [
    "MAX_JSON_INT",
    "check_base_url",
    "check_bool",
    "check_day",
    "check_encodable",
    "check_int",
    "check_optional_text",
    "check_slot_key",
    "check_str",
    "check_timestamp",
    "check_user_id",
    "show",
]

_DIGITS = re.compile(r"[0-9]+")
# Integers beyond 2**53 lose precision in most JSON parsers (JavaScript's among
# them), and huge ones cannot even be turned into text: refuse them up front.
MAX_JSON_INT = 2**53 - 1
_SLOT_KEY = re.compile(r"VACANT_[0-9]+")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def check_encodable(field: str, value: str) -> str:
    """A string that UTF-8 can encode (no lone surrogate such as ``"\\ud800"``)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError(
            field,
            f"contains a lone surrogate ({value[exc.start]!r} at index {exc.start}) "
            "that cannot be sent as UTF-8",
        ) from None
    return value


def check_str(field: str, value: Any) -> str:
    """A non-blank string."""
    if not isinstance(value, str):
        raise ValidationError(field, f"must be a string, got {type(value).__name__}")
    if not value.strip():
        raise ValidationError(field, "must not be empty")
    return check_encodable(field, value)


def check_optional_text(field: str, value: Any) -> str:
    """Any string, empty allowed (free text such as a description or comment)."""
    if not isinstance(value, str):
        raise ValidationError(field, f"must be a string, got {type(value).__name__}")
    return check_encodable(field, value)


def check_int(field: str, value: Any, *, low: int, high: int | None = None, unit: str = "") -> int:
    """An ``int`` (``bool`` refused) within ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, f"must be an integer, got {type(value).__name__}")
    suffix = f" ({unit})" if unit else ""
    if high is None and value < low:
        shown = value if value >= -MAX_JSON_INT else "a large negative number"
        raise ValidationError(field, f"must be an integer >= {low}{suffix}, got {shown}")
    if high is None and value > MAX_JSON_INT:
        raise ValidationError(field, f"must be at most 2**53-1{suffix}: larger is not safe in JSON")
    if high is not None and not low <= value <= high:
        shown = value if abs(value) <= MAX_JSON_INT else "a larger number"
        raise ValidationError(
            field, f"must be an integer from {low} to {high}{suffix}, got {shown}"
        )
    return value


def check_bool(field: str, value: Any) -> bool:
    """A real ``bool`` (not 0/1 or a string)."""
    if not isinstance(value, bool):
        raise ValidationError(field, f"must be True or False, got {show(value)}")
    return value


def check_user_id(field: str, value: Any) -> str:
    """A Roblox user id from 1 to ``MAX_JSON_INT``: an ``int`` or a digit-only string.

    Both forms follow one rule and are returned as a string (the API's wire form).
    """
    if isinstance(value, bool):
        raise ValidationError(field, "must be a Roblox user id (int or digit string), got bool")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and _DIGITS.fullmatch(value):
        # More digits than MAX_JSON_INT has cannot fit; int() of a huge string would
        # itself fail (Python caps int/str conversions at 4,300 digits).
        digits = value.lstrip("0") or "0"
        number = MAX_JSON_INT + 1 if len(digits) > len(str(MAX_JSON_INT)) else int(digits)
    else:
        raise ValidationError(
            field, f"must be a Roblox user id (int or digit-only string), got {show(value)}"
        )
    if number < 1:
        shown = repr(value) if number >= -MAX_JSON_INT else "a large negative number"
        raise ValidationError(field, f"must be a positive Roblox user id, got {shown}")
    if number > MAX_JSON_INT:
        raise ValidationError(field, "must be a Roblox user id up to 2**53-1")
    return value if isinstance(value, str) else str(value)


def check_slot_key(field: str, value: Any) -> str:
    """A vacant slot key such as ``VACANT_0``."""
    if not isinstance(value, str) or not _SLOT_KEY.fullmatch(value):
        raise ValidationError(
            field, f"must be a vacant slot key like 'VACANT_0', got {show(value)}"
        )
    return value


def check_timestamp(field: str, value: Any) -> str:
    """An aware datetime or an ISO 8601 string with an offset; returned as UTC ``...Z``."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValidationError(
                field,
                "naive datetime is ambiguous: give a timezone, e.g. "
                "datetime(..., tzinfo=timezone.utc)",
            )
        return _to_utc(field, value)
    if isinstance(value, str):
        try:
            parsed = parse_timestamp(check_encodable(field, value), assume_utc=False)
        except ValueError as exc:
            raise ValidationError(
                field, f"must be an ISO 8601 date-time with offset: {exc}"
            ) from None
        return _to_utc(field, parsed)
    raise ValidationError(
        field, f"must be a timezone-aware datetime or ISO 8601 string, got {type(value).__name__}"
    )


def _to_utc(field: str, value: datetime) -> str:
    try:
        return format_timestamp(value)
    except (OverflowError, ValueError):
        # e.g. 0001-01-01T00:00+01:00: its UTC time falls before year 1.
        raise ValidationError(
            field, f"{value.isoformat()} cannot be expressed in UTC (out of datetime's range)"
        ) from None


def show(value: Any) -> str:
    """A short repr for a message: never the whole of a huge argument.

    ``repr`` itself can fail (an integer of more than 4,300 digits, anywhere in
    a container): the message then names the type alone.
    """
    try:
        text = repr(value)
    except Exception:
        return f"a {type(value).__name__} that cannot be shown"
    return excerpt(text, 80)


def check_day(field: str, value: Any) -> str:
    """A calendar day: a ``date`` (not a ``datetime``) or a ``YYYY-MM-DD`` string."""
    if isinstance(value, datetime):
        raise ValidationError(field, "must be a date or 'YYYY-MM-DD', not a datetime (use .date())")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and _DAY.fullmatch(value):
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValidationError(field, f"is not a real calendar day: {value!r}") from None
        return value
    raise ValidationError(field, f"must be a date or a 'YYYY-MM-DD' string, got {show(value)}")


_LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str, *, allow_insecure_http: bool) -> str:
    """The API root without a trailing slash; plain http:// only to loopback unless allowed."""
    if not isinstance(url, str) or not url.strip():
        raise ValidationError("base_url", f"must be an http(s) URL, got {type(url).__name__}")
    if any(ch.isspace() or not ch.isprintable() for ch in url.strip()):
        # Whitespace would go raw into the request line.
        raise ValidationError("base_url", "must not contain whitespace or control characters")
    check_encodable("base_url", url)
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise ValidationError("base_url", f"is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # Not the URL itself: it may carry credentials.
        raise ValidationError(
            "base_url",
            f"must be an absolute http(s) URL, got scheme {parts.scheme!r}"
            if parts.scheme not in ("http", "https")
            else "must be an absolute http(s) URL with a host name",
        )
    try:
        parts.hostname.encode("idna")
    except UnicodeError:
        raise ValidationError(
            "base_url", f"has a host name that cannot be encoded: {parts.hostname!r}"
        ) from None
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValidationError("base_url", "must not contain credentials, a query or a fragment")
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(parts.hostname):
        raise ValidationError(
            "base_url",
            f"refusing plain http:// to {parts.hostname!r}: the API key would travel in clear "
            "text. Use https://, or pass allow_insecure_http=True if you really mean it",
        )
    return url.strip().rstrip("/")
