"""The private event loop that runs every ``series_sync`` call.

One loop per process, on a daemon thread, started lazily by the first call.
A sync call submits its coroutine with :func:`asyncio.run_coroutine_threadsafe`
and blocks on the result. Around that sit the rules that make the bridge safe:

- a call from the loop's own thread raises at once (it could only deadlock);
- a call from a thread whose own loop is running works but warns
  (:class:`SyncInAsyncContextWarning`): it blocks that loop meanwhile;
- Ctrl-C (or any exception raised while waiting) cancels the task; SIGINT is blocked
  on the loop thread, where it would interrupt no wait (the kernel picks the thread);
- after ``os.fork()`` the child starts a fresh loop, never touching the parent's;
- at exit every client still open is closed and the loop torn down, quietly.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import contextvars
import functools
import logging
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, Protocol, TypeVar

import attrs

from series_async import SeriesError

__all__ = [
    "AsyncClosable",
    "SyncInAsyncContextWarning",
    "close_soon",
    "is_shutting_down",
    "keep_forever",
    "loop_thread_id",
    "on_loop_thread",
    "process_lock",
    "register",
    "run",
    "run_soon",
    "unregister",
]

T = TypeVar("T")
P = ParamSpec("P")

_log = logging.getLogger("series")

#: Longest wait, at exit, for open clients to close and for the loop thread to end.
_EXIT_TIMEOUT = 5.0
#: Longest wait, after Ctrl-C, for the cancelled task to unwind before re-raising.
_CANCEL_GRACE = 1.0


class SyncInAsyncContextWarning(RuntimeWarning):
    """A ``series_sync`` call was made from a thread whose event loop is running.

    The call works, but it blocks that loop (every task on it stalls) until the
    answer arrives: in async code, ``await`` ``series_async.SeriesClient`` instead.
    """


class AsyncClosable(Protocol):
    """What the runtime needs from an async client: a way to close it."""

    async def aclose(self) -> None:
        """Close the client's HTTP session."""


@attrs.define(eq=False)
class _Loop:
    """The running private loop of one process."""

    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    pid: int


class _Process:
    """Process-wide state; ``lock`` guards changes, readers take a snapshot."""

    def __init__(self) -> None:
        self.lock = threading.RLock()  # owners register clients while holding it
        self.loop: _Loop | None = None
        self.shutting_down = False
        self.registry: dict[int, AsyncClosable] = {}  # clients still open: closed at exit
        self.closing: set[asyncio.Task[None]] = set()  # close_soon()'s, on the loop thread


_process = _Process()
# Objects inherited from the parent process, kept alive for good (see keep_forever).
_inherited: list[object] = []


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    """Body of the loop thread: run until stopped, then tear down like ``asyncio.run``."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
    finally:
        try:
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            if tasks:
                loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            asyncio.set_event_loop(None)
            loop.close()


def _start_loop() -> _Loop:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=_serve, args=(loop,), name="series-sync-loop", daemon=True)
    try:
        thread.start()
    except RuntimeError as exc:  # e.g. Python 3.12 refuses new threads once exit has begun
        loop.close()
        raise SeriesError(
            f"series_sync could not start its event loop thread ({exc}); "
            "make the first call before the interpreter starts shutting down"
        ) from exc
    return _Loop(loop, thread, os.getpid())


def _current() -> _Loop:
    """Return this process's loop, starting it on first use."""
    process = _process
    state = process.loop
    if state is not None and state.pid == os.getpid() and not process.shutting_down:
        return state
    with process.lock:
        if process.shutting_down:
            raise SeriesError(
                "series_sync cannot make calls any more: the interpreter is shutting down"
            )
        if process.loop is None or process.loop.pid != os.getpid():
            process.loop = _start_loop()
        return process.loop


def process_lock() -> threading.RLock:
    """Return this process's runtime lock (a new one in a forked child)."""
    return _process.lock


def on_loop_thread() -> bool:
    """Tell whether the calling thread is this process's loop thread."""
    return loop_thread_id() == threading.get_ident()


def is_shutting_down() -> bool:
    """Tell whether the exit-time shutdown has begun (no more calls are possible)."""
    return _process.shutting_down


def loop_thread_id() -> int | None:
    """Return the id of this process's loop thread, or ``None`` if it has not started."""
    state = _process.loop
    if state is None or state.pid != os.getpid():
        return None
    return state.thread.ident


def _user_stacklevel() -> int:
    """Return the ``stacklevel`` that points a warning at the first frame outside series_sync."""
    frame = sys._getframe(2)  # the caller of run()
    level = 2
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith(
        "series_sync."
    ):
        frame = frame.f_back
        level += 1
    return level


def run(func: Callable[P, Coroutine[Any, Any, T]], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run the coroutine ``func(*args, **kwargs)`` on the private loop and return its result.

    This is ``asyncio.run_coroutine_threadsafe(...).result()`` with two changes:
    the coroutine is made on the loop, inside a copy of the caller's context
    (so its contextvars are visible there on every Python version, and changes
    never leak back), and an interrupted wait always cancels the task: with no
    coroutine object in the caller's hands, there is no window where Ctrl-C
    could leave one running or never awaited.

    Raises:
        SeriesError: Called from the loop's own thread (it would deadlock), or
            during interpreter shutdown.
        BaseException: Whatever the coroutine raised, unchanged.
    """
    state = _current()
    if threading.get_ident() == state.thread.ident:
        raise SeriesError(
            "a series_sync call was made on series_sync's own event loop thread, where it "
            "would deadlock; from code running on an event loop use series_async and await it"
        )
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        warnings.warn(
            SyncInAsyncContextWarning(
                "series_sync call made while an event loop is running in this thread: it "
                "blocks that loop until the answer arrives. In async code use "
                "series_async.SeriesClient and await its methods."
            ),
            stacklevel=_user_stacklevel(),
        )
    call = _Call(func, *args, **kwargs)
    try:
        state.loop.call_soon_threadsafe(_begin, call, context=contextvars.copy_context())
        return call.result()
    except BaseException:
        # cancel() is True only while the call is pending: we were interrupted
        # (KeyboardInterrupt from Ctrl-C, SystemExit from a signal handler...) rather
        # than handed the task's own exception. The cancellation aborts the request;
        # give it a moment to unwind so the connection is closed when we re-raise.
        if call.cancel():
            with contextlib.suppress(RuntimeError):  # the loop is closed: nothing runs
                state.loop.call_soon_threadsafe(_settle_if_never_begun, call)
            call.settled.wait(_CANCEL_GRACE)
        raise


class _Call(concurrent.futures.Future[T]):
    """One sync call crossing over to the loop: what to run, and (as a future) its outcome."""

    def __init__(self, func: Callable[..., Coroutine[Any, Any, T]], *args: Any, **kwargs: Any):
        super().__init__()
        self.func, self.args, self.kwargs = func, args, kwargs
        self.begun = False  # set on the loop thread by _begin
        self.settled = threading.Event()  # the loop side is done with the call


def _begin(call: _Call[T]) -> None:
    """On the loop, in the caller's context: start the task unless the caller gave up."""
    call.begun = True
    if call.cancelled():
        call.settled.set()
        return
    try:
        task = asyncio.ensure_future(call.func(*call.args, **call.kwargs))  # copies the context
    except Exception as exc:  # building the call failed, e.g. a bad argument
        call.settled.set()
        with contextlib.suppress(concurrent.futures.InvalidStateError):
            call.set_exception(exc)
        return
    task.add_done_callback(functools.partial(_deliver, call))
    call.add_done_callback(functools.partial(_forward_cancel, task))


def _settle_if_never_begun(call: _Call[Any]) -> None:
    # Queued after _begin if _begin was queued at all (callbacks run in order), so
    # "not begun" here means the interruption came before the call was handed over.
    if not call.begun:
        call.settled.set()


def _deliver(call: _Call[T], task: asyncio.Task[T]) -> None:
    call.settled.set()
    if task.cancelled():
        call.cancel()
        return
    error = task.exception()
    with contextlib.suppress(concurrent.futures.InvalidStateError):  # the caller gave up
        if error is None:
            call.set_result(task.result())
        else:
            call.set_exception(error)


def _forward_cancel(task: asyncio.Task[Any], future: concurrent.futures.Future[Any]) -> None:
    if future.cancelled():
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            task.get_loop().call_soon_threadsafe(task.cancel)


def run_soon(make: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Start ``make()`` on the private loop without waiting for it (callable from any thread).

    Does nothing when the loop is not running in this process or is shutting down.
    """
    state = _process.loop
    if state is None or state.pid != os.getpid() or _process.shutting_down:
        return
    with contextlib.suppress(RuntimeError):  # the loop closed in between
        state.loop.call_soon_threadsafe(_spawn, make)


def _spawn(make: Callable[[], Coroutine[Any, Any, None]]) -> None:
    task = asyncio.ensure_future(make())
    _process.closing.add(task)
    task.add_done_callback(_process.closing.discard)


def register(client: AsyncClosable) -> None:
    """Remember an open async client so that it is closed at interpreter exit."""
    with _process.lock:
        _process.registry[id(client)] = client


def unregister(client: AsyncClosable) -> None:
    """Forget a client (it was closed, or belongs to another process)."""
    with _process.lock:
        _process.registry.pop(id(client), None)


def close_soon(client: AsyncClosable) -> None:
    """Close ``client`` in the background; used when its sync owner is garbage-collected."""

    async def close() -> None:
        try:
            await client.aclose()
        except Exception:  # nobody is left to tell; keep exit quiet
            _log.debug("closing an abandoned series_sync client failed", exc_info=True)
        finally:
            unregister(client)

    run_soon(close)


async def _close_all(clients: list[AsyncClosable]) -> None:
    results = await asyncio.gather(
        *list(_process.closing), *(client.aclose() for client in clients), return_exceptions=True
    )
    for result in results:
        if isinstance(result, BaseException):
            _log.debug("closing a series_sync client at exit failed", exc_info=result)
    # Closed transports finish on the next loop iterations; let them, so the
    # loop is not closed under them.
    for _ in range(3):
        await asyncio.sleep(0)


def _shutdown() -> None:
    """At interpreter exit: close every open client, then stop and close the loop."""
    process = _process
    with process.lock:
        state = process.loop
        if state is None or state.pid != os.getpid():
            return
        process.shutting_down = True
        clients = list(process.registry.values())
        process.registry.clear()
    try:
        future = asyncio.run_coroutine_threadsafe(_close_all(clients), state.loop)
        future.result(_EXIT_TIMEOUT)
    except Exception:
        _log.debug("series_sync shutdown: closing clients failed", exc_info=True)
    try:
        state.loop.call_soon_threadsafe(state.loop.stop)
    except RuntimeError:  # already closed
        return
    state.thread.join(_EXIT_TIMEOUT)


def keep_forever(obj: object) -> None:
    """Keep an object inherited from the parent process alive until the process ends.

    A forked child holds copies of the parent's loop, sockets and sessions, but
    the kernel objects behind them (the epoll instance, the TCP and TLS streams)
    are shared with the parent. Closing or garbage-collecting those copies would
    unregister the parent's sockets from its epoll set or write into its streams,
    breaking the parent. So the child never closes them and never lets them be
    collected, not even at its own exit: they are held by a list whose reference
    count is raised once, which makes it (and all it holds) immortal.
    """
    if not _inherited:
        with contextlib.suppress(ImportError, AttributeError):  # not CPython: the global must do
            import ctypes

            ctypes.pythonapi.Py_IncRef(ctypes.py_object(_inherited))
    _inherited.append(obj)


def _after_fork_in_child() -> None:
    """Give the child a fresh lock and no loop; park what it inherited."""
    global _process
    inherited, _process = _process, _Process()  # also a fresh lock: it may have been held
    if inherited.loop is not None or inherited.registry or inherited.closing:
        keep_forever(inherited)


atexit.register(_shutdown)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
