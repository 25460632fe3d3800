"""HTTP transport: the only module that talks to aiohttp.

It owns (or borrows) the ``aiohttp.ClientSession``, sends one attempt of a
request and turns every aiohttp/asyncio failure into an ``APIConnectionError``
that records whether the request may have reached the server (``_sent``):
the retry policy needs that to decide if a non-idempotent call is safe to replay.
"""

from __future__ import annotations

import asyncio
import ssl as ssl_module
from collections.abc import Mapping

import aiohttp
import attrs
import yarl
from multidict import CIMultiDict, CIMultiDictProxy

from ._errors import APIConnectionError, APITimeoutError, SeriesError
from ._proxy import ProxyConfig
from ._types import Timeout

__all__ = ["AIOHTTP_VERSION", "CLOSED_IN_FLIGHT", "RawResponse", "Transport"]

AIOHTTP_VERSION = aiohttp.__version__
_POOL_LIMIT = 100
_NO_BODY_SKIP = ("Content-Type",)
CLOSED_IN_FLIGHT = "the client was closed while this call was in flight"


@attrs.define(slots=True)
class RawResponse:
    """What one attempt got back, fully read."""

    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes


def _connection_error(
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
        # An owned session's connector already carries the SSL setting; a
        # borrowed one gets it on every request instead.
        self._request_ssl: ssl_module.SSLContext | bool = True if session is None else self._ssl
        self.set_user_agent(user_agent)

    def set_user_agent(self, user_agent: str) -> None:
        """Rebuild the header sets for a new User-Agent."""
        self._static = {"User-Agent": user_agent, "Accept": "application/json"}
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
        if self._closed:
            # A call still in flight (e.g. sleeping before a retry) when the client
            # was closed must not quietly open a new session.
            raise SeriesError(CLOSED_IN_FLIGHT)
        session = self._session
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
        timeout: Timeout | None = None,
    ) -> RawResponse:
        """Send one attempt and read the whole response.

        Args:
            method: HTTP method.
            url: Absolute URL, already percent-encoded.
            auth: Send the ``apikey`` header.
            body: JSON body bytes, or ``None``.
            remaining: Seconds left of the caller's overall budget, or ``None``.
            display_url: The URL to show in errors (the API key redacted).
            timeout: Limits for this attempt (``with_options``); default: the transport's.

        Raises:
            APIConnectionError: The connection failed or dropped.
            APITimeoutError: A limit ran out.
        """
        if remaining is not None and remaining <= 0:
            raise _connection_error(
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
        try:
            async with session.request(
                method,
                yarl.URL(url, encoded=True),
                headers=headers,
                data=body,
                allow_redirects=False,
                # aiohttp would label an empty POST "application/octet-stream".
                skip_auto_headers=_NO_BODY_SKIP if body is None else (),
                timeout=client_timeout,
                ssl=self._request_ssl,
                proxy=self._proxy,
                proxy_headers=self._proxy_headers,
            ) as resp:
                payload = await resp.read()
                return RawResponse(resp.status, resp.reason or "", resp.headers, payload)
        except aiohttp.ClientHttpProxyError as exc:
            # The proxy refused the CONNECT tunnel: nothing reached the API. The
            # request info aiohttp keeps holds our Proxy-Authorization header:
            # drop every header before the error is chained.
            exc.request_info = exc.request_info._replace(headers=CIMultiDictProxy(CIMultiDict()))
            raise _connection_error(
                APIConnectionError,
                f"the proxy refused to connect to the API: HTTP {exc.status} {exc.message}",
                method=method,
                url=display_url,
                sent=False,
                retryable=exc.status >= 500,
            ) from exc
        except aiohttp.ClientSSLError as exc:
            raise _connection_error(
                APIConnectionError,
                f"TLS error talking to the API: {exc}",
                method=method,
                url=display_url,
                sent=False,
                retryable=False,
            ) from exc
        except aiohttp.ConnectionTimeoutError as exc:
            raise _connection_error(
                APITimeoutError,
                f"timed out connecting to the API (connect timeout {limits.connect}s)",
                method=method,
                url=display_url,
                sent=False,
            ) from exc
        except aiohttp.ClientConnectorError as exc:
            raise _connection_error(
                APIConnectionError,
                f"could not connect to the API: {exc.strerror or exc}",
                method=method,
                url=display_url,
                sent=False,
            ) from exc
        except (TimeoutError, asyncio.TimeoutError) as exc:  # distinct types on 3.10
            raise _connection_error(
                APITimeoutError,
                "timed out waiting for the API's answer",
                method=method,
                url=display_url,
                sent=True,
            ) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise _connection_error(
                APIConnectionError,
                f"connection to the API failed: {type(exc).__name__}: {exc}",
                method=method,
                url=display_url,
                sent=True,
            ) from exc

    async def aclose(self) -> None:
        """Close the session if this transport created it."""
        self._closed = True
        session, self._session = self._session, None
        if self._owns_session and session is not None and not session.closed:
            await session.close()
