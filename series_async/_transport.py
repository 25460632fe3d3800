"""HTTP transport: the module that sends requests through aiohttp.

It owns (or borrows) the ``aiohttp.ClientSession``, sends one attempt of a
request and reads its answer (``_body`` decodes it); every aiohttp/asyncio
failure becomes an ``APIConnectionError`` (``_failures``) that records whether
the request may have reached the server (``_sent``): the retry policy needs that
to decide if a non-idempotent call is safe to replay.
"""

from __future__ import annotations

import asyncio
import ssl as ssl_module
from collections.abc import Mapping

import aiohttp
import attrs
import yarl

from ._body import (
    EXCERPT_LIMIT,
    MAX_BODY,
    Undecodable,
    decompress,
    excerpt,
    excerpt_bytes,
    too_big,
)
from ._errors import APIConnectionError, APITimeoutError, SeriesError
from ._failures import connection_error, describe, detail_of, forget_request, wrap_failure
from ._proxy import ProxyConfig
from ._scrub import Scrubber
from ._types import Timeout

__all__ = [
    "AIOHTTP_VERSION",
    "CLOSED_IN_FLIGHT",
    "EXCERPT_LIMIT",
    "MAX_BODY",
    "RawResponse",
    "Transport",
    "excerpt",
    "excerpt_bytes",
]

AIOHTTP_VERSION = aiohttp.__version__
_POOL_LIMIT = 100
_NO_BODY_SKIP = ("Content-Type",)
_CHUNK = 64 * 1024
_URL_MEMO = 256
# What a request can raise besides our own errors; asyncio.TimeoutError is a
# distinct class on 3.10. ValueError: aiohttp refusing to build the request.
_WRAPPED = (aiohttp.ClientError, OSError, TimeoutError, asyncio.TimeoutError, ValueError)


CLOSED_IN_FLIGHT = "the client was closed while this call was in flight"


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
    total = timeout.total
    if remaining is not None:
        total = remaining if total is None else min(total, remaining)
    return aiohttp.ClientTimeout(total=total, connect=timeout.connect, sock_read=timeout.read)


class Transport:
    """Sends requests over one ``aiohttp.ClientSession``.

    Args:
        timeout: Per-attempt limits.
        ssl: An ``SSLContext``, ``False`` to skip verification, or ``None`` for defaults.
        session: A caller-owned session to use and never close, or ``None`` to
            create one lazily (inside the running loop) and close it in ``aclose``.
        proxy: The proxy every request goes through, or ``None``.
    """

    def __init__(
        self,
        *,
        timeout: Timeout,
        ssl: ssl_module.SSLContext | bool | None,
        session: aiohttp.ClientSession | None,
        api_key: str,
        user_agent: str,
        proxy: ProxyConfig | None = None,
    ) -> None:
        self._api_key = api_key
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
        self._timeout = timeout
        self._default_timeout = _client_timeout(timeout, None)
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
        """Rebuild the header sets for a new User-Agent."""
        # Only the encodings _body.decompress reads: aiohttp would also offer br and
        # zstd whenever their packages happen to be installed.
        self._static = {
            "User-Agent": user_agent,
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",
        }
        # An owned session carries the static headers as its defaults, so each
        # request only adds what varies; a borrowed one gets them every time.
        base = {} if self._owns_session else dict(self._static)
        authed = {**base, "apikey": self._api_key}
        json_type = {"Content-Type": "application/json"}
        self._headers = {
            (False, False): base,
            (False, True): {**base, **json_type},
            (True, False): authed,
            (True, True): {**authed, **json_type},
        }
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
            connector = aiohttp.TCPConnector(limit=_POOL_LIMIT, ssl=self._ssl)
            session = aiohttp.ClientSession(
                connector=connector, timeout=self._default_timeout, headers=self._static
            )
            self._session = session
        elif session.closed:
            raise SeriesError(
                "the aiohttp.ClientSession passed as session= is closed; "
                "keep it open for as long as the SeriesClient is used"
            )
        return session

    async def send(
        self,
        method: str,
        url: str,
        *,
        auth: bool,
        body: bytes | None,
        remaining: float | None,
        display_url: str,
        scrub: Scrubber,
        timeout: Timeout | None = None,
    ) -> RawResponse:
        """Send one attempt and read the response (at most ``MAX_BODY`` bytes of it).

        Args:
            method: HTTP method.
            url: Absolute URL, already percent-encoded.
            auth: Send the ``apikey`` header.
            body: JSON body bytes, or ``None``.
            remaining: Seconds left of the caller's overall budget, or ``None``.
            display_url: The URL to show in errors (the API key redacted).
            scrub: Removes every secret (the key, in any spelling) from a text.
            timeout: Limits for this attempt (``with_options``); default: the transport's.

        Raises:
            APIConnectionError: The connection failed or dropped, or the response
                could not be parsed as HTTP; the message names the host.
            APITimeoutError: A limit ran out.
            UnexpectedResponseError: The body is larger than ``MAX_BODY``.

        A body that arrives but cannot be read (corrupt compression, an encoding
        the SDK cannot decode, cut short) is not an error here: the answer's
        status still decides, so it comes back with ``undecodable`` set.
        """
        if remaining is not None and remaining <= 0:
            raise connection_error(
                APITimeoutError, "total_timeout ran out", method=method, url=display_url, sent=False
            )
        session = self._get_session()
        limits = self._timeout if timeout is None else timeout
        if remaining is None:
            client_timeout = (
                self._default_timeout if timeout is None else _client_timeout(limits, None)
            )
        else:
            client_timeout = _client_timeout(limits, remaining)
        headers = self._headers[auth, body is not None]
        if self._proxy_headers is not None and url.startswith("http:"):
            headers = {**headers, **self._proxy_headers}
        target = self._urls.get(url)
        if target is None:
            if len(self._urls) >= _URL_MEMO:
                self._urls.clear()
            target = self._urls[url] = yarl.URL(url, encoded=True)
        try:
            async with session.request(
                method,
                target,
                headers=headers,
                data=body,
                allow_redirects=False,
                # aiohttp would label an empty POST "application/octet-stream"; asking
                # it not to costs a header rebuild, so only body-less POST/PATCH do.
                skip_auto_headers=_NO_BODY_SKIP if body is None and method != "GET" else None,
                timeout=client_timeout,
                ssl=self._request_ssl,
                proxy=self._proxy,
                proxy_headers=self._proxy_headers,
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
                    said = describe(exc, detail_of(scrub))
                    return RawResponse(status, reason, resp.headers, b"", said)
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
            # The proxy refused the CONNECT tunnel: nothing reached the API.
            forget_request(exc, scrub, display_url)
            raise connection_error(
                APIConnectionError,
                scrub(f"the proxy refused to connect to the API: HTTP {exc.status} {exc.message}"),
                method=method,
                url=display_url,
                sent=False,
                retryable=exc.status >= 500,
            ) from exc
        except Exception as exc:
            if not isinstance(exc, _WRAPPED):
                raise
            error = wrap_failure(exc, self._proxy, method, target, display_url, scrub, limits)
            # aiohttp's exception is chained for debugging; it and its own chain are
            # scrubbed where the error leaves the call (Scrubber.error).
            forget_request(exc, scrub, display_url)
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
        if loop_closed:
            _close_orphaned_sockets(session.connector)
        await session.close()


def _close_orphaned_sockets(connector: aiohttp.BaseConnector | None) -> None:
    """Close the sockets of pooled connections whose event loop is closed.

    A transport closes its socket through its loop (``call_soon``); with that
    loop closed, ``close()`` cannot finish and the socket would leak ("unclosed
    transport" at garbage collection). So the socket is closed here and the
    transport told it has none. This reaches into asyncio's selector transports;
    on any other kind it does nothing.
    """
    if connector is None:
        return
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
