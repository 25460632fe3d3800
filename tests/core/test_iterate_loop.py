"""``iterate`` against servers that ignore ``?page=`` (design §8): it must end, never loop.

A server that ignores the page number and echoes no ``Page`` answers page 1
to every request. Without an echo to compare, the only sign is the content:
a page after the first that repeats the previous page's sessions (same ids,
same order) ends the walk with ``UnexpectedResponseError``. Pages without an
echo that differ are walked as usual.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from series_async import SeriesClient, Session, UnexpectedResponseError
from tests.rawserver import RawServer, response

pytestmark = pytest.mark.timeout(20)

KEY = "sk_live_iterate_0123456789abcdef"


@pytest.fixture
async def raw() -> AsyncIterator[RawServer]:
    server = RawServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def client(raw: RawServer) -> AsyncIterator[SeriesClient]:
    async with SeriesClient(KEY, base_url=raw.url, max_retries=0, timeout=5) as c:
        yield c


def page(*ids: str, echo: int | None = None) -> bytes:
    """A list answer holding sessions ``ids``; ``Page`` only when ``echo`` is given."""
    data: dict[str, Any] = {"Sessions": [{"SessionId": i, "Title": "t"} for i in ids]}
    if echo is not None:
        data["Page"] = echo
    return response(200, json.dumps({"success": True, "data": data}).encode())


async def walk(sessions: AsyncIterator[Session], seen: list[str]) -> None:
    """Walk ``sessions``, noting each id in ``seen`` (kept when the walk raises)."""
    async for session in sessions:
        seen.append(session.session_id)


def request_lines(raw: RawServer) -> list[str]:
    return [head.split(b"\r\n", 1)[0].decode() for head in raw.requests]


async def test_no_echo_and_the_same_sessions_again_ends_the_walk(
    client: SeriesClient, raw: RawServer
) -> None:
    raw.answer(page("a", "b"))  # every request, whatever its ?page=
    seen: list[str] = []
    with pytest.raises(UnexpectedResponseError) as info:
        await walk(client.sessions.iterate(), seen)
    assert seen == ["a", "b"]  # page 1 is handed out before page 2 is judged
    assert info.value.status == 200
    assert info.value.message == (
        "page 2 carries no Page echo and repeats the sessions of page 1 (the server seems "
        "to ignore ?page=); stopping the iteration, which would otherwise never end"
    )
    assert '"SessionId": "b"' in info.value.body
    assert request_lines(raw) == [
        "GET /sessions/list?page=1 HTTP/1.1",
        "GET /sessions/list?page=2 HTTP/1.1",
    ]


async def test_no_echo_repeat_is_caught_on_a_later_page_too(
    client: SeriesClient, raw: RawServer
) -> None:
    raw.answer(page("a"), page("b"), page("b"))
    seen: list[str] = []
    with pytest.raises(UnexpectedResponseError, match="page 3 carries no Page echo"):
        await walk(client.sessions.iterate(status="upcoming"), seen)
    assert seen == ["a", "b"]
    assert len(raw.requests) == 3


async def test_no_echo_pages_that_differ_are_walked_as_usual(
    client: SeriesClient, raw: RawServer
) -> None:
    raw.answer(page("a", "b"), page("b", "a"), page("c"), page())
    seen = [s.session_id async for s in client.sessions.iterate()]
    assert seen == ["a", "b", "b", "a", "c"]  # same ids in another order is not a repeat
    assert request_lines(raw)[-1] == "GET /sessions/list?page=4 HTTP/1.1"


async def test_an_echoed_right_page_with_the_same_sessions_is_trusted(
    client: SeriesClient, raw: RawServer
) -> None:
    # The server says it answered page 2: the content rule is only for pages without echo.
    raw.answer(page("a", echo=1), page("a", echo=2), page(echo=3))
    seen = [s.session_id async for s in client.sessions.iterate()]
    assert seen == ["a", "a"]


async def test_no_echo_on_page_two_after_an_echoed_page_one_is_still_caught(
    client: SeriesClient, raw: RawServer
) -> None:
    raw.answer(page("a", echo=1), page("a"))
    seen: list[str] = []
    with pytest.raises(UnexpectedResponseError, match="repeats the sessions of page 1"):
        await walk(client.sessions.iterate(), seen)
    assert seen == ["a"]


async def test_list_itself_never_compares_pages(client: SeriesClient, raw: RawServer) -> None:
    raw.answer(page("a"))
    first = await client.sessions.list(page=1)
    second = await client.sessions.list(page=2)
    assert (first.page, second.page) == (1, 2)  # the missing echo is the page asked for
    assert [s.session_id for s in second.sessions] == ["a"]


# --- fuzz: whatever the pages say, the walk ends ----------------------------------------


@pytest.fixture(scope="module")
def walk_env() -> Iterator[tuple[asyncio.AbstractEventLoop, RawServer, SeriesClient]]:
    """One loop, raw server and client for all examples (hypothesis runs them in a row)."""
    loop = asyncio.new_event_loop()
    server = RawServer()
    loop.run_until_complete(server.start())
    client = SeriesClient(KEY, base_url=server.url, max_retries=0, timeout=5)
    try:
        yield loop, server, client
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(server.stop())
        loop.close()


pages = st.lists(
    st.tuples(
        st.lists(st.sampled_from("abc"), max_size=3),
        st.none() | st.integers(min_value=1, max_value=4),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=max(settings.default.max_examples // 4, 1))
@given(script=pages)
def test_any_page_script_ends_the_walk(
    walk_env: tuple[asyncio.AbstractEventLoop, RawServer, SeriesClient],
    script: list[tuple[list[str], int | None]],
) -> None:
    """The server answers the script in order, then its last page forever: the walk ends."""
    loop, raw, client = walk_env
    raw.requests.clear()
    raw.answer(*(page(*ids, echo=echo) for ids, echo in script))

    async def walk_all() -> str | None:
        try:
            async for _ in client.sessions.iterate():
                pass
        except UnexpectedResponseError as exc:
            return exc.message
        return None

    ending = loop.run_until_complete(asyncio.wait_for(walk_all(), 10))
    assert ending is None or ending.endswith("which would otherwise never end"), ending
    # The repeated last page is caught by its second copy at the latest.
    assert len(raw.requests) <= len(script) + 2
