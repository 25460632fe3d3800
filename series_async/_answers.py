"""Reading one answer of the API: the error of a status, the JSON of a 2xx, ``Retry-After``.

What is read here never raises anything but the SDK's own errors, whatever the
server sent: texts are scrubbed before they are cut, and whatever cannot be read
(a body, a header) is said so or ignored.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
from datetime import datetime, timezone
from typing import Any

from . import _json
from ._body import excerpt_bytes
from ._errors import (
    APIStatusError,
    SeriesError,
    UnexpectedResponseError,
    status_error_class,
)
from ._scrub import EXCERPT_LIMIT, LINE_LIMIT, Scrubber, excerpt
from ._transport import RawResponse

__all__ = ["decode", "parse_retry_after", "status_error", "unexpected"]

# RFC 9110: delay-seconds = 1*DIGIT, in ASCII: no sign, exponent, "_" or other digits.
# A decimal fraction is tolerated (our emulator sends one to keep tests fast).
_DELAY_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_WHITESPACE = re.compile(r"\s+")


def parse_retry_after(value: str | None) -> float | None:
    """Read a ``Retry-After`` header: delay seconds or an HTTP date.

    Returns:
        Seconds to wait (a past date gives ``0.0``), or ``None`` when the header
        is absent or cannot be read in any way: garbage, a number that is not
        plain ASCII digits (``-3``, ``+3``, ``1_0``, ``1e3``, ``inf``; a decimal
        fraction such as ``1.5`` is tolerated), a number or a date that overflows.
        It never raises: the policy's own backoff then applies.
    """
    if not value:
        return None
    text = value.strip(" \t")
    if _DELAY_SECONDS.fullmatch(text):
        try:
            seconds = float(text) if "." in text else float(int(text))
        except (ValueError, OverflowError):  # beyond a float, or too many digits for an int
            return None
        return seconds if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(text)
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - datetime.now(timezone.utc)).total_seconds()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, seconds)


def status_error(
    method: str, raw: RawResponse, display_url: str, scrub: Scrubber
) -> APIStatusError:
    """The error of a non-2xx answer: the status picks the class, the body the message."""
    shown = excerpt_bytes(raw.body, scrub)  # scrubbed, then cut
    body: Any = shown
    message: str | None = None
    code: int | str | None = None
    try:
        # Decoded whole and unscrubbed: its strings are scrubbed once decoded
        # (a key echoed as \u0073k_live... is only the key after decoding).
        text = raw.body.decode("utf-8", "replace")
        parsed = json.loads(text) if text else None
    except (ValueError, RecursionError):  # not JSON, or nested too deep to decode
        parsed = None
    if isinstance(parsed, dict):
        # A large JSON body is kept as text excerpt: errors never hold a whole body.
        # A kept one is scrubbed where the error leaves the call (Scrubber.error).
        body = parsed if len(text) <= EXCERPT_LIMIT else body
        error = parsed.get("error")
        found: Any = None
        if isinstance(error, dict):
            found = error.get("message")
            raw_code = error.get("code")
            code = raw_code if isinstance(raw_code, (int, str)) else None
        elif isinstance(error, str):
            found = error
        if not isinstance(found, str) and isinstance(parsed.get("message"), str):
            found = parsed["message"]
        if isinstance(found, str) and found:
            message = excerpt(scrub(found))  # scrubbed before it is cut
        if isinstance(code, str):
            code = scrub(code)
    if not message:
        message = _fallback_message(raw, shown)
    if 300 <= raw.status < 400:
        location = raw.headers.get("Location")
        message = f"redirect not followed (the API key must not be sent elsewhere): {message}"
        if location:
            message += f" -> {excerpt(scrub(location), LINE_LIMIT)}"
    cls = status_error_class(raw.status)
    return cls(
        message,
        status=raw.status,
        code=code,
        body=body,
        method=method,
        url=display_url,
        # Declared here, where it is read; the retry loop honours it (a 429, a 503...).
        retry_after=parse_retry_after(raw.headers.get("Retry-After")),
    )


def _fallback_message(raw: RawResponse, shown: str) -> str:
    stripped = shown.strip()
    if stripped and not stripped.startswith("<"):
        return excerpt(_WHITESPACE.sub(" ", stripped), LINE_LIMIT)
    return excerpt(raw.reason, LINE_LIMIT) if raw.reason else f"HTTP {raw.status}"


def decode(raw: RawResponse, scrub: Scrubber) -> Any:
    """The JSON of a 2xx body, or an ``unreadable`` error saying why there is none."""
    if raw.undecodable is not None:
        raise unexpected(raw.undecodable, raw, scrub, unreadable=True)
    try:
        return _json.loads(raw.body)
    except UnicodeDecodeError as exc:
        raise unexpected(
            "the response body is not UTF-8 text", raw, scrub, unreadable=True
        ) from exc
    except ValueError as exc:
        raise unexpected("the response body is not JSON", raw, scrub, unreadable=True) from exc
    except RecursionError:
        # Raised deep in the decoder: chaining it would print thousands of frames.
        raise unexpected(
            "the response body is JSON nested too deeply to decode",
            raw,
            scrub,
            unreadable=True,
        ) from None


def unexpected(
    message: str, raw: RawResponse, scrub: Scrubber, *, unreadable: bool = False
) -> SeriesError:
    """An ``UnexpectedResponseError`` for ``raw``, with a scrubbed excerpt of its body."""
    return UnexpectedResponseError(
        message, status=raw.status, body=excerpt_bytes(raw.body, scrub), unreadable=unreadable
    )
