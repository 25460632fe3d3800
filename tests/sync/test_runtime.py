"""The private loop: results, errors, contextvars, running-loop warning, loop-thread guard."""

from __future__ import annotations

import asyncio
import contextvars
import gc
import signal
import threading
import time
import warnings

import pytest

from series_async import SeriesError
from series_sync import SeriesClient, SyncInAsyncContextWarning
from series_sync import _runtime as runtime
from tests.conftest import API_KEY

from ._server import ThreadedServer

pytestmark = pytest.mark.timeout(10)

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="unset")


async def double(value: int) -> tuple[int, int | None]:
    return value * 2, threading.get_ident()


def test_runs_on_one_daemon_loop_thread() -> None:
    result, thread_id = runtime.run(lambda: double(21))
    assert result == 42
    assert thread_id == runtime.loop_thread_id()
    assert thread_id != threading.get_ident()
    loop_thread = next(t for t in threading.enumerate() if t.ident == thread_id)
    assert loop_thread.daemon
    assert loop_thread.name == "series-sync-loop"
    assert runtime.run(lambda: double(1))[1] == thread_id  # the same loop, every call


def test_the_coroutine_exception_comes_back_unchanged() -> None:
    error = SeriesError("boom")

    async def fail() -> None:
        raise error

    with pytest.raises(SeriesError) as caught:
        runtime.run(fail)
    assert caught.value is error


def test_caller_contextvars_are_visible_and_changes_do_not_leak_back() -> None:
    async def read_and_change() -> str:
        seen = request_id.get()
        request_id.set("changed on the loop")
        return seen

    token = request_id.set("req-42")
    try:
        assert runtime.run(read_and_change) == "req-42"
        assert request_id.get() == "req-42"
    finally:
        request_id.reset(token)
    assert runtime.run(read_and_change) == "unset"


def test_running_loop_in_caller_thread_works_and_warns_every_call() -> None:
    async def handler() -> list[int]:
        # e.g. a FastAPI `async def` endpoint or a notebook cell calling the sync client
        return [runtime.run(lambda: double(1))[0], runtime.run(lambda: double(2))[0]]

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert asyncio.run(handler()) == [2, 4]
    ours = [w for w in caught if issubclass(w.category, SyncInAsyncContextWarning)]
    assert len(ours) == 2
    assert issubclass(SyncInAsyncContextWarning, RuntimeWarning)
    assert "series_async" in str(ours[0].message)
    assert ours[0].filename == __file__  # points at the caller, not at series_sync


def test_warning_is_an_error_under_filterwarnings_error() -> None:
    async def handler() -> None:
        runtime.run(lambda: double(1))

    with pytest.raises(SyncInAsyncContextWarning, match="series_async"):
        asyncio.run(handler())


def test_call_from_the_loop_thread_raises_at_once() -> None:
    created: list[bool] = []

    async def inner() -> int:
        created.append(True)
        return 1

    async def callback_on_the_loop() -> int:
        return runtime.run(inner)  # would wait on the very loop it blocks

    started = time.monotonic()
    with pytest.raises(SeriesError, match="own event loop thread"):
        runtime.run(callback_on_the_loop)
    assert time.monotonic() - started < 1
    assert created == []  # refused before the coroutine was even made


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGINT"),
    reason="needs the main thread and POSIX signals",
)
def test_ctrl_c_while_waiting_cancels_the_task_before_reraising() -> None:
    started = threading.Event()
    outcome: list[str] = []

    async def slow() -> None:
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise

    def press_ctrl_c() -> None:
        started.wait(5)
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    threading.Thread(target=press_ctrl_c, daemon=True).start()
    begun = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        runtime.run(slow)
    assert time.monotonic() - begun < 2
    assert outcome == ["cancelled"]  # already unwound when KeyboardInterrupt arrived


def test_threads_share_the_loop() -> None:
    results: list[tuple[int, int | None]] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        value = runtime.run(lambda: double(n))
        with lock:
            results.append(value)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert sorted(r[0] for r in results) == [2 * n for n in range(16)]
    assert {r[1] for r in results} == {runtime.loop_thread_id()}


def test_a_forgotten_client_is_closed_in_the_background(server: ThreadedServer) -> None:
    client = SeriesClient(API_KEY, base_url=server.url)
    assert client.keys.check().valid
    inner = client._owner.client
    assert id(inner) in runtime._process.registry
    del client
    gc.collect()

    async def closings_done() -> None:
        # The finalizer queued the close before this coroutine: it is already a task.
        await asyncio.gather(*runtime._process.closing)

    runtime.run(closings_done)
    assert inner.closed
    assert id(inner) not in runtime._process.registry


def test_a_call_is_one_hop_and_entering_a_client_is_none(
    server: ThreadedServer, hops: list[object]
) -> None:
    with SeriesClient(API_KEY, base_url=server.url) as client:
        assert hops == []  # `with` checks the client in this thread: nothing to wait for
        assert client.keys.check().valid
        assert hops == [client._owner.client.keys.check]  # the async method itself, once
        client.close()
        with pytest.raises(SeriesError, match=r"^client is closed: create a new SeriesClient$"):
            client.__enter__()
    assert len(hops) == 2  # the close
