"""``SeriesError.may_have_acted``: did the call perhaps happen? (design section 9)."""

from __future__ import annotations

import asyncio
import json

import pytest

from series_async import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    SeriesClient,
    SeriesError,
    Timeout,
    UnexpectedResponseError,
    ValidationError,
)
from series_async._errors import MAY_HAVE_ACTED_NOTE
from series_async._transport import CLOSED_IN_FLIGHT
from tests.conftest import API_KEY, RetryLog, retry_announced
from tests.recorder import Recorder, Reply, fail, ok

pytestmark = pytest.mark.timeout(20)

SESSION = {"SessionId": "s1", "Title": "T"}
RANK = {"UserId": "1", "Action": "promote", "PreviousRank": 1, "NewRank": 2}
ALREADY = "Validation error: User is already at the specified rank"


def make(url: str, **policy: object) -> SeriesClient:
    return SeriesClient(
        API_KEY,
        base_url=url,
        timeout=Timeout(total=5, connect=5, read=0.2),
        retry=RetryPolicy(jitter=False, **policy),  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------- read-only calls: never


@pytest.mark.parametrize(
    "replies",
    [
        [fail(503, "busy")],
        [Reply(drop=True)],
        [Reply(delay=1.0)],  # read timeout after sending
        [fail(503, "busy"), fail(404, "Session not found")],
        [Reply(drop=True), fail(404, "Session not found")],
        [Reply(200, b"not json")],
    ],
    ids=["503", "drop", "timeout", "503-then-404", "drop-then-404", "garbled-2xx"],
)
async def test_read_only_calls_never_may_have_acted(
    recorder: Recorder, replies: list[Reply]
) -> None:
    recorder.reply(*replies)
    calls = [
        lambda client: client.sessions.get("s1"),
        lambda client: client.sessions.list(),
        lambda client: client.keys.check(),
    ]
    async with make(recorder.url, max_retries=len(replies) - 1) as client:
        for call in calls:
            recorder.replace(*replies)
            with pytest.raises(SeriesError) as info:
                await call(client)
            assert info.value.may_have_acted is False
            assert MAY_HAVE_ACTED_NOTE not in str(info.value)


async def test_the_issue_case_a_get_after_503_then_404_keeps_the_apis_words(
    recorder: Recorder,
) -> None:
    recorder.reply(fail(503, "busy"), fail(404, "Session not found"))
    async with make(recorder.url) as client:
        with pytest.raises(NotFoundError) as info:
            await client.sessions.get("s1")
    assert info.value.message == "Session not found"
    assert str(info.value) == f"HTTP 404: Session not found (GET {recorder.url}/sessions/get/s1)"


# ---------------------------------------------------------------- state-changing calls


async def test_drop_after_send_may_have_acted(recorder: Recorder) -> None:
    recorder.reply(Reply(drop=True))
    async with make(recorder.url) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.ranking.promote(1)
    assert info.value.may_have_acted is True
    assert str(info.value).endswith(MAY_HAVE_ACTED_NOTE)
    assert len(recorder.requests) == 1  # promote is not replayed


async def test_timeout_after_send_may_have_acted(recorder: Recorder) -> None:
    recorder.reply(Reply(delay=1.0))
    async with make(recorder.url) as client:
        with pytest.raises(APITimeoutError) as info:
            await client.sessions.claim_custom_role(
                "s1", user_id=1, role_name="T", slot_key="VACANT_0"
            )
    assert info.value.may_have_acted is True


async def test_failure_before_sending_did_not_act(recorder: Recorder, retry_log: RetryLog) -> None:
    url = recorder.url
    await recorder.stop()  # nothing listens: the connection is refused, nothing sent
    async with make(url, max_retries=1) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.ranking.promote(1)
    assert info.value.may_have_acted is False
    assert MAY_HAVE_ACTED_NOTE not in str(info.value)
    assert len(retry_log.delays) == 1  # retried: provably not acted


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_may_have_acted(recorder: Recorder, status: int) -> None:
    recorder.reply(fail(status, "boom"))
    async with make(recorder.url) as client:
        with pytest.raises(InternalServerError) as info:
            await client.attendance.add_attendee("s1", user_id=1)
    err = info.value
    assert err.may_have_acted is True
    assert err.message == "boom"
    assert repr(err) == f"InternalServerError(status={status}, message='boom', may_have_acted=True)"


async def test_a_429_did_not_act(recorder: Recorder) -> None:
    recorder.reply(fail(429, "slow down", **{"Retry-After": "1"}))
    async with make(recorder.url) as client:
        with pytest.raises(RateLimitError) as info:
            await client.ranking.demote(1)
    assert info.value.may_have_acted is False
    assert len(recorder.requests) == 3  # retried like any 429


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409])
async def test_a_plain_4xx_did_not_act(recorder: Recorder, status: int) -> None:
    recorder.reply(fail(status, "no"))
    async with make(recorder.url) as client:
        with pytest.raises(SeriesError) as info:
            await client.sessions.update("s1", title="x")
    assert info.value.may_have_acted is False


async def test_validation_errors_never_acted(recorder: Recorder) -> None:
    async with make(recorder.url) as client:
        with pytest.raises(ValidationError) as info:
            await client.ranking.set_rank(1, 300)
    assert info.value.may_have_acted is False
    assert recorder.requests == []


async def test_a_4xx_after_a_drop_is_a_possible_echo(recorder: Recorder) -> None:
    recorder.reply(Reply(drop=True), fail(400, ALREADY))
    async with make(recorder.url) as client:
        with pytest.raises(BadRequestError) as info:
            await client.ranking.set_rank(1, 50)
    assert info.value.message == ALREADY
    assert info.value.may_have_acted is True


async def test_a_4xx_after_a_5xx_is_a_possible_echo(recorder: Recorder) -> None:
    recorder.reply(fail(503, "busy"), fail(400, ALREADY))
    async with make(recorder.url) as client:
        with pytest.raises(BadRequestError) as info:
            await client.ranking.set_rank(1, 50)
    assert info.value.may_have_acted is True


async def test_a_4xx_after_a_429_is_not_an_echo(recorder: Recorder) -> None:
    recorder.reply(fail(429, "slow"), fail(400, ALREADY))
    async with make(recorder.url) as client:
        with pytest.raises(BadRequestError) as info:
            await client.ranking.set_rank(1, 50)
    assert info.value.may_have_acted is False


async def test_a_429_that_ends_a_call_after_a_possible_success_keeps_the_flag(
    recorder: Recorder,
) -> None:
    # The drop may have applied the set-rank; a 429 on the retries says nothing
    # about that first attempt, so the call as a whole stays "may have acted".
    recorder.reply(Reply(drop=True), fail(429, "slow"))
    async with make(recorder.url) as client:
        with pytest.raises(RateLimitError) as info:
            await client.ranking.set_rank(1, 50)
    assert info.value.may_have_acted is True
    assert len(recorder.requests) == 3


async def test_a_2xx_that_cannot_be_read_may_have_acted(recorder: Recorder) -> None:
    recorder.reply(Reply(200, b"<html>proxy says hi</html>"))
    async with make(recorder.url) as client:
        with pytest.raises(UnexpectedResponseError) as info:
            await client.sessions.create(title="T", scheduled="2030-01-01T00:00:00Z", duration=5)
    assert info.value.may_have_acted is True


async def test_success_after_retries_raises_nothing(recorder: Recorder) -> None:
    recorder.reply(fail(503, "busy"), ok(RANK))
    async with make(recorder.url) as client:
        change = await client.ranking.set_rank(1, 2)
    assert change.new_rank == 2


# ---------------------------------------------------------------- a client closed mid-call


async def test_close_while_a_request_is_on_the_wire(recorder: Recorder) -> None:
    recorder.reply(Reply(delay=2.0))
    client = SeriesClient(API_KEY, base_url=recorder.url)
    call = asyncio.ensure_future(client.ranking.promote(1))
    for _ in range(500):  # until the promote has reached the server
        if recorder.requests:
            break
        await asyncio.sleep(0.01)
    await client.aclose()
    with pytest.raises(SeriesError) as info:
        await call
    assert type(info.value) is SeriesError
    assert info.value.message == CLOSED_IN_FLIGHT
    assert info.value.may_have_acted is True  # the promote had been sent
    with pytest.raises(SeriesError, match=r"^client is closed: create a new SeriesClient$"):
        await client.ranking.promote(1)  # a call started on a closed client


@pytest.mark.series_emulator(real_waits=True)
async def test_close_during_a_retry_sleep_of_a_read(recorder: Recorder) -> None:
    recorder.reply(fail(503, "busy"), ok(SESSION))
    client = make(recorder.url, initial_delay=0.25)
    with retry_announced() as waiting:
        call = asyncio.create_task(client.sessions.get("s1"))
        await waiting.wait()  # the call now waits 0.25 s before its retry
        await client.aclose()
        with pytest.raises(SeriesError) as info:
            await call
    assert info.value.message == CLOSED_IN_FLIGHT
    assert info.value.may_have_acted is False


def test_the_note_is_one_sentence_added_by_str_only() -> None:
    err = SeriesError("connection to the API failed")
    err.may_have_acted = True
    assert err.message == "connection to the API failed"
    assert err.args == ("connection to the API failed",)
    assert str(err) == f"connection to the API failed. {MAY_HAVE_ACTED_NOTE}"
    assert MAY_HAVE_ACTED_NOTE.count(".") == 1
    assert MAY_HAVE_ACTED_NOTE.endswith(".")
    assert json.dumps(err.message)  # still a plain string
