"""HTTP transport: the one module that holds an ``aiohttp.ClientSession``.

It owns (or borrows) the session, sends one attempt of a :class:`Request` and
reads the answer into a :class:`RawResponse` (``_body`` decompresses it). What a
failure means is decided in ``_failures``; this module tells it the one fact
only the session can see: whether the request was being written when the attempt
failed, from aiohttp's public trace signals on a session we created (a borrowed
session carries no trace of ours: ``None``, and ``_failures`` answers
conservatively).
"""

from __future__ import annotations

import ssl as ssl_module
from collections.abc import Mapping
from types import SimpleNamespace

import aiohttp
import attrs
import yarl

from ._body import MAX_BODY, Undecodable, decompress, too_big
from ._errors import APITimeoutError, SeriesError
from ._failures import WRAPPED, connection_error, forget_request, proxy_refused, what_failed
from ._proxy import ProxyConfig
from ._scrub import Scrubber
from ._types import Timeout

__all__ = [
    "AIOHTTP_VERSION",
    "CLOSED_IN_FLIGHT",
    "MAX_BODY",
    "RawResponse",
    "Request",
    "Transport",
    "close_sockets_of_closed_loop",
]

AIOHTTP_VERSION = aiohttp.__version__
_POOL_LIMIT = 100
_NO_BODY_SKIP = ("Content-Type",)
_CHUNK = 64 * 1024
_URL_MEMO = 256

CLOSED_IN_FLIGHT = "the client was closed while this call was in flight"


@attrs.frozen
class Request:
    """One attempt's request, as the pipeline built it.

    Attributes:
        method: HTTP method.
        url: Absolute URL, already percent-encoded.
        display_url: The URL to show in errors and logs (a key in the path redacted).
        body: JSON body bytes, or ``None``.
        api_key: Sent as the ``apikey`` header; ``None`` for no header.
        scrub: Removes every secret (the key, in any spelling) from a text.
    """

    method: str
    url: str
    display_url: str
    body: bytes | None
    api_key: str | None
    scrub: Scrubber


@attrs.define(slots=True)
class RawResponse:
    """What one attempt got back, fully read and decompressed (at most ``MAX_BODY`` bytes).

    Attributes:
        undecodable: Why the body could not be read (it failed to decompress, uses
            an encoding the SDK cannot decode, or was cut short), or ``None``. The
            status and headers are real; ``body`` is then empty.
    """

    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes
    undecodable: str | None = None


def _client_timeout(timeout: Timeout, remaining: float | None) -> aiohttp.ClientTimeout:
    """aiohttp's limits for one attempt: ``timeout``, its total capped by ``remaining``."""
    total = timeout.total
    if remaining is not None:
        total = remaining if total is None else min(total, remaining)
    return aiohttp.ClientTimeout(total=total, connect=timeout.connect, sock_read=timeout.read)


async def _on_headers_sent(
    session: aiohttp.ClientSession,
    context: SimpleNamespace,
    params: aiohttp.TraceRequestHeadersSentParams,
) -> None:
    """aiohttp is about to write the request: from now on it may reach the server."""
    progress = context.trace_request_ctx
    if isinstance(progress, _Progress):
        progress.written = True


class _Progress:
    """How far one attempt on a session we own got (set by :func:`_on_headers_sent`)."""

    __slots__ = ("written",)

    def __init__(self) -> None:
        self.written = False


def _trace_config() -> aiohttp.TraceConfig:
    config = aiohttp.TraceConfig()
    config.on_request_headers_sent.append(_on_headers_sent)
    return config


class Transport:
    """Sends requests over one ``aiohttp.ClientSession``.

    Args:
        ssl: An ``SSLContext``, ``False`` to skip verification, or ``None`` for defaults.
        session: A caller-owned session to use and never close, or ``None`` to
            create one lazily (inside the running loop) and close it in ``aclose``.
        user_agent: The ``User-Agent`` header.
        proxy: The proxy every request goes through, or ``None``.
    """

    def __init__(
        self,
        *,
        ssl: ssl_module.SSLContext | bool | None,
        session: aiohttp.ClientSession | None,
        user_agent: str,
        proxy: ProxyConfig | None = None,
    ) -> None:
        # Given per request (never via aiohttp's trust_env, which would also add
        # .netrc credentials to API requests); the credentials travel as a header
        # so that no aiohttp message can quote them. aiohttp sends proxy_headers
        # only on the CONNECT of an https:// target; a plain http:// request is
        # forwarded whole, so its header goes on the request itself.
        self._proxy = None if proxy is None else yarl.URL(proxy.url)
        self._proxy_headers = (
            None
            if proxy is None or proxy.authorization is None
            else {"Proxy-Authorization": proxy.authorization}
        )
        self._ssl: ssl_module.SSLContext | bool = True if ssl is None else ssl
        self._session = session
        self._owns_session = session is None
        self._closed = False
        # yarl caches URLs built from plain strings, not encoded ones: the same
        # paths come back call after call (create, list, a session polled).
        self._urls: dict[str, yarl.URL] = {}
        # An owned session's connector already carries the SSL setting; a
        # borrowed one gets it on every request instead.
        self._request_ssl: ssl_module.SSLContext | bool = True if session is None else self._ssl
        self.set_user_agent(user_agent)

    def set_user_agent(self, user_agent: str) -> None:
        """Use another User-Agent from now on."""
        # Only the encodings _body.decompress reads: aiohttp would also offer br and
        # zstd whenever their packages happen to be installed.
        self._static = {
            "User-Agent": user_agent,
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",
        }
        # An owned session carries the static headers as its defaults, so each
        # request only adds what varies; a borrowed one gets them every time.
        self._base_headers = {} if self._owns_session else dict(self._static)
        if self._owns_session and self._session is not None:
            self._session.headers.update(self._static)

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` was called."""
        return self._closed

    def _get_session(self) -> aiohttp.ClientSession:
        session = self._session
        if session is not None and self._owns_session and not self._closed:
            return session  # ours: only aclose() closes it, and that also sets _closed
        if self._closed:
            # A call still in flight (e.g. sleeping before a retry) when the client
            # was closed must not quietly open a new session.
            raise SeriesError(CLOSED_IN_FLIGHT)
        if session is None:
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=_POOL_LIMIT, ssl=self._ssl),
                headers=self._static,
                trace_configs=[_trace_config()],
            )
            self._session = session
        elif session.closed:
            raise SeriesError(
                "the aiohttp.ClientSession passed as session= is closed; "
                "keep it open for as long as the SeriesClient is used"
            )
        return session

    def _target(self, url: str) -> yarl.URL:
        target = self._urls.get(url)
        if target is None:
            if len(self._urls) >= _URL_MEMO:
                self._urls.clear()
            target = self._urls[url] = yarl.URL(url, encoded=True)
        return target

    async def send(
        self,
        request: Request,
        *,
        timeout: Timeout,
        remaining: float | None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> RawResponse:
        """Send one attempt and read the response (at most ``MAX_BODY`` bytes of it).

        Args:
            request: What to send.
            timeout: The limits of this attempt.
            remaining: Seconds left of the caller's overall budget, or ``None``.
            extra_headers: More headers for this attempt (trace context), or ``None``.

        Raises:
            APIConnectionError: The connection failed or dropped, or the response
                could not be parsed as HTTP; the message names the host.
            APITimeoutError: A limit ran out.
            UnexpectedResponseError: The body is larger than ``MAX_BODY``.
        """
        method, scrub = request.method, request.scrub
        if remaining is not None and remaining <= 0:
            raise APITimeoutError(
                "total_timeout ran out", method=method, url=request.display_url, sent=False
            )
        session = self._get_session()
        headers = dict(self._base_headers)
        if extra_headers:
            headers.update(extra_headers)
        if request.api_key is not None:
            headers["apikey"] = request.api_key
        if request.body is not None:
            headers["Content-Type"] = "application/json"
        if self._proxy_headers is not None and request.url.startswith("http:"):
            headers.update(self._proxy_headers)
        target = self._target(request.url)
        progress = _Progress() if self._owns_session else None
        try:
            async with session.request(
                method,
                target,
                headers=headers,
                data=request.body,
                allow_redirects=False,
                # aiohttp would label an empty POST "application/octet-stream"; asking
                # it not to costs a header rebuild, so only body-less POST/PATCH do.
                skip_auto_headers=(
                    _NO_BODY_SKIP if request.body is None and method != "GET" else None
                ),
                timeout=_client_timeout(timeout, remaining),
                ssl=self._request_ssl,
                proxy=self._proxy,
                proxy_headers=self._proxy_headers,
                trace_request_ctx=progress,
                # Decompressed here, not by aiohttp: its failures (a corrupt gzip, a
                # br or zstd body it has no decoder for) hide the answer's status.
                auto_decompress=False,
            ) as resp:
                status = resp.status
                reason = scrub(resp.reason or "")
                declared = resp.content_length
                try:
                    if declared is not None and declared <= MAX_BODY:
                        payload = await resp.read()  # exactly the declared length
                    else:
                        payload = await self._read_capped(resp, scrub)
                except aiohttp.ClientPayloadError as exc:
                    return RawResponse(status, reason, resp.headers, b"", what_failed(exc, scrub))
                encoding = resp.headers.get("Content-Encoding")
                if encoding:
                    try:
                        payload = decompress(payload, encoding, status, scrub)
                    except Undecodable as exc:
                        return RawResponse(status, reason, resp.headers, b"", str(exc))
                return RawResponse(status, reason, resp.headers, payload)
        except SeriesError:
            raise
        except aiohttp.ClientHttpProxyError as exc:
            raise proxy_refused(exc, method=method, url=request.display_url, scrub=scrub) from exc
        except WRAPPED as exc:
            error = connection_error(
                exc,
                sent=None if progress is None else progress.written,
                method=method,
                target=target,
                display_url=request.display_url,
                proxy=self._proxy,
                limits=timeout,
                scrub=scrub,
            )
            # aiohttp's exception is chained for debugging; it and its own chain are
            # scrubbed where the error leaves the call (Scrubber.error).
            forget_request(exc, scrub, request.display_url)
            raise error from exc

    async def _read_capped(self, resp: aiohttp.ClientResponse, scrub: Scrubber) -> bytes:
        """Read the body chunk by chunk, refusing it once it passes ``MAX_BODY``.

        Counted as sent; a compressed body is capped again as it is decompressed
        (``_body.decompress``), so a small gzip bomb is stopped as early as a huge plain
        body, and memory stays bounded whatever the server sends.
        """
        declared = resp.content_length
        chunks: list[bytes] = []
        size = 0
        if declared is None or declared <= MAX_BODY:
            while size <= MAX_BODY:
                chunk = await resp.content.read(_CHUNK)
                if not chunk:
                    return b"".join(chunks)
                chunks.append(chunk)
                size += len(chunk)
        # Too big: stop reading and drop the connection (it cannot be reused).
        resp.close()
        raise too_big(resp.status, b"".join(chunks), declared, scrub)

    async def aclose(self, *, loop_closed: bool = False) -> None:
        """Close the session if this transport created it.

        Args:
            loop_closed: The loop the session ran on is closed (``aclose()`` is
                running on a new one): its sockets cannot be closed through that
                loop any more, so they are closed directly.
        """
        self._closed = True
        session, self._session = self._session, None
        if not self._owns_session or session is None or session.closed:
            return
        if loop_closed and session.connector is not None:
            close_sockets_of_closed_loop(session.connector)
        await session.close()


def close_sockets_of_closed_loop(connector: aiohttp.BaseConnector) -> None:
    """Close the sockets of a connector's connections whose event loop is closed.

    aiohttp and asyncio have no public way to do this: a transport closes its
    socket through its loop (``call_soon``); with that loop closed, ``close()``
    cannot finish and the socket would leak ("unclosed transport" at garbage
    collection). So this, and only this, reaches into private attributes:
    aiohttp's pool (``_conns``, ``_acquired``) and asyncio's selector transports
    (``_sock``, ``_ssl_protocol``, ``_closed``). ``tests/core/test_transport.py``
    fails loudly if an upgrade moves any of them.
    """
    handlers: list[object] = list(getattr(connector, "_acquired", ()))
    for pooled in getattr(connector, "_conns", {}).values():
        handlers.extend(handler for handler, _ in pooled)
    for handler in handlers:
        transport = getattr(handler, "transport", None)
        if transport is None:
            continue
        inner = getattr(getattr(transport, "_ssl_protocol", None), "_transport", None)
        for layer in (transport, inner):
            sock = getattr(layer, "_sock", None)
            if sock is not None:
                sock.close()
                layer._sock = None  # type: ignore[union-attr]
            if layer is not None and hasattr(layer, "_closed"):
                layer._closed = True  # the SSL wrapper's "unclosed" check
