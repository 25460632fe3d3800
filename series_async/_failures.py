"""Failures of a request attempt, in our words: aiohttp's and asyncio's errors turned
into ``APIConnectionError`` values that name the host they tried and declare what the
retry policy needs (``sent``: whether the request may have reached the API;
``retryable``: whether another attempt could go differently).
"""

from __future__ import annotations

import asyncio
import re
import socket

import aiohttp
import multidict
import yarl
from aiohttp import http_exceptions

from ._errors import APIConnectionError, APITimeoutError
from ._scrub import LINE_LIMIT, Scrubber, excerpt
from ._types import Timeout

__all__ = ["WRAPPED", "connection_error", "forget_request", "proxy_refused", "what_failed"]

# What a request can raise besides our own errors; asyncio.TimeoutError is a
# distinct class on 3.10. ValueError: aiohttp refusing to build the request.
WRAPPED = (aiohttp.ClientError, OSError, TimeoutError, asyncio.TimeoutError, ValueError)
_WHITESPACE = re.compile(r"\s+")


def _line(text: object, scrub: Scrubber) -> str:
    """One line of someone else's text, scrubbed before it is cut (no half secret)."""
    return excerpt(_WHITESPACE.sub(" ", scrub(str(text))).strip(), LINE_LIMIT)


def proxy_refused(
    exc: aiohttp.ClientHttpProxyError, *, method: str, url: str, scrub: Scrubber
) -> APIConnectionError:
    """The error for a proxy refusing the ``CONNECT`` tunnel: nothing reached the API.

    The request info aiohttp keeps holds our ``Proxy-Authorization`` header:
    every header is dropped before the error is chained.
    """
    info = exc.request_info
    exc.request_info = aiohttp.RequestInfo(
        url=info.url,
        method=info.method,
        headers=multidict.CIMultiDictProxy(multidict.CIMultiDict()),
        real_url=info.real_url,
    )
    return APIConnectionError(
        scrub(f"the proxy refused to connect to the API: HTTP {exc.status} {exc.message}"),
        method=method,
        url=url,
        sent=False,
        retryable=exc.status >= 500,
    )


def what_failed(exc: BaseException, scrub: Scrubber) -> str:
    """Say what went wrong, in our words.

    aiohttp's own texts quote the URL (check-key's holds the key) and label
    body-framing failures with a status the server never sent
    (``<ContentLengthError: 400, ...>``), so they are never copied whole.
    """
    if isinstance(exc, aiohttp.ClientPayloadError):
        cause = exc.__cause__
        said = _line(getattr(cause, "message", None) or (exc.args[0] if exc.args else ""), scrub)
        if isinstance(cause, http_exceptions.ContentLengthError):
            return f"the response body was cut short ({said})"
        if isinstance(cause, http_exceptions.TransferEncodingError):
            return f"the response's chunked encoding is broken ({said})"
        if isinstance(cause, http_exceptions.ContentEncodingError):
            return f"the response body could not be decompressed ({said})"
        return "the response body could not be read completely"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "the server closed the connection without answering"
    if isinstance(exc, aiohttp.ClientResponseError):
        # Raised by the response parser: a bad status line, header or chunk size.
        return f"the server sent a malformed HTTP response ({_line(exc.message, scrub)})"
    if isinstance(exc, OSError) and exc.strerror:
        return f"the connection failed ({exc.strerror})"
    return f"the connection failed ({type(exc).__name__}: {_line(exc, scrub)})"


def _host_port(url: yarl.URL) -> str:
    return f"{url.host}:{url.port}" if url.port is not None else str(url.host)


def connection_error(
    exc: BaseException,
    *,
    sent: bool | None,
    method: str,
    target: yarl.URL,
    display_url: str,
    proxy: yarl.URL | None,
    limits: Timeout,
    scrub: Scrubber,
) -> APIConnectionError:
    """Turn an aiohttp/asyncio failure into our error, naming the host it tried.

    Args:
        exc: What the attempt raised (one of :data:`WRAPPED`).
        sent: Whether the request's headers were being written when it failed,
            from aiohttp's trace signals on a session we own; ``None`` on a
            borrowed session. Either way a failure to connect (``ClientConnectorError``
            and its kin, a connect timeout) or to build the request sent nothing;
            on a borrowed session anything else may have been sent.
        method: HTTP method.
        target: The URL tried (for its host; never shown whole).
        display_url: The URL to show (the key redacted).
        proxy: The proxy (without credentials), or ``None``.
        limits: The attempt's limits (named in a connect timeout's message).
        scrub: Removes every secret from a text.

    Through a proxy, a failure to reach the proxy itself names the proxy (never
    its credentials); any other failure names the API's host and the proxy.
    """
    where = _host_port(target)
    if proxy is not None:
        # aiohttp raises ClientProxyConnectionError when the proxy cannot be reached,
        # and keys a TLS failure by the host it was talking to: the proxy, or the
        # API through the tunnel.
        at_proxy = isinstance(exc, aiohttp.ClientProxyConnectionError) or (
            isinstance(exc, aiohttp.ClientConnectorError)
            and (exc.host, exc.port) == (proxy.host, proxy.port)
        )
        where = (
            f"the proxy {_host_port(proxy)}"
            if at_proxy
            else f"{where} through the proxy {_host_port(proxy)}"
        )

    def fail(
        cls: type[APIConnectionError], text: str, *, sent: bool, retryable: bool = True
    ) -> APIConnectionError:
        return cls(scrub(text), method=method, url=display_url, sent=sent, retryable=retryable)

    # Failing to connect, or to build the request, sent nothing, whoever owns the session.
    if isinstance(exc, aiohttp.ClientSSLError):
        said = _line(getattr(exc, "os_error", None) or exc.strerror or exc, scrub)
        return fail(
            APIConnectionError,
            f"TLS error talking to {where}: {said}",
            sent=False,
            retryable=False,
        )
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return fail(
            APITimeoutError,
            f"timed out connecting to {where} (connect timeout {limits.connect}s)",
            sent=False,
        )
    if isinstance(exc, aiohttp.ClientConnectorError):
        said = exc.os_error.strerror or _line(exc.os_error, scrub)
        if isinstance(exc.os_error, socket.gaierror):  # DNS (any aiohttp version)
            said = f"name resolution failed ({said})"
        return fail(APIConnectionError, f"could not connect to {where}: {said}", sent=False)
    if isinstance(exc, ValueError) and not isinstance(exc, aiohttp.ClientError):
        # aiohttp refused to build the request (e.g. a URL it cannot encode).
        return fail(
            APIConnectionError,
            f"could not send the request to {where}: {_line(exc, scrub)}",
            sent=False,
            retryable=False,
        )
    # Anything else: the trace says whether the request was being written; on a
    # borrowed session (no trace of ours) it may have been.
    written = True if sent is None else sent
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):  # distinct types on 3.10
        if not written:  # e.g. a proxy that never answers the CONNECT
            return fail(APITimeoutError, f"timed out connecting to {where}", sent=False)
        return fail(APITimeoutError, f"timed out waiting for an answer from {where}", sent=True)
    text = what_failed(exc, scrub)
    if not written:
        if proxy is not None:  # failing mid-CONNECT (TLS errors were handled above)
            where = f"the proxy {_host_port(proxy)}"
        return fail(APIConnectionError, f"could not connect to {where}: {text}", sent=False)
    return fail(APIConnectionError, f"connection to {where} failed: {text}", sent=True)


def forget_request(exc: BaseException, scrub: Scrubber, display_url: str) -> None:
    """Drop what aiohttp's errors in ``exc``'s chain keep of our request.

    Their repr shows the request: its URL (check-key's holds the key) and its
    headers (``apikey``, ``Proxy-Authorization``). The rest of the chain is
    scrubbed where every error leaves a public call (``Scrubber.error``).
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 16:
        seen.add(id(current))
        if isinstance(current, aiohttp.ClientResponseError):
            info = current.request_info
            url = yarl.URL(display_url)
            headers = multidict.CIMultiDict(
                (name, scrub(value))
                for name, value in info.headers.items()
                if name.lower() != "proxy-authorization"
            )
            current.request_info = aiohttp.RequestInfo(
                url=url,
                method=info.method,
                headers=multidict.CIMultiDictProxy(headers),
                real_url=url,
            )
        current = current.__cause__ or current.__context__
