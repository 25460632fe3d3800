"""``SeriesClient``: configuration, lifecycle and loop binding."""

from __future__ import annotations

import asyncio
import enum
import ipaddress
import os
import ssl as ssl_module
import sys
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

import attrs

from ._attendance import Attendance
from ._errors import SeriesError, ValidationError
from ._keys import Keys
from ._pipeline import Pipeline
from ._proxy import display, resolve_proxy
from ._ranking import Ranking
from ._retry import RetryPolicy
from ._sessions import Sessions
from ._transport import AIOHTTP_VERSION, Transport
from ._types import UNSET, Timeout, Unset
from ._validation import check_bool, check_encodable, show
from ._version import __version__

if TYPE_CHECKING:
    import aiohttp

__all__ = ["DEFAULT_BASE_URL", "SeriesClient"]

T = TypeVar("T")

DEFAULT_BASE_URL = "https://api.series.hr"
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


class _State(enum.Enum):
    UNOPENED = "unopened"
    OPENED = "opened"
    CLOSED = "closed"


def _redact(key: str) -> str:
    return f"{key[:4]}…" if len(key) >= 16 else "<redacted>"


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_base_url(url: str, *, allow_insecure_http: bool) -> str:
    if not isinstance(url, str) or not url.strip():
        raise ValidationError("base_url", f"must be an http(s) URL, got {type(url).__name__}")
    if any(ch.isspace() or not ch.isprintable() for ch in url.strip()):
        # Whitespace would go raw into the request line.
        raise ValidationError("base_url", "must not contain whitespace or control characters")
    check_encodable("base_url", url)
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise ValidationError("base_url", f"is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # Not the URL itself: it may carry credentials.
        raise ValidationError(
            "base_url",
            f"must be an absolute http(s) URL, got scheme {parts.scheme!r}"
            if parts.scheme not in ("http", "https")
            else "must be an absolute http(s) URL with a host name",
        )
    try:
        parts.hostname.encode("idna")
    except UnicodeError:
        raise ValidationError(
            "base_url", f"has a host name that cannot be encoded: {parts.hostname!r}"
        ) from None
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValidationError("base_url", "must not contain credentials, a query or a fragment")
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(parts.hostname):
        raise ValidationError(
            "base_url",
            f"refusing plain http:// to {parts.hostname!r}: the API key would travel in clear "
            "text. Use https://, or pass allow_insecure_http=True if you really mean it",
        )
    return url.strip().rstrip("/")


def _check_api_key(api_key: str | None) -> str:
    key = api_key if api_key is not None else os.environ.get("SERIES_API_KEY") or None
    if key is None:
        raise SeriesError(
            "no API key: pass api_key=... to SeriesClient or set the SERIES_API_KEY "
            "environment variable"
        )
    if not isinstance(key, str) or not key.strip():
        raise ValidationError("api_key", "must be a non-empty string")
    if any(ch.isspace() or not ch.isprintable() for ch in key):
        raise ValidationError("api_key", "must not contain whitespace or control characters")
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        # Not check_encodable: its message would quote a character of the key.
        raise ValidationError("api_key", "contains a lone surrogate: not sendable") from None
    return key


def _check_timeout(timeout: float | Timeout | None) -> Timeout:
    if timeout is None:
        raise ValidationError(
            "timeout",
            "None would let a call wait forever. Pass seconds (e.g. timeout=30), or "
            "timeout=Timeout(total=None, connect=None, read=None) to disable timeouts on purpose",
        )
    if isinstance(timeout, Timeout):
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise ValidationError("timeout", f"must be seconds or a Timeout, got {show(timeout)}")
    return Timeout(total=timeout, connect=timeout, read=timeout)


class SeriesClient:
    """Async client for the Series API.

    Use it as ``async with SeriesClient(api_key=...) as client:`` or call
    :meth:`aclose` when done. One client serves many concurrent calls; it is
    bound to the event loop it first runs in.

    Args:
        api_key: The workspace API key; defaults to ``$SERIES_API_KEY``.
        base_url: API root; defaults to ``$SERIES_BASE_URL`` or ``https://api.series.hr``.
            Plain ``http://`` is refused unless the host is loopback or
            ``allow_insecure_http`` is true.
        timeout: Per-attempt limit in seconds, or a :class:`Timeout`. ``None`` is refused.
        max_retries: Shortcut for ``retry=RetryPolicy(max_retries=...)``.
        retry: The full :class:`RetryPolicy`.
        session: An ``aiohttp.ClientSession`` you own; the client uses it and never
            closes it. By default the client creates its own on first use.
        ssl: An ``ssl.SSLContext`` (corporate CA, TLS-inspecting proxy) or ``False``
            to skip certificate checks (never in production).
        user_agent: Your application's name, appended to the SDK's User-Agent.
        allow_insecure_http: Allow ``http://`` to a non-loopback host.
        proxy: An ``http://`` or ``https://`` proxy URL, credentials allowed
            (``http://user:pass@proxy:3128``); they never show in repr, errors or logs.
            Wins over the environment.
        trust_env: With no ``proxy``, use ``HTTPS_PROXY`` / ``HTTP_PROXY`` (for the
            base URL's scheme) unless ``NO_PROXY`` matches the API's host. Read once,
            here. Nothing else from the environment (no ``.netrc``) is used.

    Raises:
        SeriesError: No API key was given or found in the environment.
        ValidationError: An argument is invalid.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | Timeout = Timeout(),  # noqa: B008 - immutable value
        max_retries: int = 2,
        retry: RetryPolicy | None = None,
        session: aiohttp.ClientSession | None = None,
        ssl: ssl_module.SSLContext | bool | None = None,
        user_agent: str | None = None,
        allow_insecure_http: bool = False,
        proxy: str | None = None,
        trust_env: bool = True,
    ) -> None:
        key = _check_api_key(api_key)
        check_bool("allow_insecure_http", allow_insecure_http)
        if base_url is None:
            base_url = os.environ.get("SERIES_BASE_URL") or DEFAULT_BASE_URL
        self._base_url = _check_base_url(base_url, allow_insecure_http=allow_insecure_http)
        limits = _check_timeout(timeout)
        if retry is None:
            policy = RetryPolicy(max_retries=max_retries)
        elif not isinstance(retry, RetryPolicy):
            raise ValidationError("retry", f"must be a RetryPolicy, got {type(retry).__name__}")
        elif max_retries not in (2, retry.max_retries):
            raise ValidationError(
                "max_retries",
                "conflicts with retry=RetryPolicy(...): set max_retries in the policy",
            )
        else:
            policy = retry
        proxy_config = resolve_proxy(proxy, trust_env=trust_env, base_url=self._base_url)
        if session is not None:
            import aiohttp

            if not isinstance(session, aiohttp.ClientSession):
                raise ValidationError("session", "must be an aiohttp.ClientSession")
        if ssl is not None and not isinstance(ssl, (bool, ssl_module.SSLContext)):
            raise ValidationError("ssl", "must be an ssl.SSLContext, False, or None")
        if user_agent is not None:
            if not isinstance(user_agent, str):
                raise ValidationError("user_agent", "must be a string")
            if not user_agent.isprintable():
                # aiohttp refuses \r, \n and \x00 in a header on every call.
                raise ValidationError(
                    "user_agent", "must be one line of printable characters (no control characters)"
                )
            check_encodable("user_agent", user_agent)
        self._api_key = key
        self._user_agent_extra = user_agent
        self._flavor = "async"
        self._state = _State.UNOPENED
        self._loop: asyncio.AbstractEventLoop | None = None
        self._proxy = proxy_config
        # The client that owns the session, state and loop binding: itself, or
        # for a with_options() client, the one it was derived from.
        self._root = self
        self._timeout = limits
        self._transport = Transport(
            timeout=limits,
            ssl=ssl,
            session=session,
            api_key=key,
            user_agent=self._build_user_agent(),
            proxy=proxy_config,
        )
        self._pipeline = Pipeline(
            base_url=self._base_url,
            api_key=key,
            transport=self._transport,
            policy=policy,
            secrets=() if proxy_config is None else proxy_config.secrets,
        )
        self._init_resources()

    def _init_resources(self) -> None:
        self._sessions = Sessions(self)
        self._attendance = Attendance(self)
        self._ranking = Ranking(self)
        self._keys = Keys(self)

    def with_options(
        self,
        *,
        timeout: float | Timeout | Unset = UNSET,
        max_retries: int | Unset = UNSET,
        retry: RetryPolicy | Unset = UNSET,
    ) -> SeriesClient:
        """A client for one call or a few, with some settings replaced.

        It shares this client's HTTP session, connection pool, proxy, key and
        lifetime: closing this client closes it too. It has nothing of its own
        to close; its ``aclose()`` only stops *it* from making calls.

        ``await client.with_options(timeout=2.5, max_retries=0).sessions.get(sid)``
        answers (or fails) within a Discord interaction's 3 seconds.

        Args:
            timeout: Per-attempt limit in seconds, or a :class:`Timeout`.
            max_retries: Retries after the first attempt; the rest of the policy is kept.
            retry: A whole new :class:`RetryPolicy`.

        Returns:
            The derived client. Settings not given are this client's.

        Raises:
            ValidationError: A setting is invalid, or ``max_retries`` contradicts ``retry``.
        """
        limits = self._timeout if timeout is UNSET else _check_timeout(timeout)
        if retry is not UNSET and not isinstance(retry, RetryPolicy):
            raise ValidationError("retry", f"must be a RetryPolicy, got {type(retry).__name__}")
        policy = self._pipeline.policy if retry is UNSET else retry
        if max_retries is not UNSET:
            if retry is not UNSET and max_retries != retry.max_retries:
                raise ValidationError(
                    "max_retries",
                    "conflicts with retry=RetryPolicy(...): set max_retries in the policy",
                )
            policy = attrs.evolve(policy, max_retries=max_retries)
        derived = object.__new__(type(self))
        derived.__dict__.update(self.__dict__)
        derived._timeout = limits
        derived._state = _State.UNOPENED
        derived._pipeline = self._pipeline.derive(policy=policy, timeout=limits)
        derived._init_resources()
        return derived

    def _build_user_agent(self) -> str:
        python = f"{sys.version_info.major}.{sys.version_info.minor}"
        agent = f"series-sdk/{__version__} python/{python} aiohttp/{AIOHTTP_VERSION} {self._flavor}"
        return f"{agent} {self._user_agent_extra}" if self._user_agent_extra else agent

    def _set_flavor(self, flavor: str) -> None:
        """Mark the client as driven by the sync twin (``"sync"``) in its User-Agent."""
        self._flavor = flavor
        self._transport.set_user_agent(self._build_user_agent())

    @property
    def sessions(self) -> Sessions:
        """Sessions: create, get, list, iterate, update, custom roles."""
        return self._sessions

    @property
    def attendance(self) -> Attendance:
        """Attendance: add and update attendees."""
        return self._attendance

    @property
    def ranking(self) -> Ranking:
        """Ranking: promote, demote, set rank."""
        return self._ranking

    @property
    def keys(self) -> Keys:
        """API keys: check a key."""
        return self._keys

    @property
    def base_url(self) -> str:
        """The API root this client talks to."""
        return self._base_url

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy in force."""
        return self._pipeline.policy

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` was called (on this client or the one it derives from)."""
        return self._state is _State.CLOSED or self._root._state is _State.CLOSED

    def __repr__(self) -> str:
        state = " closed" if self.closed else ""
        proxy = f" proxy={display(self._proxy)!r}" if self._proxy is not None else ""
        return (
            f"<SeriesClient{state} base_url={self._base_url!r} "
            f"api_key={_redact(self._api_key)!r}{proxy}>"
        )

    def _bind(self) -> None:
        # self.closed, spelled out: this runs on every call.
        if self._state is _State.CLOSED or self._root._state is _State.CLOSED:
            raise SeriesError("client is closed: create a new SeriesClient")
        root = self._root  # a derived client shares its root's loop binding
        loop = asyncio.get_running_loop()
        if root._loop is None:
            root._loop = loop
            root._state = _State.OPENED
        elif loop is not root._loop:
            raise SeriesError(
                "this SeriesClient is bound to the event loop it first ran in and cannot be "
                "used from another one: create one client per event loop"
            )

    async def aclose(self) -> None:
        """Close the client and its own HTTP session (a ``session=`` you passed stays open).

        Idempotent. Later calls raise ``SeriesError("client is closed...")``.
        A client made by :meth:`with_options` has nothing of its own to close:
        this only stops it from making calls, and leaves the shared session open.
        """
        if self._root is not self:
            self._state = _State.CLOSED
            return
        if self._state is _State.CLOSED:
            return
        loop = self._loop
        if loop is not None and loop is not asyncio.get_running_loop() and not loop.is_closed():
            raise SeriesError(
                "aclose() must run on the event loop the client was used on "
                "(create one client per event loop)"
            )
        self._state = _State.CLOSED
        # After the first loop is closed, aclose() may run on a new one: the
        # pooled sockets then have to be closed without their loop.
        await self._transport.aclose(loop_closed=loop is not None and loop.is_closed())

    async def __aenter__(self) -> SeriesClient:
        if self.closed:
            raise SeriesError("client is closed: create a new SeriesClient")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def driven_by_sync(client: SeriesClient) -> SeriesClient:
    """Mark ``client`` as driven by series_sync (``sync`` in its User-Agent) and return it.

    The one hook series_sync needs from the async client; not for users.
    """
    client._set_flavor("sync")
    return client
