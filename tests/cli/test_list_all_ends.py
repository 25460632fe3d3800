"""``series sessions list --all`` ends against a server that ignores ``?page=`` (design §8).

The server is a raw loopback one (tests/rawserver.py) on its own thread: it
answers the same page, with no ``Page`` echo, whatever page is asked for.
Before the fix the command streamed that page forever.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator

import pytest

from tests.rawserver import RawServer, response

from .conftest import series

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def raw() -> Iterator[RawServer]:
    """A RawServer served from a private loop thread (the CLI runs in a subprocess)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = RawServer()
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def test_list_all_stops_when_every_page_is_page_one(raw: RawServer) -> None:
    sessions = [{"SessionId": i, "Title": "t", "Host": "1"} for i in ("s1", "s2")]
    body = json.dumps({"success": True, "data": {"Sessions": sessions}}).encode()
    raw.answer(response(200, body))
    env = {"SERIES_BASE_URL": raw.url, "SERIES_API_KEY": "sk_live_cli_loop_0123456789"}
    result = series("--max-retries", "0", "sessions", "list", "--all", env=env)
    assert result.status == 4  # UnexpectedResponseError
    assert [json.loads(line)["session_id"] for line in result.out.splitlines()] == ["s1", "s2"]
    assert result.err.startswith(
        "series: UnexpectedResponseError 200: page 2 carries no Page echo and repeats the "
        "sessions of page 1"
    )
    assert len(result.err.splitlines()) == 1
    lines = [head.split(b"\r\n", 1)[0] for head in raw.requests]
    assert lines == [b"GET /sessions/list?page=1 HTTP/1.1", b"GET /sessions/list?page=2 HTTP/1.1"]
