"""``SeriesEmulator``: the emulated Series API on a real loopback HTTP server.

Two ways to run it:

* ``async with SeriesEmulator(cfg) as emu:`` serves on the running loop;
* ``emu.start()`` / ``emu.stop()`` (or ``with SeriesEmulator() as emu:``) from
  sync code serve on a private loop in a daemon thread, so the emulator keeps
  answering while the calling thread blocks in a sync client.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Iterable
from types import TracebackType

import attrs
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from series_async.testing._app import build_app
from series_async.testing._config import ConfigSource, WorkspaceConfig, load_config
from series_async.testing._faults import FaultInjector, FaultKind, FaultPlan, FaultRule
from series_async.testing._state import SESSION_STATUSES, StateSnapshot, Store

__all__ = ["SeriesEmulator"]

_START_TIMEOUT = 10.0
# In-flight requests get this long to finish when the emulator stops.
_SHUTDOWN_TIMEOUT = 0.25
# A request line or header up to this long reaches the app (aiohttp stops at 8 KiB), so
# a 5,000-digit query value gets the documented 400 envelope.
_MAX_LINE = 64 * 1024


class _QuietOnClientErrors(logging.Filter):
    """Drop aiohttp's traceback for a request it could not parse (the client's error).

    aiohttp answers such a request itself (a plain-text 400) and logs it at ERROR
    with a traceback; a failing handler of ours is still logged.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, HttpProcessingError)


_SERVER_LOG = logging.getLogger("series_async.testing.server")
_SERVER_LOG.addFilter(_QuietOnClientErrors())


class SeriesEmulator:
    """A stateful, in-memory emulator of the Series API.

    Args:
        config: Workspace config: ``None`` for the built-in demo workspace, a
            path to a ``.toml``/``.json`` file, a mapping, or a
            :class:`WorkspaceConfig`.
        host: Interface to bind; loopback by default.
        port: TCP port; ``0`` picks a free one (read it back from :attr:`url`).
        faults: A :class:`FaultPlan` or an iterable of :class:`FaultRule`.
        seed: Seeds fault decisions and generated ids, for reproducible runs.
        request_log_limit: Keep about this many newest entries in
            ``state.requests`` (``None``: keep all, right for tests; a long-running
            server should set it).

    Raises:
        ConfigError: The config is invalid (the message names the key).
    """

    def __init__(
        self,
        config: ConfigSource = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: FaultPlan | Iterable[FaultRule] | None = None,
        seed: int | None = None,
        request_log_limit: int | None = None,
    ) -> None:
        self.config: WorkspaceConfig = load_config(config)
        if faults is not None and not isinstance(faults, FaultPlan):
            faults = FaultPlan(rules=tuple(faults))
        self._store = Store(self.config, seed, request_log_limit)
        self._faults = FaultInjector(faults, seed)
        self._host = host
        self._port = port
        self._url: str | None = None
        self._runner: web.AppRunner | None = None
        # Handlers still running: one a client left keeps running (a delay fault
        # holding it), and aiohttp's shutdown no longer knows about it.
        self._handlers: set[asyncio.Task[object]] = set()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        where = self._url or "not running"
        return f"<SeriesEmulator {where} workspace={self.config.workspace.name!r}>"

    # --- what tests read ---------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL to give a client, e.g. ``http://127.0.0.1:54321``."""
        if self._url is None:
            raise RuntimeError("the emulator is not running: use 'async with' or start()")
        return self._url

    @property
    def api_key(self) -> str:
        """The first active API key of the config."""
        for key in self.config.api_keys:
            if key.active:
                return key.key
        raise RuntimeError("the workspace config has no active API key")

    @property
    def workspace_id(self) -> str:
        """The workspace id (configured, or generated from the seed)."""
        return self._store.workspace_id

    @property
    def state(self) -> StateSnapshot:
        """A consistent read-only copy of the current state, for assertions."""
        return self._store.snapshot()

    # --- test controls ----------------------------------------------------------------

    def inject(
        self,
        kind: FaultKind | str,
        *,
        routes: Iterable[str] | str | None = None,
        times: int = 1,
        retry_after: float = 1.0,
        delay: float = 0.05,
    ) -> None:
        """Make the next ``times`` requests on ``routes`` (default: any) fail with ``kind``.

        Forced faults fire before the random ones of the plan.

        Raises:
            ValueError: An unknown kind or route, or ``times`` < 1.
        """
        rule = FaultRule(kind=kind, routes=routes, retry_after=retry_after, delay=delay)
        self._faults.force(rule, times)

    def clear_faults(self) -> None:
        """Forget the forced faults not fired yet (the random plan stays)."""
        self._faults.clear()

    def set_session_status(
        self, session_id: str, status: str, *, delayed: bool | None = None
    ) -> None:
        """Change a session's ``Status`` (and ``Delayed``): the API has no endpoint for it.

        Raises:
            KeyError: No such session.
            ValueError: ``status`` is not upcoming, ongoing, completed or cancelled.
        """
        if status not in SESSION_STATUSES:
            raise ValueError(f"status must be one of {', '.join(SESSION_STATUSES)}")
        with self._store.lock:
            session = self._store.sessions.get(session_id)
            if session is None:
                known = ", ".join(sorted(self._store.sessions)[:5]) or "none yet"
                raise KeyError(f"no session with id {session_id!r} (known ids: {known})")
            self._store.sessions[session_id] = attrs.evolve(
                session, status=status, delayed=session.delayed if delayed is None else delayed
            )

    # --- async lifecycle ----------------------------------------------------------------

    async def astart(self) -> None:
        """Start serving on the running event loop."""
        if self._runner is not None:
            raise RuntimeError("the emulator is already running")
        sock = _bind(self._host, self._port)
        runner = web.AppRunner(
            build_app(self._store, self._faults, self._handlers),
            handle_signals=False,
            access_log=None,
            shutdown_timeout=_SHUTDOWN_TIMEOUT,
            # Request bodies are decompressed by the app, which answers a corrupt or
            # unsupported encoding with the documented 400 envelope.
            auto_decompress=False,
            max_line_size=_MAX_LINE,
            max_field_size=_MAX_LINE,
            logger=_SERVER_LOG,
        )
        try:
            await runner.setup()
            await web.SockSite(runner, sock).start()
        except BaseException:  # pragma: no cover - defensive: setup on a bound socket
            sock.close()
            await runner.cleanup()
            raise
        self._runner = runner
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        self._url = f"http://{shown}:{port}"

    async def astop(self) -> None:
        """Stop serving; idempotent."""
        runner, self._runner = self._runner, None
        self._url = None
        if runner is not None:
            await runner.cleanup()
        # Stop quietly: a handler left behind would be destroyed pending with its loop.
        left = [task for task in self._handlers if not task.done()]
        for task in left:
            task.cancel()
        await asyncio.gather(*left, return_exceptions=True)

    async def __aenter__(self) -> SeriesEmulator:
        await self.astart()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.astop()

    # --- sync lifecycle (own thread, own loop) -----------------------------------------

    def start(self) -> SeriesEmulator:
        """Start serving on a private event loop in a daemon thread; return ``self``.

        Raises:
            RuntimeError: Already running, or the server did not come up in time.
            OSError: The address could not be bound.
        """
        if self._thread is not None or self._runner is not None:
            raise RuntimeError("the emulator is already running")
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        errors: list[BaseException] = []

        def serve() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.astart())
            except BaseException as exc:  # handed over to the starting thread
                errors.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self.astop())
                _finish_tasks(loop)
                loop.close()

        thread = threading.Thread(target=serve, name="series-emulator", daemon=True)
        thread.start()
        if not ready.wait(_START_TIMEOUT):  # pragma: no cover - a wedged machine
            loop.call_soon_threadsafe(loop.stop)
            raise RuntimeError("the emulator did not start in time")
        if errors:
            thread.join()
            raise errors[0]
        self._thread, self._loop = thread, loop
        return self

    def stop(self) -> None:
        """Stop the thread started by :meth:`start`; idempotent."""
        thread, loop = self._thread, self._loop
        self._thread = self._loop = None
        if thread is None or loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(_START_TIMEOUT)

    def __enter__(self) -> SeriesEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _finish_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel and run to their end the tasks left on ``loop`` (aiohttp's per-connection
    tasks of clients that left), so none is destroyed pending when the loop closes."""
    left = asyncio.all_tasks(loop)
    for task in left:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())


def _bind(host: str, port: int) -> socket.socket:
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    return socket.create_server((host, port), family=family)
