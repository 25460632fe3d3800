"""series_sync: with_options, proxies and trust_env work as in series_async."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator

import pytest

from series_async import APITimeoutError, SeriesError
from series_sync import SeriesClient
from tests.conftest import API_KEY
from tests.proxy import ForwardProxy

from ._server import FakeAPI, ThreadedServer
from .conftest import run_python

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def proxy(server: ThreadedServer) -> Iterator[ForwardProxy]:
    running = ForwardProxy()
    asyncio.run_coroutine_threadsafe(running.start(), server.loop).result(5)
    yield running
    asyncio.run_coroutine_threadsafe(running.stop(), server.loop).result(5)


def test_with_options_shares_the_async_client_session(server: ThreadedServer) -> None:
    with SeriesClient(API_KEY, base_url=server.url) as client:
        fast = client.with_options(timeout=2.5, max_retries=0)
        assert type(fast) is SeriesClient
        assert fast.retry_policy.max_retries == 0
        assert client.retry_policy.max_retries == 2
        assert fast.sessions.get("a").session_id == "a"
        assert client.sessions.get("b").session_id == "b"
        original = client._owner.client
        derived = fast._owner.client
        assert derived is not original
        assert derived._transport is original._transport  # one aiohttp session
        assert derived._connection is original._connection
        assert repr(fast) == repr(client)
    assert fast.closed  # closing the original closed it
    with pytest.raises(SeriesError, match=r"^client is closed"):
        fast.sessions.get("a")


def test_with_options_sends_another_key_from_sync_code(server: ThreadedServer) -> None:
    other_key = "sk_live_other_group_0123456789"
    with SeriesClient(API_KEY, base_url=server.url) as client:
        other = client.with_options(api_key=other_key)
        assert other.sessions.get("a").session_id == "a"
        assert client.sessions.get("b").session_id == "b"
        assert other_key not in repr(other)
    assert [seen.headers["apikey"] for seen in server.requests] == [other_key, API_KEY]


def test_a_derived_client_close_leaves_the_original_open(server: ThreadedServer) -> None:
    with SeriesClient(API_KEY, base_url=server.url) as client:
        with client.with_options(max_retries=0) as fast:
            fast.sessions.get("a")
        assert fast.closed
        fast.close()  # idempotent
        with pytest.raises(SeriesError, match=r"^client is closed"):
            fast.sessions.get("a")
        assert not client.closed
        assert client.sessions.get("b").session_id == "b"


def test_with_options_timeout_bounds_a_sync_call(server: ThreadedServer, fake_api: FakeAPI) -> None:
    with SeriesClient(API_KEY, base_url=server.url) as client, pytest.raises(APITimeoutError):
        client.with_options(timeout=0.2, max_retries=0).sessions.get("slow")
    assert fake_api.slow_started.is_set()


def test_with_options_refuses_bad_settings_in_the_callers_thread(server: ThreadedServer) -> None:
    client = SeriesClient(API_KEY, base_url=server.url)
    with pytest.raises(SeriesError, match=r"^max_retries: must be an integer >= 0"):
        client.with_options(max_retries=-1)
    client.close()


def test_sync_client_uses_an_explicit_proxy(server: ThreadedServer, proxy: ForwardProxy) -> None:
    with SeriesClient(API_KEY, base_url=server.url, proxy=proxy.url) as client:
        assert client.with_options(max_retries=0).sessions.get("a").session_id == "a"
    assert [r.target for r in proxy.requests] == [f"{server.url}/sessions/get/a"]


def test_sync_client_honours_and_can_ignore_the_env_proxy(
    server: ThreadedServer, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    with SeriesClient(API_KEY, base_url=server.url) as client:
        client.sessions.get("a")
    assert len(proxy.requests) == 1
    with SeriesClient(API_KEY, base_url=server.url, trust_env=False) as client:
        client.sessions.get("b")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with SeriesClient(API_KEY, base_url=server.url) as client:
        client.sessions.get("c")
    assert len(proxy.requests) == 1
    assert [r.path_qs for r in server.requests] == [
        "/sessions/get/a",
        "/sessions/get/b",
        "/sessions/get/c",
    ]


def test_sync_repr_hides_proxy_credentials() -> None:
    client = SeriesClient(API_KEY, proxy="http://alice:hunter2@proxy.corp:3128")
    try:
        assert "hunter2" not in repr(client)
        assert repr(client).endswith("proxy='http://<redacted>@proxy.corp:3128'>")
    finally:
        client.close()


def test_close_while_a_sync_call_is_in_flight_says_so(
    server: ThreadedServer, fake_api: FakeAPI
) -> None:
    client = SeriesClient(API_KEY, base_url=server.url, max_retries=0)
    failures: list[BaseException] = []

    def call() -> None:
        try:
            client.sessions.get("slow")
        except BaseException as exc:  # recorded for the assertion below
            failures.append(exc)

    worker = threading.Thread(target=call)
    worker.start()
    assert fake_api.slow_started.wait(5)
    client.close()
    worker.join(5)
    [err] = failures
    assert type(err) is SeriesError
    assert err.message == "the client was closed while this call was in flight"
    assert err.may_have_acted is False  # a read changes nothing
    with pytest.raises(SeriesError, match=r"^client is closed: create a new SeriesClient"):
        client.sessions.get("a")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_derived_sync_client_follows_its_original_into_a_forked_child(
    server: ThreadedServer,
) -> None:
    code = f"""
import os, sys, warnings
import series_sync

warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
client = series_sync.SeriesClient({API_KEY!r}, base_url={server.url!r})
fast = client.with_options(max_retries=0)
fast.sessions.get("parent")
before = fast._owner.client
pid = os.fork()
if pid == 0:
    assert fast.sessions.get("child").session_id == "child"
    derived = fast._owner.client
    assert derived is not before
    # re-derived from the child's own client
    assert derived._connection is client._owner.client._connection
    assert derived.retry_policy.max_retries == 0
    sys.exit(0)
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, status
assert fast._owner.client is before
client.close()
assert fast.closed
print("ok")
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
