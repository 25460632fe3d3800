"""Retry decisions, backoff, Retry-After, total_timeout and retry logging (no real sleeping)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from series_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    SeriesClient,
    Timeout,
    ValidationError,
)
from series_async._answers import parse_retry_after
from series_async._errors import MAY_HAVE_ACTED_NOTE
from tests.conftest import API_KEY, RetryLog
from tests.recorder import Recorder, Reply, fail, ok

pytestmark = pytest.mark.timeout(10)

SESSION = {"SessionId": "s1", "Title": "T"}
CREATED = {"sessionId": "s1"}
RANK = {"UserId": "1", "Action": "promote", "PreviousRank": 1, "NewRank": 2}


def make(recorder: Recorder, **policy: object) -> SeriesClient:
    return SeriesClient(API_KEY, base_url=recorder.url, retry=RetryPolicy(jitter=False, **policy))  # type: ignore[arg-type]


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_idempotent_call_retried_on_retryable_status(
    recorder: Recorder, retry_log: RetryLog, status: int
) -> None:
    recorder.reply(fail(status, "busy"), fail(status, "busy"), ok(SESSION))
    async with make(recorder) as client:
        session = await client.sessions.get("s1")
    assert session.session_id == "s1"
    assert len(recorder.requests) == 3
    assert retry_log.delays == [0.5, 1.0]


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (418, APIStatusError),
    ],
)
async def test_other_statuses_not_retried(
    recorder: Recorder, retry_log: RetryLog, status: int, error: type[APIStatusError]
) -> None:
    recorder.reply(fail(status, "refused for this test"))
    async with make(recorder) as client:
        with pytest.raises(error, match=r"refused for this test") as info:
            await client.sessions.get("s1")
    assert type(info.value) is error
    assert info.value.status == status
    assert info.value.message == "refused for this test"
    assert len(recorder.requests) == 1
    assert retry_log.delays == []


async def test_gives_up_after_max_retries_with_last_error(recorder: Recorder) -> None:
    recorder.reply(fail(502, "first"), fail(502, "second"), fail(503, "last"))
    async with make(recorder, max_retries=2) as client:
        with pytest.raises(InternalServerError) as info:
            await client.sessions.get("s1")
    assert info.value.status == 503
    assert info.value.message == "last"
    assert len(recorder.requests) == 3


async def test_client_max_retries_shortcut(recorder: Recorder) -> None:
    recorder.reply(fail(500, "down"))
    async with SeriesClient(API_KEY, base_url=recorder.url, max_retries=4) as client:
        assert client.retry_policy.max_retries == 4
        with pytest.raises(InternalServerError):
            await client.sessions.get("s1")
    assert len(recorder.requests) == 5


NON_IDEMPOTENT = [
    (
        "create",
        lambda c: c.sessions.create(title="T", scheduled="2026-01-01T00:00:00Z", duration=5),
        CREATED,
    ),
    (
        "claim",
        lambda c: c.sessions.claim_custom_role("s", user_id=1, role_name="R", slot_key="VACANT_0"),
        {},
    ),
    ("quit", lambda c: c.sessions.quit_custom_role("s", user_id=1, role_name="R"), {}),
    ("remove", lambda c: c.sessions.remove_custom_role("s", target_user_id=1, role_name="R"), {}),
    ("add_attendee", lambda c: c.attendance.add_attendee("s", user_id=1), {}),
    ("promote", lambda c: c.ranking.promote(1), RANK),
    ("demote", lambda c: c.ranking.demote(1), RANK),
]
IDEMPOTENT = [
    ("get", lambda c: c.sessions.get("s1"), SESSION),
    ("list", lambda c: c.sessions.list(), {"Sessions": []}),
    ("update", lambda c: c.sessions.update("s1", title="x"), CREATED),
    (
        "update_attendee",
        lambda c: c.attendance.update_attendee("s", user_id=1, join_time="2026-01-01T00:00:00Z"),
        {"sessionId": "s", "UserId": "1"},
    ),
    ("set_rank", lambda c: c.ranking.set_rank(1, 2), RANK),
    ("check", lambda c: c.keys.check(), {"valid": True}),
]


@pytest.mark.parametrize(
    ("name", "call", "data"), NON_IDEMPOTENT, ids=[n for n, _, _ in NON_IDEMPOTENT]
)
@pytest.mark.parametrize(
    "reply",
    [fail(500, "x"), fail(502, "x"), fail(503, "x"), Reply(drop=True)],
    ids=["500", "502", "503", "drop"],
)
async def test_non_idempotent_not_replayed_after_the_server_may_have_acted(
    recorder: Recorder, retry_log: RetryLog, name: str, call: object, data: object, reply: Reply
) -> None:
    recorder.reply(reply, ok({"SessionId": "s", "RoleName": "R", "UserId": "1", **data}))  # type: ignore[dict-item]
    async with make(recorder) as client:
        with pytest.raises((InternalServerError, APIConnectionError)):
            await call(client)  # type: ignore[operator]
    assert len(recorder.requests) == 1
    assert retry_log.delays == []


@pytest.mark.parametrize(
    ("name", "call", "data"), NON_IDEMPOTENT, ids=[n for n, _, _ in NON_IDEMPOTENT]
)
async def test_non_idempotent_retried_on_429(
    recorder: Recorder, retry_log: RetryLog, name: str, call: object, data: object
) -> None:
    recorder.reply(
        fail(429, "slow", **{"Retry-After": "2"}),
        ok({"SessionId": "s", "RoleName": "R", "UserId": "1", **data}),
    )  # type: ignore[dict-item]
    async with make(recorder) as client:
        await call(client)  # type: ignore[operator]
    assert len(recorder.requests) == 2
    assert retry_log.delays == [2.0]


@pytest.mark.parametrize(("name", "call", "data"), IDEMPOTENT, ids=[n for n, _, _ in IDEMPOTENT])
async def test_idempotent_retried_after_drop(
    recorder: Recorder, name: str, call: object, data: object
) -> None:
    recorder.reply(Reply(drop=True), fail(503, "x"), ok(data))  # type: ignore[arg-type]
    async with make(recorder) as client:
        await call(client)  # type: ignore[operator]
    assert len(recorder.requests) == 3


async def test_non_idempotent_opt_in_replays(recorder: Recorder) -> None:
    recorder.reply(fail(502, "x"), Reply(drop=True), ok(RANK))
    async with make(recorder, retry_non_idempotent=True) as client:
        change = await client.ranking.promote(1)
    assert change.new_rank == 2
    assert len(recorder.requests) == 3


async def test_non_idempotent_retried_when_never_sent(
    recorder: Recorder, retry_log: RetryLog
) -> None:
    url = recorder.url
    await recorder.stop()  # connection refused: the request provably never left
    async with SeriesClient(API_KEY, base_url=url, retry=RetryPolicy(jitter=False)) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.ranking.promote(1)
    assert retry_log.delays == [0.5, 1.0]  # two retries happened
    assert "could not connect" in info.value.message


async def test_non_idempotent_not_retried_after_read_timeout(recorder: Recorder) -> None:
    recorder.reply(Reply(delay=0.5, body=b"{}"))
    async with SeriesClient(
        API_KEY, base_url=recorder.url, timeout=Timeout(total=0.05), retry=RetryPolicy(jitter=False)
    ) as client:
        with pytest.raises(APITimeoutError):
            await client.ranking.demote(1)
        assert len(recorder.requests) == 1
        with pytest.raises(APITimeoutError):
            await client.sessions.get("s1")
    assert len(recorder.requests) == 4  # the idempotent get tried three times


async def test_retry_after_http_date(recorder: Recorder, retry_log: RetryLog) -> None:
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    recorder.reply(fail(429, "slow", **{"Retry-After": when}), ok(SESSION))
    async with make(recorder) as client:
        await client.sessions.get("s1")
    assert len(retry_log.delays) == 1
    assert 27 <= retry_log.delays[0] <= 30


async def test_retry_after_on_503_is_honoured(recorder: Recorder, retry_log: RetryLog) -> None:
    recorder.reply(fail(503, "maintenance", **{"Retry-After": "4"}), ok(SESSION))
    async with make(recorder) as client:
        await client.sessions.get("s1")
    assert retry_log.delays == [4.0]


async def test_retry_after_above_limit_raises_at_once(
    recorder: Recorder, retry_log: RetryLog
) -> None:
    recorder.reply(fail(429, "come back later", **{"Retry-After": "3600"}), ok(SESSION))
    async with make(recorder, max_retry_after=60) as client:
        with pytest.raises(RateLimitError) as info:
            await client.sessions.get("s1")
    assert info.value.retry_after == 3600.0
    assert len(recorder.requests) == 1
    assert retry_log.delays == []


async def test_rate_limit_exhausted_keeps_retry_after(
    recorder: Recorder, retry_log: RetryLog
) -> None:
    recorder.reply(fail(429, "slow", **{"Retry-After": "1"}))
    async with make(recorder, max_retries=1) as client:
        with pytest.raises(RateLimitError) as info:
            await client.sessions.get("s1")
    assert info.value.retry_after == 1.0
    assert retry_log.delays == [1.0]


async def test_backoff_is_capped(recorder: Recorder, retry_log: RetryLog) -> None:
    recorder.reply(fail(500, "x"))
    async with make(recorder, max_retries=5, initial_delay=1.0, max_delay=3.0) as client:
        with pytest.raises(InternalServerError):
            await client.sessions.get("s1")
    assert retry_log.delays == [1.0, 2.0, 3.0, 3.0, 3.0]


async def test_jitter_stays_within_the_exponential_bound(
    recorder: Recorder, retry_log: RetryLog
) -> None:
    recorder.reply(fail(500, "x"))
    policy = RetryPolicy(max_retries=6, initial_delay=1.0, max_delay=8.0, jitter=True)
    async with SeriesClient(API_KEY, base_url=recorder.url, retry=policy) as client:
        with pytest.raises(InternalServerError):
            await client.sessions.get("s1")
    bounds = [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert len(retry_log.delays) == 6
    assert all(0 <= d <= b for d, b in zip(retry_log.delays, bounds, strict=True))
    assert len(set(retry_log.delays)) > 1  # really randomised


async def test_total_timeout_during_sleep(recorder: Recorder, retry_log: RetryLog) -> None:
    recorder.reply(fail(503, "busy"))
    async with make(recorder, initial_delay=5.0, total_timeout=1.0) as client:
        with pytest.raises(APITimeoutError) as info:
            await client.sessions.get("s1")
    assert "total_timeout of 1.0s" in info.value.message
    assert isinstance(info.value.__cause__, InternalServerError)
    assert len(recorder.requests) == 1
    assert retry_log.delays == []


async def test_total_timeout_during_attempt(recorder: Recorder, retry_log: RetryLog) -> None:
    recorder.reply(Reply(delay=0.5, body=b"{}"))
    async with make(recorder, total_timeout=0.1) as client:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(APITimeoutError) as info:
            await client.sessions.get("s1")
        assert loop.time() - started < 1.0
    # The attempt itself used the budget up: no wait before a retry is to blame.
    assert info.value.message.startswith("total_timeout of 0.1s ran out during attempt 1 (")
    assert "wait before retry" not in info.value.message
    assert isinstance(info.value.__cause__, APITimeoutError)
    assert retry_log.delays == []


async def test_retries_logged_at_info_without_key(
    recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    recorder.reply(fail(503, f"busy {API_KEY}"), ok({"valid": True}))
    caplog.set_level(logging.DEBUG, logger="series")
    async with make(recorder) as client:
        await client.keys.check()
    infos = [r for r in caplog.records if r.levelno == logging.INFO]
    assert [r.getMessage() for r in infos] == [
        "Retrying GET /basic/check-key/{apiKey} after 503: attempt 2 of 3 in 0.50s"
    ]
    assert all(r.name == "series" for r in caplog.records)
    assert any(r.levelno == logging.DEBUG for r in caplog.records)
    assert API_KEY not in caplog.text


async def test_each_call_has_its_own_retry_state(recorder: Recorder, retry_log: RetryLog) -> None:
    recorder.reply(fail(503, "x"), ok(SESSION))
    async with make(recorder, max_retries=1) as client:
        await client.sessions.get("s1")
        recorder.replace(fail(503, "x"), ok(SESSION))
        await client.sessions.get("s1")  # a shared, exhausted counter would fail here
    assert retry_log.delays == [0.5, 0.5]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("5", 5.0),
        (" 7 ", 7.0),
        ("00012", 12.0),
        ("99999999999999999999", 1e20),  # readable: far above any max_retry_after
        # RFC 9110: delay-seconds is 1*DIGIT; a plain decimal fraction is tolerated.
        ("0.25", 0.25),
        ("1.5", 1.5),
        (".5", None),
        ("1.", None),
        ("1.2.3", None),
        ("9" * 400 + ".5", None),  # a fraction too large for a float
        ("-3", None),
        ("+3", None),
        ("1_0", None),
        ("1e3", None),
        ("\u0661\u0662", None),  # Arabic-Indic digits: str.isdigit() says yes
        ("soon", None),
        ("nan", None),
        ("inf", None),
        ("-inf", None),
        ("Infinity", None),
        ("1e309", None),
        ("9" * 400, None),  # more than a float can hold
        ("9" * 5000, None),  # more digits than Python turns into an int
        # HTTP dates that overflow a datetime or a timedelta.
        ("Mon, 01 Jan 2024 00:00:00 +99999999999999999999", None),
        ("Mon, 01 Jan 99999999999999999999 00:00:00 GMT", None),
        ("Mon, 99999999999999999999 Jan 2024 00:00:00 GMT", None),
        ("Mon, 01 Jan 2024 99999999999999999999:00:00 GMT", None),
        ("Mon, 01 Jan 10000 00:00:00 GMT", None),
        ("Mon, 01 Jan 2024 00:00:00 -9999", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


OVERFLOWING = "Mon, 01 Jan 2024 00:00:00 +99999999999999999999"


@pytest.mark.parametrize("value", [OVERFLOWING, "1_0", "inf"])
async def test_an_unreadable_retry_after_on_a_429_falls_back_to_the_backoff(
    recorder: Recorder, retry_log: RetryLog, value: str
) -> None:
    recorder.reply(fail(429, "slow", **{"Retry-After": value}))
    async with make(recorder, max_retries=1) as client:
        with pytest.raises(RateLimitError) as info:
            await client.ranking.promote(1)
    assert info.value.retry_after is None
    assert info.value.may_have_acted is False
    assert retry_log.delays == [0.5]  # the policy's own backoff
    assert len(recorder.requests) == 2


async def test_an_unreadable_retry_after_on_a_503_keeps_may_have_acted(
    recorder: Recorder, retry_log: RetryLog
) -> None:
    recorder.reply(fail(503, "busy", **{"Retry-After": OVERFLOWING}))
    async with make(recorder) as client:
        with pytest.raises(InternalServerError) as info:
            await client.ranking.promote(1)
    assert info.value.may_have_acted is True  # a 503 on a promote: it may have acted
    assert info.value.retry_after is None  # declared on every status error; unreadable: None
    assert retry_log.delays == []  # a promote is not replayed after a 5xx


def test_parse_retry_after_past_date_is_zero() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"initial_delay": -0.1}, "initial_delay"),
        ({"max_delay": "1"}, "max_delay"),
        ({"max_retry_after": float("nan")}, "max_retry_after"),
        ({"total_timeout": 0}, "total_timeout"),
        ({"total_timeout": -1}, "total_timeout"),
    ],
)
def test_policy_validation(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


async def test_4xx_after_an_attempt_that_may_have_acted_says_so(recorder: Recorder) -> None:
    # The first set-rank was applied but its answer was lost; the retry is refused
    # because the user is already there. The error must not pretend nothing happened.
    recorder.reply(
        Reply(drop=True), fail(400, "Validation error: User is already at the specified rank")
    )
    async with make(recorder) as client:
        with pytest.raises(BadRequestError) as info:
            await client.ranking.set_rank(714760171, 50)
    # .message stays the API's words; the flag and str() carry the doubt.
    assert info.value.message == "Validation error: User is already at the specified rank"
    assert info.value.may_have_acted is True
    assert str(info.value) == (
        "HTTP 400: Validation error: User is already at the specified rank "
        f"(POST {recorder.url}/ranking/set-rank/714760171/50). {MAY_HAVE_ACTED_NOTE}"
    )
    assert len(recorder.requests) == 2


async def test_4xx_after_a_429_gets_no_note(recorder: Recorder) -> None:
    recorder.reply(fail(429, "slow"), fail(404, "Session not found"))
    async with make(recorder) as client:
        with pytest.raises(NotFoundError) as info:
            await client.sessions.get("s1")
    assert info.value.message == "Session not found"
