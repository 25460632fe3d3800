"""``SeriesClient``: configuration, lifecycle and loop binding."""

from __future__ import annotations

import asyncio
import os
import ssl as ssl_module
import sys
from collections.abc import Coroutine
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from . import _observe
from ._attendance import Attendance
from ._errors import SeriesError, ValidationError
from ._keys import Keys
from ._options import RequestOptions, check_api_key, check_timeout, resolve_policy
from ._pipeline import Call, Pipeline
from ._proxy import ProxyConfig, display, resolve_proxy
from ._ranking import Ranking
from ._retry import RetryPolicy
from ._scrub import REDACTED
from ._sessions import Sessions
from ._transport import AIOHTTP_VERSION, Transport
from ._types import UNSET, Timeout, Unset
from ._validation import check_base_url, check_bool, check_encodable
from ._version import __version__

if TYPE_CHECKING:
    import aiohttp

__all__ = ["DEFAULT_BASE_URL", "SeriesClient"]

T = TypeVar("T")

_CLOSED = "client is closed: create a new SeriesClient"

DEFAULT_BASE_URL = "https://api.series.hr"


def _redact(key: str) -> str:
    return f"{key[:4]}…" if len(key) >= 16 else REDACTED


def _user_agent(flavor: str, extra: str | None) -> str:
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    agent = f"series-sdk/{__version__} python/{python} aiohttp/{AIOHTTP_VERSION} {flavor}"
    return f"{agent} {extra}" if extra else agent


class _Connection:
    """What a client and every client derived from it share.

    The transport (so one aiohttp session and pool), the pipeline, the event
    loop binding and the lifetime: closing the root client closes it.
    """

    def __init__(
        self,
        *,
        base_url: str,
        transport: Transport,
        pipeline: Pipeline,
        proxy: ProxyConfig | None,
        user_agent: str | None,
    ) -> None:
        self.base_url = base_url
        self.transport = transport
        self.pipeline = pipeline
        self.proxy = proxy
        self.user_agent = user_agent
        self.loop: asyncio.AbstractEventLoop | None = None
        self.closed = False

    def set_flavor(self, flavor: str) -> None:
        """Name the driver (``"async"``, or ``"sync"`` for the sync twin) in the User-Agent."""
        self.transport.set_user_agent(_user_agent(flavor, self.user_agent))

    def bind(self) -> None:
        """Bind to the running loop on first use; refuse any other loop after that."""
        loop = asyncio.get_running_loop()
        if self.loop is None:
            self.loop = loop
        elif loop is not self.loop:
            raise SeriesError(
                "this SeriesClient is bound to the event loop it first ran in and cannot be "
                "used from another one: create one client per event loop"
            )

    async def aclose(self) -> None:
        if self.closed:
            return
        loop = self.loop
        if loop is not None and loop is not asyncio.get_running_loop() and not loop.is_closed():
            raise SeriesError(
                "aclose() must run on the event loop the client was used on "
                "(create one client per event loop)"
            )
        self.closed = True
        # After the first loop is closed, aclose() may run on a new one: the
        # pooled sockets then have to be closed without their loop.
        await self.transport.aclose(loop_closed=loop is not None and loop.is_closed())


class _Requester:
    """One client's way to the API, handed to its resources (``sessions``, ``keys``...).

    It holds the client's :class:`RequestOptions` over the shared connection,
    so a resource needs nothing else from the client.
    """

    def __init__(self, connection: _Connection, options: RequestOptions) -> None:
        self._connection = connection
        self.options = options
        self.closed = False

    def request(self, call: Call[T]) -> Coroutine[Any, Any, T]:
        """Check the client may call now; return the pipeline's coroutine for ``call``.

        Not a coroutine itself: the method awaiting it awaits the pipeline directly.
        """
        connection = self._connection
        if self.closed or connection.closed:
            raise SeriesError(_CLOSED)
        connection.bind()
        return connection.pipeline.run(call, self.options)


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
        _observe.first_client()  # SERIES_LOG and the otel extra, once per process
        options = RequestOptions(
            api_key=check_api_key(api_key),
            timeout=check_timeout(timeout),
            retry=resolve_policy(max_retries, retry),
        )
        connection = self._connect(
            api_key=options.api_key,
            base_url=base_url,
            session=session,
            ssl=ssl,
            user_agent=user_agent,
            allow_insecure_http=allow_insecure_http,
            proxy=proxy,
            trust_env=trust_env,
        )
        self._start(connection, options, root=True)

    def _start(self, connection: _Connection, options: RequestOptions, *, root: bool) -> None:
        """Set up this client on ``connection`` under ``options``.

        The one place a client's attributes are set, for a new client and for
        one made by :meth:`with_options` alike.
        """
        self._root = root  # closing it closes the connection
        self._connection = connection
        self._transport = connection.transport
        self._options = options
        self._requester = _Requester(connection, options)
        self._sessions = Sessions(self._requester)
        self._attendance = Attendance(self._requester)
        self._ranking = Ranking(self._requester)
        self._keys = Keys(self._requester)

    def _connect(
        self,
        *,
        api_key: str,
        base_url: str | None,
        session: aiohttp.ClientSession | None,
        ssl: ssl_module.SSLContext | bool | None,
        user_agent: str | None,
        allow_insecure_http: bool,
        proxy: str | None,
        trust_env: bool,
    ) -> _Connection:
        """Check the connection arguments and build what derived clients will share."""
        check_bool("allow_insecure_http", allow_insecure_http)
        if base_url is None:
            base_url = os.environ.get("SERIES_BASE_URL") or DEFAULT_BASE_URL
        base_url = check_base_url(base_url, allow_insecure_http=allow_insecure_http)
        proxy_config = resolve_proxy(proxy, trust_env=trust_env, base_url=base_url)
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
        transport = Transport(
            ssl=ssl,
            session=session,
            user_agent=_user_agent("async", user_agent),
            proxy=proxy_config,
        )
        pipeline = Pipeline(
            base_url=base_url,
            transport=transport,
            secrets=(api_key, *(() if proxy_config is None else proxy_config.secrets)),
        )
        return _Connection(
            base_url=base_url,
            transport=transport,
            pipeline=pipeline,
            proxy=proxy_config,
            user_agent=user_agent,
        )

    def with_options(
        self,
        *,
        api_key: str | Unset = UNSET,
        timeout: float | Timeout | Unset = UNSET,
        max_retries: int | Unset = UNSET,
        retry: RetryPolicy | Unset = UNSET,
    ) -> SeriesClient:
        """A client for one call or a few, with some settings replaced.

        It shares this client's HTTP session, connection pool, proxy and
        lifetime: closing this client closes it too. It has nothing of its own
        to close; its ``aclose()`` only stops *it* from making calls.

        ``await client.with_options(timeout=2.5, max_retries=0).sessions.get(sid)``
        answers (or fails) within a Discord interaction's 3 seconds;
        ``client.with_options(api_key=other_group_key)`` works for another
        workspace over the same connection pool.

        Args:
            api_key: Another workspace's key. Every key given to this family of
                clients is kept out of the errors and logs of all of them.
            timeout: Per-attempt limit in seconds, or a :class:`Timeout`.
            max_retries: Retries after the first attempt; the rest of the policy is kept.
            retry: A whole new :class:`RetryPolicy`.

        Returns:
            The derived client. Settings not given are this client's.

        Raises:
            ValidationError: A setting is invalid, or ``max_retries`` contradicts ``retry``.
        """
        options = self._options.replace(
            api_key=api_key, timeout=timeout, max_retries=max_retries, retry=retry
        )
        self._connection.pipeline.add_secret(options.api_key)
        return _DerivedClient(self._connection, options)

    def _set_flavor(self, flavor: str) -> None:
        """Mark the client as driven by the sync twin (``"sync"``) in its User-Agent."""
        self._connection.set_flavor(flavor)

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
        return self._connection.base_url

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy in force."""
        return self._options.retry

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` was called (on this client or the one it derives from)."""
        return self._requester.closed or self._connection.closed

    def __repr__(self) -> str:
        state = " closed" if self.closed else ""
        proxy = self._connection.proxy
        shown = f" proxy={display(proxy)!r}" if proxy is not None else ""
        return (
            f"<SeriesClient{state} base_url={self.base_url!r} "
            f"api_key={_redact(self._options.api_key)!r}{shown}>"
        )

    async def aclose(self) -> None:
        """Close the client and its own HTTP session (a ``session=`` you passed stays open).

        Idempotent. Later calls raise ``SeriesError("client is closed...")``.
        A client made by :meth:`with_options` has nothing of its own to close:
        this only stops it from making calls, and leaves the shared session open.
        """
        if self._root:
            await self._connection.aclose()
        self._requester.closed = True

    async def __aenter__(self) -> SeriesClient:
        if self.closed:
            raise SeriesError(_CLOSED)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class _DerivedClient(SeriesClient):
    """What :meth:`SeriesClient.with_options` returns: a client on its parent's connection."""

    def __init__(self, connection: _Connection, options: RequestOptions) -> None:
        # Not SeriesClient.__init__: that one opens a new connection from its arguments.
        self._start(connection, options, root=False)


def driven_by_sync(client: SeriesClient) -> SeriesClient:
    """Mark ``client`` as driven by series_sync (``sync`` in its User-Agent) and return it.

    The one hook series_sync needs from the async client; not for users.
    """
    client._set_flavor("sync")
    return client
