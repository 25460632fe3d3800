"""The request pipeline: build the request, run its attempts under the retry policy,
raise for status, and structure the envelope's ``data`` into a model.

Resources describe a call as a :class:`Call` value, and the client gives the
:class:`~series_async._options.RequestOptions` it runs under; nothing here knows
about individual endpoints.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar
from urllib.parse import quote, unquote, urlencode

import attrs

from . import _json, _observe
from ._answers import decode, status_error, unexpected
from ._body import excerpt_bytes
from ._converter import converter
from ._errors import APIConnectionError, SeriesError, UnexpectedResponseError, ValidationError
from ._options import RequestOptions
from ._retry import may_have_acted, retrying, start_deadline, time_left
from ._scrub import LINE_LIMIT, Scrubber, excerpt
from ._transport import CLOSED_IN_FLIGHT, RawResponse, Request, Transport
from ._validation import check_encodable

__all__ = ["Call", "Pipeline", "encode_segment"]

T = TypeVar("T")

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


@attrs.frozen(kw_only=True)
class Call(Generic[T]):
    """One API call, described as a value.

    Attributes:
        name: The public method as ``group.method`` (``sessions.get``), naming its span.
        method: HTTP method.
        template: Documented path template, used in logs and error URLs.
        model: The model the envelope's ``data`` is structured into.
        idempotent: Whether a replay is harmless (decides 5xx/timeout retries).
        path_params: The template's parameters, each already encoded with
            :func:`encode_segment` (the real path is the template filled in).
        query: Query parameters, only those given.
        body: JSON body, only the fields given.
        auth: Send the ``apikey`` header.
        secret_path: The path holds the API key; show ``template`` in errors instead.
        prepare: Optional fix-up of ``data`` before structuring.
        check: Optional check of the parsed model; a returned text is the reason
            the answer is refused (``UnexpectedResponseError``).
    """

    name: str
    method: str
    template: str
    model: type[T]
    idempotent: bool
    path_params: Mapping[str, str] = attrs.field(factory=dict)
    query: Mapping[str, str] | None = None
    body: Mapping[str, Any] | None = None
    auth: bool = True
    secret_path: bool = False
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    check: Callable[[T], str | None] | None = None

    @property
    def path(self) -> str:
        """The real path: the template with its parameters filled in."""
        return self.template.format_map(self.path_params) if self.path_params else self.template

    @property
    def read_only(self) -> bool:
        """The call changes nothing on the server (its errors never ``may_have_acted``)."""
        return self.method == "GET"


class Pipeline:
    """Runs :class:`Call` values against the API.

    One pipeline serves a client and every client derived from it (``with_options``),
    so what it scrubs covers the whole family: each of their keys, in every call.

    Args:
        base_url: The API root, without a trailing slash.
        transport: Sends each attempt.
        secrets: Strings no error may show (the key, proxy credentials).
    """

    def __init__(self, *, base_url: str, transport: Transport, secrets: tuple[str, ...]) -> None:
        self.base_url = base_url
        self._transport = transport
        self._secrets: set[str] = set()
        self._scrub = Scrubber(())
        for secret in secrets:
            self.add_secret(secret)

    def add_secret(self, secret: str) -> None:
        """Scrub ``secret`` too from now on (a key given to ``with_options``), in every spelling.

        Raw and percent-encoded: aiohttp's messages quote the URL, where a key is encoded.
        """
        spellings = {secret, quote(secret, safe="")} - {""}
        if not spellings <= self._secrets:
            self._secrets |= spellings
            self._scrub = Scrubber(self._secrets)

    def _scrub_for(self, call: Call[Any]) -> Scrubber:
        """The scrubber of ``call``: the family's secrets, and a key in its path."""
        if not call.secret_path:
            return self._scrub
        segment = call.path.rsplit("/", 1)[-1]
        return Scrubber({*self._secrets, segment, unquote(segment)})

    def _request(self, call: Call[Any], options: RequestOptions) -> Request:
        url = self.base_url + call.path
        if call.query:
            url += "?" + urlencode(call.query)
        return Request(
            method=call.method,
            url=url,
            display_url=self.base_url + call.template if call.secret_path else url,
            body=None if call.body is None else _json.dumps(call.body),
            api_key=options.api_key if call.auth else None,
            scrub=self._scrub_for(call),
        )

    async def run(self, call: Call[T], options: RequestOptions) -> T:
        """Send ``call`` under ``options`` (its retry policy, timeout and key); return its model.

        Every error of a call leaves the SDK's hands here, so here it is scrubbed,
        once, with all that is chained to it, whatever produced its texts (aiohttp,
        a decoded body, the converter, a proxy): see ``Scrubber.error``.

        Raises:
            SeriesError: The last attempt's failure, with ``may_have_acted`` set for
                a call that changes state once any attempt of it may have acted.
        """
        watch = _observe.watch(call.name, call.method, call.template, self.base_url)
        with watch:  # the call's span (design §12), current while its attempts run
            return await self._run(call, options, watch)

    async def _run(self, call: Call[T], options: RequestOptions, watch: _observe.Watch) -> T:
        request = self._request(call, options)
        policy = options.retry
        deadline = start_deadline(policy)
        # Sticky over the whole call: once an attempt may have acted, whatever ends
        # the call (a 4xx echo of that success, a later timeout, a closed client)
        # leaves the caller unsure, and must say so.
        acted = False
        attempts = retrying(
            policy,
            idempotent=call.idempotent,
            method=call.method,
            template=call.template,
            deadline=deadline,
            on_retry=watch.retry,
        )
        try:
            async for attempt in attempts:
                with attempt:
                    try:
                        return await self._attempt(
                            call, request, options, time_left(deadline), watch
                        )
                    except SeriesError as exc:
                        watch.failed(exc)
                        acted = acted or may_have_acted(exc)
                        if isinstance(exc, APIConnectionError) and self._transport.closed:
                            # aclose() cut this attempt off: say so, and retry nothing.
                            raise SeriesError(CLOSED_IN_FLIGHT) from exc
                        raise
        except SeriesError as exc:
            if acted and not call.read_only:
                exc.may_have_acted = True
            request.scrub.error(exc)
            raise
        raise AssertionError("unreachable: the attempts end in a result or an error")

    async def _attempt(
        self,
        call: Call[T],
        request: Request,
        options: RequestOptions,
        remaining: float | None,
        watch: _observe.Watch,
    ) -> T:
        """One attempt: send, raise the status's error unless 2xx, parse the body.

        A 2xx whose body cannot be decoded at all raises ``unreadable`` (retried
        for idempotent calls); a 2xx of the wrong shape is not (asking again would
        give the same answer).
        """
        watch.attempt()
        raw = await self._transport.send(
            request, timeout=options.timeout, remaining=remaining, extra_headers=watch.headers()
        )
        watch.answered(raw.status)
        status, scrub = raw.status, request.scrub
        if not 100 <= status <= 599:
            raise UnexpectedResponseError(
                f"the API answered with HTTP {status}, a status outside 100-599",
                status=status,
                body=excerpt_bytes(raw.body, scrub),
            )
        if not 200 <= status < 300:
            raise status_error(call.method, raw, request.display_url, scrub)
        # Either JSON backend reads a body the same way (_json sends what orjson would
        # read differently, such as integers beyond 64 bits, to the stdlib): one reading.
        return self._read(call, raw, decode(raw, scrub), scrub)

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
            result: T = converter.structure(data, model)
        except Exception as exc:
            detail = excerpt(scrub(str(exc)), LINE_LIMIT)
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
