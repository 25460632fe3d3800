"""ISO 8601 timestamps: tolerant parsing (every supported Python) and wire formatting."""

from __future__ import annotations

import re
import sys
from datetime import datetime, timezone

__all__ = ["format_exact", "format_timestamp", "parse_timestamp"]

_NATIVE_ISO = sys.version_info >= (3, 11)

# Python 3.10's fromisoformat() rejects "Z" and fractions that are not 3 or 6
# digits long, so the parts are picked apart here and normalised before it.
_ISO = re.compile(
    r"(?P<base>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?)"
    r"(?:[.,](?P<frac>\d+))?"
    r"(?P<tz>Z|z|[+-]\d{2}(?::?\d{2})?)?"
)


def parse_timestamp(text: str, *, assume_utc: bool) -> datetime:
    """Parse an ISO 8601 date-time such as ``2024-01-20T15:00:00.000Z``.

    Args:
        text: The timestamp text.
        assume_utc: Treat a timestamp without offset as UTC (responses);
            when false such a timestamp is refused (requests: it is ambiguous).

    Returns:
        A timezone-aware datetime.

    Raises:
        ValueError: The text is not an ISO 8601 date-time, or has no offset
            and ``assume_utc`` is false.
    """
    if _NATIVE_ISO and "T" in text:
        # 3.11+ parses "Z" and any fraction natively, several times faster.
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            pass  # the regex path below explains what is wrong
        else:
            return _with_offset(parsed, text, assume_utc)
    match = _ISO.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not an ISO 8601 date-time: {text!r}")
    base, frac, tz = match.group("base", "frac", "tz")
    normalised = base.replace(" ", "T")
    if frac:
        normalised += "." + (frac + "000000")[:6]
    if tz is None:
        return _with_offset(datetime.fromisoformat(normalised), text, assume_utc)
    if tz in ("Z", "z"):
        tz = "+00:00"
    elif len(tz) == 3:
        tz += ":00"
    elif ":" not in tz:
        tz = tz[:3] + ":" + tz[3:]
    return datetime.fromisoformat(normalised + tz)


def _with_offset(parsed: datetime, text: str, assume_utc: bool) -> datetime:
    if parsed.tzinfo is not None:
        return parsed
    if assume_utc:
        return parsed.replace(tzinfo=timezone.utc)
    raise ValueError(f"has no UTC offset: {text!r} (add 'Z' or '+00:00')")


def format_timestamp(value: datetime) -> str:
    """Format an aware datetime as UTC with a ``Z`` suffix, milliseconds only when non-zero."""
    # A plain datetime already in UTC needs no conversion (the common case).
    utc = value if type(value) is datetime and value.tzinfo is timezone.utc else None
    if utc is None:
        utc = value.astimezone(timezone.utc)
    text = utc.replace(tzinfo=None).isoformat(
        timespec="milliseconds" if utc.microsecond else "seconds"
    )
    return text + "Z"


def format_exact(value: datetime) -> str:
    """Format a datetime as UTC with ``Z`` and every fractional digit it has.

    No fraction for whole seconds, milliseconds when the value has no finer part,
    microseconds otherwise: parsing the text gives back an equal datetime. A naive
    datetime is taken as UTC, as in a response.
    """
    utc = value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo is not None else value
    if not utc.microsecond:
        spec = "seconds"
    elif utc.microsecond % 1000:
        spec = "microseconds"
    else:
        spec = "milliseconds"
    return utc.isoformat(timespec=spec) + "Z"
