"""``client.with_options(...)`` and the Discord 3-second budget (design section 9)."""

from __future__ import annotations

import attrs
import pytest

from series_async import (
    APITimeoutError,
    BadRequestError,
    RateLimitError,
    RetryPolicy,
    SeriesClient,
    SeriesError,
    Timeout,
    ValidationError,
)
from tests.conftest import API_KEY, RetryLog
from tests.recorder import Recorder, fail, ok

pytestmark = pytest.mark.timeout(20)

SESSION = {"SessionId": "s1", "Title": "T"}


async def test_derived_client_shares_the_session_and_replaces_settings(recorder: Recorder) -> None:
    recorder.reply(ok(SESSION))
    policy = RetryPolicy(max_retry_after=5.0, jitter=False)
    async with SeriesClient(API_KEY, base_url=recorder.url, retry=policy) as client:
        fast = client.with_options(timeout=2.5, max_retries=0)
        assert fast.retry_policy == attrs.evolve(policy, max_retries=0)
        assert client.retry_policy is policy  # the original is untouched
        await fast.sessions.get("s1")
        await client.sessions.get("s1")
        # One transport, one aiohttp session, one pool for both.
        assert fast._transport is client._transport
        assert client._transport._session is not None
        assert repr(fast) == repr(client)
        assert fast.base_url == client.base_url
    assert len(recorder.requests) == 2
    assert recorder.requests[0].headers["apikey"] == API_KEY


async def test_timeout_applies_to_the_derived_client_only(recorder: Recorder) -> None:
    recorder.reply(attrs.evolve(ok(SESSION), delay=0.3))
    async with SeriesClient(API_KEY, base_url=recorder.url, max_retries=0) as client:
        with pytest.raises(APITimeoutError):
            await client.with_options(timeout=0.05).sessions.get("s1")
        assert (await client.sessions.get("s1")).session_id == "s1"
        limits = Timeout(total=0.05, connect=1.0, read=None)
        with pytest.raises(APITimeoutError):
            await client.with_options(timeout=limits).sessions.get("s1")


async def test_max_retries_zero_sends_once(recorder: Recorder) -> None:
    recorder.reply(fail(503, "busy"))
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        with pytest.raises(SeriesError):
            await client.with_options(max_retries=0).sessions.get("s1")
        assert len(recorder.requests) == 1
        with pytest.raises(SeriesError):
            await client.sessions.get("s1")
        assert len(recorder.requests) == 4  # the original still retries twice


async def test_discord_budget_a_429_answers_at_once_with_retry_after(
    recorder: Recorder, retry_log: RetryLog
) -> None:
    recorder.reply(fail(429, "Too many requests", **{"Retry-After": "20"}))
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        with pytest.raises(RateLimitError) as info:
            await client.with_options(timeout=2.5, max_retries=0).sessions.get("s1")
    assert info.value.retry_after == 20.0
    assert retry_log.delays == []
    assert len(recorder.requests) == 1


async def test_a_429_whose_wait_does_not_fit_total_timeout_stays_a_rate_limit(
    recorder: Recorder, retry_log: RetryLog
) -> None:
    # The issue: total_timeout=2.5 used to turn this into APITimeoutError, losing retry_after.
    recorder.reply(fail(429, "Too many requests", **{"Retry-After": "20"}))
    policy = RetryPolicy(total_timeout=2.5)
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        with pytest.raises(RateLimitError) as info:
            await client.with_options(retry=policy).ranking.promote(1)
    assert info.value.retry_after == 20.0
    assert info.value.may_have_acted is False
    assert retry_log.delays == []


async def test_a_429_without_retry_after_whose_backoff_does_not_fit_stays_a_rate_limit(
    recorder: Recorder, retry_log: RetryLog
) -> None:
    recorder.reply(fail(429, "Too many requests"))
    policy = RetryPolicy(total_timeout=0.5, initial_delay=1.0, jitter=False)
    async with SeriesClient(API_KEY, base_url=recorder.url, retry=policy) as client:
        with pytest.raises(RateLimitError) as info:
            await client.sessions.get("s1")
    assert info.value.retry_after is None
    assert retry_log.delays == []


async def test_a_5xx_whose_backoff_does_not_fit_is_still_a_timeout(
    recorder: Recorder, retry_log: RetryLog
) -> None:
    recorder.reply(fail(503, "busy"))
    policy = RetryPolicy(total_timeout=0.5, initial_delay=1.0, jitter=False)
    async with SeriesClient(API_KEY, base_url=recorder.url, retry=policy) as client:
        with pytest.raises(APITimeoutError, match=r"total_timeout of 0.5s would run out"):
            await client.sessions.get("s1")
    assert retry_log.delays == []


async def test_closing_the_original_closes_derived_clients(recorder: Recorder) -> None:
    recorder.reply(ok(SESSION))
    client = SeriesClient(API_KEY, base_url=recorder.url)
    fast = client.with_options(max_retries=0)
    faster = fast.with_options(timeout=1.0)
    await fast.sessions.get("s1")
    session = client._transport._session
    assert session is not None
    await client.aclose()
    assert session.closed
    for derived in (fast, faster):
        assert derived.closed
        with pytest.raises(SeriesError, match=r"^client is closed"):
            await derived.sessions.get("s1")


async def test_closing_a_derived_client_leaves_the_original_open(recorder: Recorder) -> None:
    recorder.reply(ok(SESSION))
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        async with client.with_options(timeout=2.5) as fast:
            await fast.sessions.get("s1")
        assert fast.closed  # the derived client stops...
        with pytest.raises(SeriesError, match=r"^client is closed"):
            await fast.sessions.get("s1")
        assert not client.closed  # ...but nothing shared was closed
        assert client._transport._session is not None
        assert not client._transport._session.closed
        assert (await client.sessions.get("s1")).session_id == "s1"


async def test_derived_from_a_derived_keeps_what_it_does_not_replace(recorder: Recorder) -> None:
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        fast = client.with_options(timeout=1.5).with_options(max_retries=1)
        assert fast._options.timeout == Timeout(total=1.5, connect=1.5, read=1.5)
        assert fast.retry_policy.max_retries == 1
        assert fast._connection is client._connection


def test_bad_options_are_refused() -> None:
    client = SeriesClient(API_KEY)
    with pytest.raises(ValidationError, match=r"^timeout: None would let a call wait forever"):
        client.with_options(timeout=None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"^max_retries: must be an integer >= 0"):
        client.with_options(max_retries=-1)
    with pytest.raises(ValidationError, match=r"^retry: must be a RetryPolicy"):
        client.with_options(retry=3)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"^max_retries: conflicts with retry="):
        client.with_options(retry=RetryPolicy(max_retries=3), max_retries=1)
    both = client.with_options(retry=RetryPolicy(max_retries=3), max_retries=3)
    assert both.retry_policy == RetryPolicy(max_retries=3)


OTHER_KEY = "sk_live_other_group_0123456789"
THIRD_KEY = "sk_live_third/group+key_98765"


async def test_another_key_travels_over_the_same_pool(recorder: Recorder) -> None:
    recorder.reply(ok(SESSION))
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        other = client.with_options(api_key=OTHER_KEY)
        await other.sessions.get("s1")
        await client.sessions.get("s1")
        assert other._transport is client._transport  # one aiohttp session and pool
        assert OTHER_KEY not in repr(other)
        again = other.with_options(timeout=2)  # not given: keeps the derived key
        await again.sessions.get("s1")
    assert [r.headers["apikey"] for r in recorder.requests] == [OTHER_KEY, API_KEY, OTHER_KEY]


async def test_keys_check_on_a_derived_client_checks_its_own_key(recorder: Recorder) -> None:
    recorder.reply(ok({"valid": True, "status": "active"}))
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        await client.with_options(api_key=THIRD_KEY).keys.check()
        await client.keys.check()
    assert recorder.requests[0].raw_path == "/basic/check-key/sk_live_third%2Fgroup%2Bkey_98765"
    assert recorder.requests[1].raw_path == f"/basic/check-key/{API_KEY}"


async def test_every_key_of_the_family_is_scrubbed_from_every_client(recorder: Recorder) -> None:
    # A server echoing keys: the root's error must not show a key given later to a
    # derived client, nor a derived client's error the root's key or a sibling's.
    echo = f"bad keys: {API_KEY} {OTHER_KEY} {THIRD_KEY}"
    recorder.reply(fail(400, echo))
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        other = client.with_options(api_key=OTHER_KEY)
        third = other.with_options(api_key=THIRD_KEY)
        for member in (client, other, third):
            with pytest.raises(BadRequestError) as info:
                await member.sessions.get("s1")
            shown = f"{info.value} {info.value!r} {info.value.body}"
            for key in (API_KEY, OTHER_KEY, THIRD_KEY):
                assert key not in shown
            assert info.value.message == "bad keys: <redacted> <redacted> <redacted>"


def test_a_bad_key_for_with_options_is_refused_by_name() -> None:
    client = SeriesClient(API_KEY)
    with pytest.raises(ValidationError, match=r"^api_key: must be a string, got NoneType$"):
        client.with_options(api_key=None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"^api_key: must not contain whitespace"):
        client.with_options(api_key="sk live")
