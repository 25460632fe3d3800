"""Async iterators as plain iterators: one loop hop per page, closed on early exit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from series_async import InternalServerError, UnexpectedResponseError
from series_sync import SeriesClient
from series_sync import _runtime as runtime
from series_sync._paging import iterate_in_pages
from tests.conftest import API_KEY
from tests.recorder import Reply, ok

from ._server import SESSION, FakeAPI, ThreadedServer

pytestmark = pytest.mark.timeout(15)


def loop_tasks() -> int:
    async def count() -> int:
        return len(asyncio.all_tasks()) - 1  # not this one

    return runtime.run(count)


def test_one_hop_per_page_not_per_item(
    fake_api: FakeAPI, sync_client: SeriesClient, server: ThreadedServer, hops: list[object]
) -> None:
    fake_api.pages = [[f"a{i}" for i in range(20)], [f"b{i}" for i in range(20)], ["c0", "c1"]]
    seen = [s.session_id for s in sync_client.sessions.iterate(status="upcoming")]
    assert seen == [i for page in fake_api.pages for i in page]
    assert [r.path_qs for r in server.requests] == [
        f"/sessions/list?page={n}&status=upcoming" for n in (1, 2, 3, 4)
    ]
    assert len(hops) == 4  # three pages and the empty one that ends the walk


def test_early_break_sends_no_request_the_caller_did_not_ask_for(
    fake_api: FakeAPI, sync_client: SeriesClient, server: ThreadedServer, hops: list[object]
) -> None:
    fake_api.pages = [["a", "b"], ["c"], ["d"]]
    for session in sync_client.sessions.iterate():
        assert session.session_id == "a"
        break
    assert len(hops) == 2  # page 1 and the close
    # Exactly the one request the async iterator makes: page 2 was never asked for.
    assert [r.path_qs for r in server.requests] == ["/sessions/list?page=1"]
    assert loop_tasks() == 0


def test_next_page_is_fetched_only_when_the_caller_gets_there(
    fake_api: FakeAPI, sync_client: SeriesClient, server: ThreadedServer
) -> None:
    fake_api.pages = [["a", "b"], ["c"]]
    sessions = sync_client.sessions.iterate()
    assert next(sessions).session_id == "a"
    assert next(sessions).session_id == "b"
    assert len(server.requests) == 1
    assert next(sessions).session_id == "c"
    assert len(server.requests) == 2
    sessions.close()
    assert loop_tasks() == 0


def test_an_error_on_a_later_page_comes_after_the_earlier_items(
    fake_api: FakeAPI, sync_client: SeriesClient
) -> None:
    fake_api.pages = [["a", "b"], ["c"]]
    fake_api.failing_pages = {2}
    sessions = sync_client.sessions.iterate()
    assert [next(sessions).session_id, next(sessions).session_id] == ["a", "b"]
    with pytest.raises(InternalServerError, match="page broke"):
        next(sessions)
    assert loop_tasks() == 0


def test_nothing_happens_until_the_first_next(
    sync_client: SeriesClient, server: ThreadedServer
) -> None:
    iterator = sync_client.sessions.iterate()
    assert server.requests == []
    assert list(iterator) == []
    assert len(server.requests) == 1


def test_break_runs_the_async_generator_cleanup_before_the_loop_ends(hops: list[object]) -> None:
    events: list[str] = []

    async def pages() -> AsyncIterator[list[int]]:
        try:
            for page in range(3):
                await asyncio.sleep(0.001)  # a page fetch
                events.append(f"page {page}")
                yield list(range(page * 10, page * 10 + 10))
        finally:
            events.append("closed")

    taken = []
    for number in iterate_in_pages(pages):
        taken.append(number)
        if number == 12:
            break
    assert taken == list(range(13))
    assert events == ["page 0", "page 1", "closed"]  # closed when the for loop is left
    assert len(hops) == 3  # page 1, page 2, and the close
    assert loop_tasks() == 0


def test_a_walk_read_to_the_end_needs_no_close(hops: list[object]) -> None:
    async def pages() -> AsyncIterator[list[str]]:
        yield ["a"]
        yield []  # an empty page is passed through, not taken as the end
        yield ["b"]

    assert list(iterate_in_pages(pages)) == ["a", "b"]
    assert len(hops) == 4  # three pages and the end


def test_plain_async_iterators_without_aclose_work() -> None:
    class Countdown:
        def __init__(self) -> None:
            self.left = 3

        def __aiter__(self) -> Countdown:
            return self

        async def __anext__(self) -> list[int]:
            if not self.left:
                raise StopAsyncIteration
            self.left -= 1
            return [self.left]

    assert list(iterate_in_pages(Countdown)) == [2, 1, 0]
    iterator = iterate_in_pages(Countdown)
    assert next(iterator) == 2
    iterator.close()
    assert loop_tasks() == 0


def test_a_server_ignoring_the_page_without_echo_cannot_make_the_walk_loop() -> None:
    async def page_one_always(request: web.Request) -> Reply:
        # No "Page" in the answer, and the same sessions whatever ?page= says.
        return ok({"Sessions": [{**SESSION, "SessionId": i} for i in ("a", "b")]})

    with (
        ThreadedServer(page_one_always) as server,
        SeriesClient(API_KEY, base_url=server.url, max_retries=0) as c,
    ):
        sessions = c.sessions.iterate()
        seen = [next(sessions).session_id, next(sessions).session_id]
        with pytest.raises(UnexpectedResponseError, match="page 2 carries no Page echo"):
            next(sessions)
        assert seen == ["a", "b"]
        assert [r.path_qs for r in server.requests] == [
            "/sessions/list?page=1",
            "/sessions/list?page=2",
        ]
        assert loop_tasks() == 0
