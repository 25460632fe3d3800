"""The emulator takes anything (design §5): hostile requests get a 400 envelope, never a 500.

One test per finding of the outside probe (issue 16, item 8): bodies nested
100,000 deep, times that overflow when shifted to UTC, corrupt gzip request
bodies, 5,000-digit page and rank numbers, years below 1000, and a quiet stop
while a ``delay`` fault holds a request.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import zlib

import pytest

from series_async import SeriesClient
from series_async.testing import SeriesEmulator

from .conftest import HOST, Api

pytestmark = pytest.mark.timeout(30)

BIG = "9" * 5000
INT32_MAX = 2**31 - 1


async def test_a_body_nested_100000_deep_is_a_400(api: Api) -> None:
    raw = b"[" * 100_000 + b"]" * 100_000
    answer = await api.call("POST", "/sessions/create", raw=raw)
    assert answer.status == 400
    assert answer.message == "Validation error: request body is nested too deeply"


@pytest.mark.parametrize(
    "scheduled",
    ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"],
    ids=["past-9999", "before-year-1"],
)
async def test_a_time_that_overflows_in_utc_is_a_400(api: Api, scheduled: str) -> None:
    body = {"Title": "T", "Scheduled": scheduled, "Duration": 60}
    answer = await api.call("POST", "/sessions/create", body)
    assert answer.status == 400
    assert answer.message == (
        "Validation error: Scheduled is outside the years 1-9999 once shifted to UTC"
    )
    assert api.emulator.state.sessions == {}


async def test_an_attendance_time_that_overflows_is_a_400(api: Api) -> None:
    session_id = await api.create()
    body = {"UserId": HOST, "JoinTime": "9999-12-31T23:59:59-23:59"}
    answer = await api.call("POST", f"/attendance/add-attendee/{session_id}", body)
    assert answer.status == 400
    assert answer.message == (
        "Validation error: JoinTime is outside the years 1-9999 once shifted to UTC"
    )


async def test_a_corrupt_gzip_body_is_a_400(api: Api) -> None:
    good = gzip.compress(b'{"Title": "T"}')
    corrupt = good[:10] + b"\x00garbage\xff" * 4
    headers = {"apikey": api.emulator.api_key, "Content-Encoding": "gzip"}
    answer = await api.call("POST", "/sessions/create", raw=corrupt, headers=headers)
    assert answer.status == 400
    assert answer.message == "Validation error: request body cannot be decompressed (gzip)"
    assert api.emulator.state.sessions == {}


@pytest.mark.parametrize(
    ("encoding", "message"),
    [
        ("br", "Content-Encoding 'br' is not supported (gzip, deflate or identity)"),
        ("zstd", "Content-Encoding 'zstd' is not supported (gzip, deflate or identity)"),
        ("deflate", "request body cannot be decompressed (deflate)"),
    ],
)
async def test_an_undecodable_encoding_is_a_400(api: Api, encoding: str, message: str) -> None:
    headers = {"apikey": api.emulator.api_key, "Content-Encoding": encoding}
    answer = await api.call("POST", "/sessions/create", raw=b"not compressed", headers=headers)
    assert answer.status == 400
    assert answer.message == f"Validation error: {message}"


async def test_a_gzip_bomb_is_refused_without_inflating_it(api: Api) -> None:
    bomb = gzip.compress(b" " * (64 * 1024**2))  # 64 MiB of spaces in ~64 KB
    headers = {"apikey": api.emulator.api_key, "Content-Encoding": "gzip"}
    answer = await api.call("POST", "/sessions/create", raw=bomb, headers=headers)
    assert answer.status == 413
    assert answer.message == "Request body is larger than 1048576 bytes once decompressed"


@pytest.mark.parametrize("encoding", ["gzip", "x-gzip", "deflate", "identity, gzip"])
async def test_a_good_compressed_body_is_read(api: Api, encoding: str) -> None:
    body = b'{"Title": "T", "Scheduled": "2026-12-01T15:00:00Z", "Duration": 60}'
    packed = zlib.compress(body) if encoding == "deflate" else gzip.compress(body)
    headers = {"apikey": api.emulator.api_key, "Content-Encoding": encoding}
    answer = await api.call("POST", "/sessions/create", raw=packed, headers=headers)
    assert answer.status == 201, answer.body


@pytest.mark.parametrize("page", [BIG, str(INT32_MAX + 1), "²", "٣"])
async def test_a_malformed_page_is_a_400(api: Api, page: str) -> None:
    answer = await api.call("GET", f"/sessions/list?page={page}")
    assert answer.status == 400
    assert answer.message == (
        f"Validation error: page must be an integer between 1 and {INT32_MAX}"
    )


async def test_a_page_past_the_end_is_still_an_empty_200(api: Api) -> None:
    await api.create()
    answer = await api.call("GET", f"/sessions/list?page={INT32_MAX}")
    assert answer.status == 200
    assert answer.data["Page"] == INT32_MAX
    assert answer.data["Sessions"] == []


@pytest.mark.parametrize("rank", [BIG, str(INT32_MAX + 1), "²"])
async def test_a_malformed_rank_is_a_400(api: Api, rank: str) -> None:
    answer = await api.call("POST", f"/ranking/set-rank/{HOST}/{rank}", {})
    assert answer.status == 400
    assert (
        answer.message == "Validation error: RankNumber must be a valid integer between 0 and 255"
    )


async def test_every_timestamp_written_has_a_four_digit_year(api: Api) -> None:
    session_id = await api.create(Scheduled="0999-06-01T12:00:00Z")
    answer = await api.call("GET", f"/sessions/get/{session_id}")
    assert answer.data["Scheduled"] == "0999-06-01T12:00:00.000Z"
    listed = await api.call("GET", "/sessions/list")
    assert [s["Scheduled"] for s in listed.data["Sessions"]] == ["0999-06-01T12:00:00.000Z"]  # type: ignore[index, union-attr]


async def test_a_session_in_year_999_round_trips_through_the_sdk(
    series_emulator: SeriesEmulator,
) -> None:
    from datetime import datetime, timezone

    when = datetime(999, 6, 1, 12, tzinfo=timezone.utc)
    async with SeriesClient(series_emulator.api_key, base_url=series_emulator.url) as client:
        created = await client.sessions.create(title="Old", scheduled=when, duration=60)
        assert created.scheduled == when
        assert (await client.sessions.get(created.session_id)).scheduled == when
        assert [s.scheduled async for s in client.sessions.iterate()] == [when]


async def test_a_query_longer_than_aiohttps_8_kib_line_still_gets_the_envelope(api: Api) -> None:
    answer = await api.call("GET", f"/sessions/list?page={BIG}&status={BIG}")
    assert answer.status == 400
    assert answer.message == f"Validation error: page must be an integer between 1 and {INT32_MAX}"


async def test_a_request_aiohttp_cannot_parse_logs_no_traceback(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    # Past the raised limit aiohttp answers by itself (plain text); it must not log an error.
    async with api.session.get(f"{api.emulator.url}/sessions/list?page={'9' * 70_000}") as answer:
        assert answer.status == 400
        assert answer.content_type == "text/plain"
    assert [r for r in caplog.records if r.levelno >= 40] == []


STOP_WHILE_HELD = """
import asyncio, gc
import aiohttp
from series_async.testing import SeriesEmulator

async def give_up(url, key):
    # The client leaves while the delay fault holds its request.
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.1)) as session:
        try:
            await session.get(url + "/sessions/list", headers={"apikey": key})
        except asyncio.TimeoutError:
            print("client gave up")

async def main_async():
    emulator = SeriesEmulator()
    await emulator.astart()
    emulator.inject("delay", delay=30)
    await give_up(emulator.url, emulator.api_key)
    await emulator.astop()

if MODE == "sync":
    emulator = SeriesEmulator().start()
    emulator.inject("delay", delay=30)
    asyncio.run(give_up(emulator.url, emulator.api_key))
    emulator.stop()
else:
    asyncio.run(main_async())
gc.collect()
print("stopped")
"""


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_stopping_with_a_request_held_by_a_delay_prints_nothing(mode: str) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", "-c", f"MODE = {mode!r}\n{STOP_WHILE_HELD}"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "client gave up\nstopped\n"
