"""Issue 16 items 4 and 7 through the sync twin and the ``series`` command line.

Both run the async core on their own loop thread; these tests check that what
the core decides (an unreadable ``Retry-After`` ignored, an unreadable 2xx
retried for a read) reaches their callers intact, ``may_have_acted`` included.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from aiohttp import web

import series_sync
from series_sync._cli import main
from tests.conftest import API_KEY, RetryLog
from tests.sync._server import SESSION, ThreadedServer

pytestmark = pytest.mark.timeout(30)

OVERFLOWING = "Mon, 01 Jan 2024 00:00:00 +99999999999999999999"


class Script:
    """Answers each request with the next scripted response (the last one repeats)."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, bytes, dict[str, str]]] = []
        self.served = 0

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        status, body, headers = self.answers[min(self.served, len(self.answers) - 1)]
        self.served += 1
        return web.Response(status=status, body=body, headers=headers)


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def server(script: Script) -> Iterator[ThreadedServer]:
    with ThreadedServer(script) as running:
        yield running


RANK = {"UserId": "1", "Action": "promote", "PreviousRank": 1, "NewRank": 2}
BUSY = (503, b'{"error": "busy"}', {"Retry-After": OVERFLOWING})
OK = (200, json.dumps({"success": True, "data": SESSION}).encode(), {})


def test_sync_an_overflowing_retry_after_keeps_the_error_and_may_have_acted(
    server: ThreadedServer, script: Script
) -> None:
    script.answers = [BUSY]
    with (
        series_sync.SeriesClient(API_KEY, base_url=server.url) as client,
        pytest.raises(series_sync.InternalServerError) as info,
    ):
        client.ranking.promote(1)
    assert info.value.status == 503
    assert info.value.message == "busy"
    assert info.value.may_have_acted is True
    assert script.served == 1


def test_sync_an_overflowing_retry_after_on_a_read_falls_back_to_the_backoff(
    server: ThreadedServer, script: Script, retry_log: RetryLog
) -> None:
    script.answers = [(429, b"{}", {"Retry-After": "1_0"}), OK]
    with series_sync.SeriesClient(
        API_KEY, base_url=server.url, retry=series_sync.RetryPolicy(jitter=False)
    ) as client:
        session = client.sessions.get("session_1")
    assert session.session_id == "session_1"
    assert retry_log.delays == [0.5]  # not 10 seconds: "1_0" is no number


def test_sync_an_unreadable_2xx_on_a_read_is_retried(
    server: ThreadedServer, script: Script
) -> None:
    script.answers = [(200, b"<html>proxy error</html>", {}), OK]
    with series_sync.SeriesClient(API_KEY, base_url=server.url) as client:
        session = client.sessions.get("session_1")
    assert session.session_id == "session_1"
    assert script.served == 2


def test_cli_an_overflowing_retry_after_is_an_api_error_line(
    server: ThreadedServer,
    script: Script,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    script.answers = [BUSY]
    monkeypatch.setenv("SERIES_API_KEY", API_KEY)
    status = main(["--base-url", server.url, "--max-retries", "0", "ranking", "promote", "1"])
    out, err = capsys.readouterr()
    assert status == 1  # an API status error, not a crash
    assert out == ""
    assert err.startswith("series: InternalServerError 503: busy")
    assert "OverflowError" not in err
