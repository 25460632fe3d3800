"""Failures of a request attempt, in our words: aiohttp's and asyncio's errors turned
into ``APIConnectionError`` values that name the host they tried and record whether
the request may have reached the server (``_sent``), which the retry policy needs to
decide if a non-idempotent call is safe to replay.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

import aiohttp
import multidict
import yarl
from aiohttp import http_exceptions

from ._errors import APIConnectionError, APITimeoutError
from ._scrub import Scrubber
from ._types import Timeout

__all__ = ["connection_error", "describe", "detail_of", "forget_request", "wrap_failure"]

_DETAIL_LIMIT = 200


def connection_error(
    cls: type[APIConnectionError],
    message: str,
    *,
    method: str,
    url: str,
    sent: bool,
    retryable: bool = True,
) -> APIConnectionError:
    err = cls(message, method=method, url=url)
    err._sent = sent  # type: ignore[attr-defined]
    err._retryable = retryable  # type: ignore[attr-defined]
    return err


def detail_of(scrub: Callable[[str], str]) -> Callable[[object], str]:
    """A function squashing a text to one scrubbed line of at most ``_DETAIL_LIMIT``."""

    def detail(text: object) -> str:
        # Scrubbed before it is shortened: a cut must not leave part of a secret.
        line = " ".join(scrub(str(text)).split())
        return line if len(line) <= _DETAIL_LIMIT else line[:_DETAIL_LIMIT] + "..."

    return detail


def describe(exc: BaseException, detail: Callable[[object], str]) -> str:
    """Say what went wrong, in our words (``detail`` scrubs and squashes aiohttp's text).

    aiohttp's own texts quote the URL (check-key's holds the key) and label
    body-framing failures with a status the server never sent
    (``<ContentLengthError: 400, ...>``), so they are never copied whole.
    """
    if isinstance(exc, aiohttp.ClientPayloadError):
        cause = exc.__cause__
        said = detail(getattr(cause, "message", None) or (exc.args[0] if exc.args else ""))
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
        return f"the server sent a malformed HTTP response ({detail(exc.message)})"
    if isinstance(exc, OSError) and exc.strerror:
        return f"the connection failed ({exc.strerror})"
    return f"the connection failed ({type(exc).__name__}: {detail(exc)})"


def _host_port(url: yarl.URL) -> str:
    return f"{url.host}:{url.port}" if url.port is not None else str(url.host)


def _raised_while_connecting(exc: BaseException) -> bool:
    """Whether ``exc`` came out of aiohttp's connector, before the request was written.

    aiohttp writes a request only once its connector has handed over a connection,
    and the connector lets some failures through unwrapped (a proxy that hangs up
    or answers garbage during the ``CONNECT`` of an https:// API); seen from its
    traceback, such a failure sent nothing to the API. A timeout is raised from the
    cancelled step it interrupted (its ``__cause__``), so that step is looked at too.
    """
    current: BaseException | None = exc
    for _ in range(4):
        if current is None:
            break
        tb = current.__traceback__
        while tb is not None:
            if tb.tb_frame.f_globals.get("__name__") == "aiohttp.connector":
                return True
            tb = tb.tb_next
        current = current.__cause__
    return False


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
                url, info.method, multidict.CIMultiDictProxy(headers), url
            )
        current = current.__cause__ or current.__context__


def wrap_failure(
    exc: BaseException,
    proxy: yarl.URL | None,
    method: str,
    target: yarl.URL,
    display_url: str,
    scrub: Scrubber,
    limits: Timeout,
) -> APIConnectionError:
    """Turn an aiohttp/asyncio failure into our error, naming the host it tried.

    Through a proxy, a failure to reach the proxy itself names the proxy (never
    its credentials: ``proxy`` holds none); any other failure names the
    API's host and the proxy it went through.
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

    detail = detail_of(scrub)

    def fail(
        cls: type[APIConnectionError], text: str, *, sent: bool, retryable: bool = True
    ) -> APIConnectionError:
        return connection_error(
            cls, scrub(text), method=method, url=display_url, sent=sent, retryable=retryable
        )

    if isinstance(exc, aiohttp.ClientSSLError):
        said = detail(getattr(exc, "os_error", None) or exc.strerror or exc)
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
        said = exc.os_error.strerror or detail(exc.os_error)
        if isinstance(exc.os_error, socket.gaierror):  # DNS (any aiohttp version)
            said = f"name resolution failed ({said})"
        return fail(APIConnectionError, f"could not connect to {where}: {said}", sent=False)
    connecting = _raised_while_connecting(exc)
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):  # distinct types on 3.10
        if connecting:  # e.g. a proxy that never answers the CONNECT
            return fail(APITimeoutError, f"timed out connecting to {where}", sent=False)
        return fail(APITimeoutError, f"timed out waiting for an answer from {where}", sent=True)
    if isinstance(exc, ValueError) and not isinstance(exc, aiohttp.ClientError):
        # aiohttp refused to build the request (e.g. a URL it cannot encode).
        return fail(
            APIConnectionError,
            f"could not send the request to {where}: {detail(exc)}",
            sent=False,
            retryable=False,
        )
    text = describe(exc, detail)
    if connecting:
        if proxy is not None:  # failing mid-CONNECT (TLS errors were handled above)
            where = f"the proxy {_host_port(proxy)}"
        return fail(APIConnectionError, f"could not connect to {where}: {text}", sent=False)
    return fail(APIConnectionError, f"connection to {where} failed: {text}", sent=True)
