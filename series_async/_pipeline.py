"""The request pipeline: build the request, send it with retries, raise for
status, and structure the envelope's ``data`` into a model.

Resources describe a call as a :class:`Call` value; nothing here knows about
individual endpoints.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar
from urllib.parse import quote, unquote, urlencode

import attrs

from . import _json
from ._answers import SHORT_LIMIT, decode, parse_retry_after, status_error, unexpected
from ._converter import converter
from ._errors import APIConnectionError, SeriesError, UnexpectedResponseError, ValidationError
from ._retry import RetryPolicy, retry_after_failure, start_deadline, time_left
from ._scrub import Scrubber
from ._transport import CLOSED_IN_FLIGHT, RawResponse, Transport, excerpt, excerpt_bytes
from ._types import Timeout
from ._validation import check_encodable

__all__ = ["Call", "Pipeline", "encode_segment", "parse_retry_after"]

T = TypeVar("T")

logger = logging.getLogger("series")

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


# Each model's structuring hook, looked up once (converter.structure dispatches per call).
_HOOKS: dict[type, Callable[[Any, Any], Any]] = {}


def _hook_for(model: type) -> Callable[[Any, Any], Any]:
    hook = _HOOKS[model] = converter.get_structure_hook(model)
    return hook


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
        # The scrubber of every call whose path holds no secret, built once.
        self._scrub = Scrubber({api_key, quote(api_key, safe=""), *self._secrets})

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

    def _scrubber(self, call: Call[Any]) -> Scrubber:
        """Return the scrubber removing the key (and a key in the path) from a text.

        Both the raw and the percent-encoded spelling are removed: aiohttp's
        messages quote the URL, where the key is encoded. Proxy credentials too:
        no error may show them either.
        """
        if not call.secret_path:
            return self._scrub
        segment = call.path.rsplit("/", 1)[-1]
        key = self._api_key
        return Scrubber({key, quote(key, safe=""), *self._secrets, segment, unquote(segment)})

    async def run(self, call: Call[T]) -> T:
        """Send ``call`` under the retry policy and return its parsed model.

        Every error of a call leaves the SDK's hands here, so here it is scrubbed,
        once, with all that is chained to it, whatever produced its texts (aiohttp,
        a decoded body, the converter, a proxy): see ``Scrubber.error``.
        """
        scrub = self._scrubber(call) if call.secret_path else self._scrub
        url = self.base_url + call.path
        if call.query:
            url += "?" + urlencode(call.query)
        display_url = self.base_url + call.template if call.secret_path else url
        debug = logger.isEnabledFor(logging.DEBUG)
        policy = self.policy
        try:
            body = None if call.body is None else _json.dumps(call.body)
            deadline = remaining = None
            if policy.total_timeout is not None:
                deadline = start_deadline(policy)
                remaining = time_left(deadline)
            # The first attempt runs bare, inlined (each await level costs again at every
            # resumption of the call); the retry machinery is only built after a failure.
            started = time.perf_counter() if debug else 0.0
            try:
                try:
                    raw = await self._transport.send(
                        call.method,
                        url,
                        auth=call.auth,
                        body=body,
                        remaining=remaining,
                        display_url=display_url,
                        scrub=scrub,
                        timeout=self.timeout,
                    )
                except APIConnectionError as exc:
                    self._raise_if_closed(exc)
                    raise
                answer = self._answered(call, raw, display_url, scrub, debug, started)
            except SeriesError as exc:
                failure: SeriesError | None = exc
            else:
                failure = None
            if failure is not None:

                async def attempt(remaining: float | None) -> tuple[RawResponse, Any]:
                    return await self._attempt(
                        call, url, body, display_url, scrub, debug, remaining
                    )

                answer = await retry_after_failure(
                    failure,
                    attempt,
                    policy=policy,
                    idempotent=call.idempotent,
                    read_only=call.read_only,
                    method=call.method,
                    template=call.template,
                    deadline=deadline,
                )
            try:
                return self._parse(call, answer, scrub)
            except UnexpectedResponseError as exc:
                # The API answered 2xx: it acted, though we cannot read what it said.
                exc.may_have_acted = not call.read_only
                raise
        except SeriesError as exc:
            scrub.error(exc)
            raise

    async def _attempt(
        self,
        call: Call[Any],
        url: str,
        body: bytes | None,
        display_url: str,
        scrub: Scrubber,
        debug: bool,
        remaining: float | None,
    ) -> tuple[RawResponse, Any]:
        """Send one more attempt of ``call`` (a retry; ``run`` makes the first itself)."""
        started = time.perf_counter() if debug else 0.0
        try:
            raw = await self._transport.send(
                call.method,
                url,
                auth=call.auth,
                body=body,
                remaining=remaining,
                display_url=display_url,
                scrub=scrub,
                timeout=self.timeout,
            )
        except APIConnectionError as exc:
            self._raise_if_closed(exc)
            raise
        return self._answered(call, raw, display_url, scrub, debug, started)

    def _raise_if_closed(self, exc: APIConnectionError) -> None:
        """Raise the closed-client error if ``aclose()`` cut this attempt off (no retry)."""
        if self._transport.closed:
            closed = SeriesError(CLOSED_IN_FLIGHT)
            closed._sent = getattr(exc, "_sent", True)  # type: ignore[attr-defined]
            raise closed from exc

    def _answered(
        self,
        call: Call[Any],
        raw: RawResponse,
        display_url: str,
        scrub: Scrubber,
        debug: bool,
        started: float,
    ) -> tuple[RawResponse, Any]:
        """Log an attempt's answer; return it with its decoded JSON if 2xx, else raise.

        A 2xx whose body cannot be decoded at all raises here, inside the attempt,
        so that the retry policy can decide on it (``unreadable``); a 2xx of the
        wrong shape is only found out after the retries, in :meth:`_parse`.
        """
        status = raw.status
        if debug:
            logger.debug(
                "%s %s -> %d in %.1f ms",
                call.method,
                display_url,
                status,
                (time.perf_counter() - started) * 1000,
            )
        if 200 <= status < 300:
            return raw, decode(raw, scrub)
        if not 100 <= status <= 599:
            raise UnexpectedResponseError(
                f"the API answered with HTTP {status}, a status outside 100-599",
                status=status,
                body=excerpt_bytes(raw.body, scrub),
            )
        raise status_error(call.method, raw, display_url, scrub)

    def _parse(self, call: Call[T], answer: tuple[RawResponse, Any], scrub: Scrubber) -> T:
        raw, envelope = answer
        if _json.loads is not _json.loads_exact:
            try:
                return self._read(call, raw, envelope, scrub)
            except UnexpectedResponseError:
                # orjson reads integers beyond 64 bits as floats, which no model
                # accepts: the stdlib's reading decides what this answer really is.
                envelope = _json.loads_exact(raw.body)
        return self._read(call, raw, envelope, scrub)

    def _read(self, call: Call[T], raw: RawResponse, envelope: Any, scrub: Scrubber) -> T:
        data = envelope.get("data") if type(envelope) is dict else None
        if type(data) is not dict or envelope.get("success") is False:
            raise unexpected(
                'expected {"success": true, "data": {...}} in the response', raw, scrub
            )
        model = call.model
        try:
            if call.prepare is not None:
                data = call.prepare(data)
            hook = _HOOKS.get(model) or _hook_for(model)
            result: T = hook(data, model)
        except Exception as exc:
            detail = excerpt(scrub(str(exc)), SHORT_LIMIT)
            raise unexpected(
                f"could not read a {model.__name__} from the response ({type(exc).__name__}: "
                f"{detail})",
                raw,
                scrub,
            ) from exc
        if call.check is not None:
            problem = call.check(result)
            if problem is not None:
                raise unexpected(problem, raw, scrub)
        return result
