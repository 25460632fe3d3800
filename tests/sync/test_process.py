"""Whole-process behaviour, each in a fresh interpreter: Ctrl-C, fork, exit, lazy start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tests.conftest import API_KEY

from ._server import FakeAPI, ThreadedServer
from .conftest import ROOT, run_python

pytestmark = pytest.mark.timeout(40)

NOISE = ("Unclosed", "Event loop is closed", "Task was destroyed", "Exception ignored", "Warning")


def assert_quiet(stderr: str) -> None:
    for marker in NOISE:
        assert marker not in stderr, stderr


def test_first_call_starts_the_loop_and_not_before(server: ThreadedServer) -> None:
    code = f"""
import threading
import series_sync

def loop_threads():
    return [t for t in threading.enumerate() if t.name == "series-sync-loop"]

client = series_sync.SeriesClient({API_KEY!r}, base_url={server.url!r})
assert loop_threads() == [], "started on import or construction"
assert client.keys.check().valid
assert len(loop_threads()) == 1
client.close()
print("ok")
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    assert_quiet(result.stderr)


def test_script_that_never_closes_exits_cleanly(fake_api: FakeAPI, server: ThreadedServer) -> None:
    fake_api.pages = [["a", "b"], ["c"]]
    code = f"""
import series_sync

client = series_sync.SeriesClient({API_KEY!r}, base_url={server.url!r})
print(client.sessions.get("s1").session_id)
sessions = client.sessions.iterate()
print(next(sessions).session_id)  # abandoned mid-way, next page in flight
forgotten = series_sync.SeriesClient({API_KEY!r}, base_url={server.url!r})
forgotten.keys.check()
del forgotten  # garbage-collected without close()
other = series_sync.SeriesClient({API_KEY!r}, base_url={server.url!r})
other.keys.check()  # still open at exit
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["s1", "a"]
    assert result.stderr == ""


def test_atexit_handlers_registered_after_import_can_still_call(server: ThreadedServer) -> None:
    code = f"""
import atexit
import series_sync

client = series_sync.SeriesClient({API_KEY!r}, base_url={server.url!r})
client.keys.check()

@atexit.register
def report() -> None:  # runs before series_sync's own shutdown (atexit is LIFO)
    print(client.keys.check().valid)
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
    assert result.stderr == ""


def test_a_first_call_during_shutdown_fails_cleanly_or_works(server: ThreadedServer) -> None:
    code = f"""
import atexit
import series_sync

client = series_sync.SeriesClient({API_KEY!r}, base_url={server.url!r})

@atexit.register
def report() -> None:  # the loop thread has never started
    try:
        print(client.keys.check().valid)
    except series_sync.SeriesError as exc:
        print(exc)
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    # Python 3.12 refuses new threads at exit; 3.10, 3.11 and 3.13 allow them.
    assert result.stdout.strip() in (
        "True",
        "series_sync could not start its event loop thread (can't create new thread at "
        "interpreter shutdown); make the first call before the interpreter starts shutting down",
    )
    assert result.stderr == ""


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name == "nt", reason="POSIX signals")
def test_ctrl_c_cancels_the_request_and_raises_keyboard_interrupt(
    fake_api: FakeAPI, server: ThreadedServer
) -> None:
    code = f"""
import sys, time
import series_sync

client = series_sync.SeriesClient({API_KEY!r}, base_url={server.url!r}, timeout=60)
client.keys.check()
print("calling", flush=True)
started = time.monotonic()
try:
    client.sessions.get("slow")
except KeyboardInterrupt:
    print(f"interrupted {{time.monotonic() - started:.3f}}", flush=True)
    sys.exit(3)
print("not interrupted")
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        [sys.executable, "-X", "dev", "-W", "error", "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "calling"
        assert fake_api.slow_started.wait(10), "the request never reached the server"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        # The server sees the request go away as soon as the task is cancelled.
        assert fake_api.abandoned.wait(5), "the request was not cancelled"
        out, err = proc.communicate(timeout=10)
        elapsed = time.monotonic() - sent
    assert proc.returncode == 3, err
    assert out.startswith("interrupted"), out
    assert elapsed < 3
    assert_quiet(err)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fork_child_uses_parent_client_with_its_own_loop(
    fake_api: FakeAPI, server: ThreadedServer
) -> None:
    fake_api.pages = [["a", "b"], ["c"]]
    code = f"""
import os, sys, threading, warnings
import series_sync
from series_sync import _runtime

# Python 3.12+ warns that forking a threaded process is risky; that is the point here.
warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)

client = series_sync.SeriesClient({API_KEY!r}, base_url={server.url!r})
client.sessions.get("parent-before")
parent_loop = _runtime._process.loop
async_before = client._owner.client
walk = client.sessions.iterate()
assert next(walk).session_id == "a"  # the next page is in flight on the parent's loop

pid = os.fork()
if pid == 0:
    seen = []
    try:
        for item in walk:  # "b" is already in memory; page 2 lives on the parent's loop
            seen.append(item.session_id)
    except series_sync.SeriesError as exc:
        assert "before os.fork()" in str(exc), exc
    else:
        raise AssertionError("an iterator from the parent must not hop to a loop in the child")
    assert seen == ["b"], seen
    session = client.sessions.get("child")
    assert session.session_id == "child"
    child_loop = _runtime._process.loop
    assert child_loop is not parent_loop and child_loop.pid == os.getpid()
    assert child_loop.loop is not parent_loop.loop
    assert client._owner.client is not async_before
    for _ in range(3):
        client.sessions.get("child")
    sys.exit(0)  # a normal exit: atexit and finalizers run in the child too

_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, status
assert client._owner.client is async_before
assert _runtime._process.loop is parent_loop
client.sessions.get("parent-after")
assert [s.session_id for s in walk] == ["b", "c"]
client.close()
print("ok")
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    assert_quiet(result.stderr)
    by_id = {r.path_qs.rsplit("/", 1)[1]: r.peer for r in server.requests if "/get/" in r.path_qs}
    child_peers = {r.peer for r in server.requests if r.path_qs.endswith("/child")}
    # The parent kept its keep-alive connection: the child neither closed nor used it.
    assert by_id["parent-after"] == by_id["parent-before"]
    assert by_id["parent-before"] not in child_peers
    assert len(child_peers) == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fork_while_another_thread_holds_the_runtime_lock_does_not_deadlock() -> None:
    code = textwrap.dedent(
        """
        import os, sys, threading, warnings
        from series_sync import _runtime

        warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
        held, release = threading.Event(), threading.Event()

        def hold() -> None:
            with _runtime.process_lock():
                held.set()
                release.wait()

        threading.Thread(target=hold, daemon=True).start()
        held.wait()
        pid = os.fork()
        if pid == 0:
            async def one() -> int:
                return 1
            os._exit(0 if _runtime.run(one) == 1 else 1)
        release.set()
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status))
        """
    )
    result = run_python(code, timeout=20)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"
