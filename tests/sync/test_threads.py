"""One sync client shared by many threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from series_async._transport import _POOL_LIMIT
from series_sync import SeriesClient
from tests.conftest import API_KEY

from ._server import ThreadedServer

THREADS = 32
CALLS = 50


@pytest.mark.timeout(60)
def test_32_threads_x_50_calls_share_one_client_and_its_pool(
    sync_client: SeriesClient, server: ThreadedServer
) -> None:
    start = threading.Barrier(THREADS)

    def worker(n: int) -> list[str]:
        start.wait()  # all threads hammer the client at once
        return [sync_client.sessions.get(f"s{n}-{i}").session_id for i in range(CALLS)]

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(worker, range(THREADS)))

    assert results == [[f"s{n}-{i}" for i in range(CALLS)] for n in range(THREADS)]
    assert len(server.requests) == THREADS * CALLS
    # Keep-alive connections are reused: never more than one per concurrent
    # caller, and never more than the pool allows.
    assert 1 <= len(server.peers) <= min(THREADS, _POOL_LIMIT)
    assert {r.headers["User-Agent"].rsplit(" ", 1)[1] for r in server.requests} == {"sync"}


@pytest.mark.timeout(30)
def test_threads_may_close_while_others_are_done(server: ThreadedServer) -> None:
    client = SeriesClient(API_KEY, base_url=server.url, max_retries=0)

    def worker(n: int) -> str:
        return client.sessions.get(f"s{n}").session_id

    with ThreadPoolExecutor(8) as pool:
        assert sorted(pool.map(worker, range(8))) == sorted(f"s{n}" for n in range(8))
    closers = [threading.Thread(target=client.close) for _ in range(4)]
    for closer in closers:
        closer.start()
    for closer in closers:
        closer.join(10)
    assert client.closed
