"""The request pipeline: build the request, send it with retries, raise for
status, and structure the envelope's ``data`` into a model.

Resources describe a call as a :class:`Call` value; nothing here knows about
individual endpoints.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import re
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar
from urllib.parse import quote, unquote, urlencode

import attrs

from ._converter import converter
from ._errors import (
    APIConnectionError,
    APIStatusError,
    RateLimitError,
    SeriesError,
    UnexpectedResponseError,
    ValidationError,
    status_error_class,
)
from ._retry import RetryPolicy, call_with_retries
from ._transport import (
    CLOSED_IN_FLIGHT,
    EXCERPT_LIMIT,
    RawResponse,
    Transport,
    excerpt,
    excerpt_bytes,
)
from ._types import Timeout
from ._validation import check_encodable

__all__ = ["Call", "Pipeline", "encode_segment", "parse_retry_after"]

T = TypeVar("T")

logger = logging.getLogger("series")

REDACTED = "<redacted>"
_EXCERPT_LIMIT = 200
_WHITESPACE = re.compile(r"\s+")
# json.dumps(..., separators=...) builds a new encoder per call; this one is reused.
_ENCODER = json.JSONEncoder(separators=(",", ":"))
# Ids made only of these need no encoding (and are not all dots).
_PATH_SAFE = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*")


def encode_segment(field: str, value: str) -> str:
    """Percent-encode ``value`` as one whole path segment.

    ``/``, ``?``, ``#`` and ``%`` are encoded, and a segment made only of dots
    is encoded too, so an id such as ``a/../b`` or ``..`` can never change the path.
    """
    if not isinstance(value, str) or not value:
        raise ValidationError(field, f"must be a non-empty string, got {type(value).__name__}")
    if _PATH_SAFE.fullmatch(value):
        return value
    check_encodable(field, value)
    encoded = quote(value, safe="")
    if not encoded.strip("."):
        encoded = encoded.replace(".", "%2E")
    return encoded


def parse_retry_after(value: str | None) -> float | None:
    """Read a ``Retry-After`` header: delay seconds or an HTTP date; ``None`` if absent/bad."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - datetime.now(timezone.utc)).total_seconds()
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


@attrs.define(slots=True)
class Call(Generic[T]):
    """One API call, described as a value.

    Attributes:
        method: HTTP method.
        template: Documented path template, used in logs and error URLs.
        path: The real path, each parameter already encoded with ``encode_segment``.
        model: The model the envelope's ``data`` is structured into.
        idempotent: Whether a replay is harmless (decides 5xx/timeout retries).
        query: Query parameters, only those given.
        body: JSON body, only the fields given.
        auth: Send the ``apikey`` header.
        secret_path: The path holds the API key; show ``template`` in errors instead.
        prepare: Optional fix-up of ``data`` before structuring.
        check: Optional check of the parsed model; a returned text is the reason
            the answer is refused (``UnexpectedResponseError``).
    """

    method: str
    template: str
    path: str
    model: type[T]
    idempotent: bool
    query: Mapping[str, str] | None = None
    body: Mapping[str, Any] | None = None
    auth: bool = True
    secret_path: bool = False
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    check: Callable[[T], str | None] | None = None

    @property
    def read_only(self) -> bool:
        """The call changes nothing on the server (its errors never ``may_have_acted``)."""
        return self.method == "GET"


class Pipeline:
    """Runs :class:`Call` values against the API.

    Args:
        timeout: Per-attempt limits, or ``None`` for the transport's own.
    """

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        transport: Transport,
        policy: RetryPolicy,
        timeout: Timeout | None = None,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self.base_url = base_url
        self.policy = policy
        self.timeout = timeout
        self._api_key = api_key
        self._transport = transport
        # Other strings no error may show (proxy credentials).
        self._secrets = tuple(s for s in secrets if s)

    def derive(self, *, policy: RetryPolicy, timeout: Timeout | None) -> Pipeline:
        """A pipeline on the same transport with another policy and timeout."""
        return Pipeline(
            base_url=self.base_url,
            api_key=self._api_key,
            transport=self._transport,
            policy=policy,
            timeout=timeout,
            secrets=self._secrets,
        )

    def _scrubber(self, call: Call[Any]) -> Callable[[str], str]:
        """Return a function removing the key (and a key in the path) from a text.

        Both the raw and the percent-encoded spelling are removed: aiohttp's
        messages quote the URL, where the key is encoded.
        """
        # Proxy credentials too: no error may show them either.
        secrets = {self._api_key, quote(self._api_key, safe=""), *self._secrets}
        if call.secret_path:
            segment = call.path.rsplit("/", 1)[-1]
            secrets |= {segment, unquote(segment)}
        ordered = sorted((s for s in secrets if s), key=len, reverse=True)

        def scrub(text: str) -> str:
            for secret in ordered:
                if secret in text:
                    text = text.replace(secret, REDACTED)
            return text

        return scrub

    async def run(self, call: Call[T]) -> T:
        """Send ``call`` under the retry policy and return its parsed model."""
        url = self.base_url + call.path
        if call.query:
            url += "?" + urlencode(call.query)
        display_url = self.base_url + call.template if call.secret_path else url
        body = None if call.body is None else _ENCODER.encode(call.body).encode()
        transport = self._transport
        timeout = self.timeout
        debug = logger.isEnabledFor(logging.DEBUG)
        scrub = self._scrubber(call)

        async def attempt(remaining: float | None) -> RawResponse:
            started = time.perf_counter() if debug else 0.0
            try:
                raw = await transport.send(
                    call.method,
                    url,
                    auth=call.auth,
                    body=body,
                    remaining=remaining,
                    display_url=display_url,
                    scrub=scrub,
                    timeout=timeout,
                )
            except APIConnectionError as exc:
                if transport.closed:
                    # aclose() cut this attempt off: say so, and do not retry.
                    closed = SeriesError(CLOSED_IN_FLIGHT)
                    closed._sent = getattr(exc, "_sent", True)  # type: ignore[attr-defined]
                    raise closed from exc
                raise
            if debug:
                logger.debug(
                    "%s %s -> %d in %.1f ms",
                    call.method,
                    display_url,
                    raw.status,
                    (time.perf_counter() - started) * 1000,
                )
            if 200 <= raw.status < 300:
                return raw
            raise self._status_error(call, raw, display_url, scrub)

        raw = await call_with_retries(
            attempt,
            policy=self.policy,
            idempotent=call.idempotent,
            read_only=call.read_only,
            method=call.method,
            template=call.template,
        )
        try:
            return self._parse(call, raw, scrub)
        except UnexpectedResponseError as exc:
            # The API answered 2xx: it acted, though we cannot read what it said.
            exc.may_have_acted = not call.read_only
            raise

    def _status_error(
        self, call: Call[Any], raw: RawResponse, display_url: str, scrub: Callable[[str], str]
    ) -> APIStatusError:
        text = scrub(raw.body.decode("utf-8", "replace"))
        body: Any = excerpt(text)
        message: str | None = None
        code: int | str | None = None
        try:
            parsed = json.loads(text) if text else None
        except (ValueError, RecursionError):  # not JSON, or nested too deep to decode
            parsed = None
        if isinstance(parsed, dict):
            # A large JSON body is kept as text excerpt: errors never hold a whole body.
            body = parsed if len(text) <= EXCERPT_LIMIT else body
            error = parsed.get("error")
            if isinstance(error, dict):
                found = error.get("message")
                message = found if isinstance(found, str) else None
                message = excerpt(message) if message else message
                raw_code = error.get("code")
                code = raw_code if isinstance(raw_code, (int, str)) else None
            elif isinstance(error, str):
                message = excerpt(error)
            if message is None and isinstance(parsed.get("message"), str):
                message = excerpt(parsed["message"])
        if not message:
            message = self._fallback_message(raw, text)
        if 300 <= raw.status < 400:
            location = raw.headers.get("Location")
            message = f"redirect not followed (the API key must not be sent elsewhere): {message}"
            if location:
                message += f" -> {excerpt(scrub(location), _EXCERPT_LIMIT)}"
        cls = status_error_class(raw.status)
        fields: dict[str, Any] = {
            "status": raw.status,
            "code": code,
            "body": body,
            "method": call.method,
            "url": display_url,
        }
        retry_after = parse_retry_after(raw.headers.get("Retry-After"))
        if cls is RateLimitError:
            return RateLimitError(message, retry_after=retry_after, **fields)
        error_obj = cls(message, **fields)
        if retry_after is not None:
            # Honoured by the retry loop (e.g. a 503 with Retry-After).
            error_obj.retry_after = retry_after  # type: ignore[attr-defined]
        return error_obj

    @staticmethod
    def _fallback_message(raw: RawResponse, text: str) -> str:
        stripped = text.strip()
        if stripped and not stripped.startswith("<"):
            line = _WHITESPACE.sub(" ", stripped)
            return line if len(line) <= _EXCERPT_LIMIT else line[:_EXCERPT_LIMIT] + "..."
        return excerpt(raw.reason, _EXCERPT_LIMIT) if raw.reason else f"HTTP {raw.status}"

    def _parse(self, call: Call[T], raw: RawResponse, scrub: Callable[[str], str]) -> T:
        try:
            envelope = json.loads(raw.body.decode())
        except UnicodeDecodeError as exc:
            raise self._unexpected("the response body is not UTF-8 text", raw, scrub) from exc
        except ValueError as exc:
            raise self._unexpected("the response body is not JSON", raw, scrub) from exc
        except RecursionError:
            # Raised deep in the decoder: chaining it would print thousands of frames.
            raise self._unexpected(
                "the response body is JSON nested too deeply to decode", raw, scrub
            ) from None
        data = envelope.get("data") if isinstance(envelope, dict) else None
        if not isinstance(data, dict) or envelope.get("success") is False:
            raise self._unexpected(
                'expected {"success": true, "data": {...}} in the response', raw, scrub
            )
        try:
            if call.prepare is not None:
                data = call.prepare(data)
            result = converter.structure(data, call.model)
        except Exception as exc:
            detail = excerpt(scrub(str(exc)), _EXCERPT_LIMIT)
            raise self._unexpected(
                f"could not read a {call.model.__name__} from the response ({type(exc).__name__}: "
                f"{detail})",
                raw,
                scrub,
            ) from exc
        if call.check is not None:
            problem = call.check(result)
            if problem is not None:
                raise self._unexpected(problem, raw, scrub)
        return result

    @staticmethod
    def _unexpected(message: str, raw: RawResponse, scrub: Callable[[str], str]) -> SeriesError:
        return UnexpectedResponseError(
            message, status=raw.status, body=excerpt_bytes(raw.body, scrub)
        )
