"""``series_async.testing.fast_retries()``: retries without waiting, decisions unchanged (§11).

These tests turn the suite's own fast_retries() off (``real_waits=True``) to see
the switch itself: without it each would wait 30 s and hit the test timeout.
"""

from __future__ import annotations

import asyncio

import pytest

import series_sync
from series_async import InternalServerError, RateLimitError, RetryPolicy, SeriesClient
from series_async.testing import fast_retries
from tests.conftest import API_KEY, RetryLog
from tests.recorder import Recorder, fail, ok

pytestmark = [pytest.mark.timeout(10), pytest.mark.series_emulator(real_waits=True)]

SESSION = {"SessionId": "s1", "Title": "T"}
BUSY = fail(503, "busy", **{"Retry-After": "30"})


def make(recorder: Recorder, **policy: object) -> SeriesClient:
    return SeriesClient(API_KEY, base_url=recorder.url, retry=RetryPolicy(**policy))  # type: ignore[arg-type]


async def test_async_with_skips_the_wait_and_logs_the_wait_decided(
    recorder: Recorder, retry_log: RetryLog
) -> None:
    recorder.reply(BUSY, BUSY, ok(SESSION))
    async with fast_retries(), make(recorder) as client:
        assert (await client.sessions.get("s1")).session_id == "s1"
    assert len(recorder.requests) == 3  # the same attempts as with real waits
    assert retry_log.delays == [30.0, 30.0]  # what the policy decided, not what was slept


async def test_nested_blocks_stay_fast_until_the_last_one_closes(
    recorder: Recorder, retry_log: RetryLog
) -> None:
    recorder.reply(BUSY, ok(SESSION), BUSY, ok(SESSION), BUSY, ok(SESSION))
    async with make(recorder) as client:
        with fast_retries():
            with fast_retries():
                await client.sessions.get("s1")
            await client.sessions.get("s1")  # the outer block is still open
        call = asyncio.create_task(client.sessions.get("s1"))
        done, _ = await asyncio.wait({call}, timeout=0.5)
        assert not done  # no block open: the 30 s Retry-After is really waited for
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
    assert retry_log.delays == [30.0, 30.0, 30.0]


async def test_decisions_still_use_the_wait_that_would_apply(recorder: Recorder) -> None:
    recorder.reply(fail(429, "slow down", **{"Retry-After": "120"}))
    async with fast_retries(), make(recorder) as client:
        with pytest.raises(RateLimitError) as info:
            await client.sessions.get("s1")  # 120 s > max_retry_after: raised, not retried
    assert info.value.retry_after == 120.0
    assert len(recorder.requests) == 1

    recorder.replace(BUSY)
    async with fast_retries(), make(recorder, total_timeout=5) as client:
        with pytest.raises(InternalServerError, match="HTTP 503: busy"):
            await client.sessions.get("s1")  # 30 s does not fit total_timeout=5
    assert len(recorder.requests) == 2  # one more: raised at once, not retried


async def test_a_block_in_one_thread_speeds_up_the_sync_twin_in_another(
    recorder: Recorder,
) -> None:
    # The sync client calls from a worker thread; its waits happen on series_sync's
    # loop thread; the block is opened here, in a third thread.
    recorder.reply(BUSY, ok(SESSION))

    def call() -> str:
        with series_sync.SeriesClient(API_KEY, base_url=recorder.url) as client:
            return client.sessions.get("s1").session_id

    with fast_retries():
        assert await asyncio.to_thread(call) == "s1"
    assert len(recorder.requests) == 2
