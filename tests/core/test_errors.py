"""Status → class mapping, messages from the body, key-free errors, unexpected bodies."""

from __future__ import annotations

import json

import pytest

from series_async import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    SeriesClient,
    SeriesError,
    UnexpectedResponseError,
)
from series_async._errors import MAY_HAVE_ACTED_NOTE
from tests.conftest import API_KEY
from tests.recorder import Recorder, Reply, fail, ok

pytestmark = pytest.mark.timeout(10)


@pytest.fixture
async def no_retry(recorder: Recorder) -> SeriesClient:
    client = SeriesClient(API_KEY, base_url=recorder.url, max_retries=0)
    yield client  # type: ignore[misc]
    await client.aclose()


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (504, InternalServerError),
        (418, APIStatusError),
        (422, APIStatusError),
    ],
)
async def test_status_picks_the_class_body_gives_the_message(
    no_retry: SeriesClient, recorder: Recorder, status: int, cls: type[APIStatusError]
) -> None:
    recorder.reply(fail(status, "Validation error: User is already at the highest rank"))
    with pytest.raises(APIStatusError) as info:
        await no_retry.ranking.set_rank(714760171, 50)
    err = info.value
    assert type(err) is cls
    assert err.status == status
    assert err.message == "Validation error: User is already at the highest rank"
    assert err.code == status
    assert err.body == {
        "success": False,
        "error": {
            "code": status,
            "message": "Validation error: User is already at the highest rank",
        },
    }
    assert err.method == "POST"
    assert err.url == f"{recorder.url}/ranking/set-rank/714760171/50"
    described = (
        f"HTTP {status}: Validation error: User is already at the highest rank "
        f"(POST {recorder.url}/ranking/set-rank/714760171/50)"
    )
    # A 5xx on a call that changes state leaves the caller unsure (section 9).
    assert err.may_have_acted is (status >= 500)
    if status >= 500:
        described += ". " + MAY_HAVE_ACTED_NOTE
    assert str(err) == described


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"error": "Session not found"}, "Session not found"),
        ({"message": "Premium required"}, "Premium required"),
        ({"success": False, "error": {"message": "Role not found"}}, "Role not found"),
    ],
)
async def test_message_variants(
    no_retry: SeriesClient, recorder: Recorder, payload: dict[str, object], message: str
) -> None:
    recorder.reply(Reply(404, json.dumps(payload).encode()))
    with pytest.raises(NotFoundError) as info:
        await no_retry.sessions.get("s1")
    assert info.value.message == message
    assert info.value.code is None or info.value.code == 404


async def test_html_502_is_internal_server_error_with_reason(
    no_retry: SeriesClient, recorder: Recorder
) -> None:
    recorder.reply(Reply(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>"))
    with pytest.raises(InternalServerError) as info:
        await no_retry.sessions.get("s1")
    assert info.value.status == 502
    assert info.value.message == "Bad Gateway"
    assert info.value.body == "<html><body><h1>502 Bad Gateway</h1></body></html>"


async def test_plain_text_error_gives_excerpt(no_retry: SeriesClient, recorder: Recorder) -> None:
    recorder.reply(Reply(503, b"upstream   overloaded\n" + b"x" * 500))
    with pytest.raises(InternalServerError) as info:
        await no_retry.sessions.get("s1")
    assert info.value.message.startswith("upstream overloaded x")
    assert info.value.message.endswith("x... (cut at 200 characters)")
    assert len(info.value.message) == 200 + len("... (cut at 200 characters)")


async def test_redirect_is_not_followed(no_retry: SeriesClient, recorder: Recorder) -> None:
    recorder.reply(Reply(302, b"", {"Location": "https://evil.example/steal"}))
    with pytest.raises(APIStatusError) as info:
        await no_retry.sessions.get("s1")
    assert type(info.value) is APIStatusError
    assert info.value.status == 302
    assert "redirect not followed" in info.value.message
    assert "https://evil.example/steal" in info.value.message
    assert len(recorder.requests) == 1


async def test_rate_limit_error_carries_retry_after(
    no_retry: SeriesClient, recorder: Recorder
) -> None:
    recorder.reply(fail(429, "Too many requests", **{"Retry-After": "7"}))
    with pytest.raises(RateLimitError) as info:
        await no_retry.sessions.get("s1")
    assert info.value.retry_after == 7.0


@pytest.mark.parametrize(
    ("reply", "fragment"),
    [
        (Reply(200, b"not json at all"), "the response body is not JSON"),
        (Reply(200, b'{"success": true}'), 'expected {"success": true, "data": {...}}'),
        (Reply(200, b'{"success": false, "data": {}}'), 'expected {"success": true'),
        (Reply(200, b"[1, 2]"), 'expected {"success": true'),
        (ok({"Title": "no id"}), "could not read a Session from the response"),
        (
            ok({"SessionId": "s", "Title": "t", "Scheduled": "yesterday"}),
            "could not read a Session",
        ),
        (Reply(200, b'{"success": true, "data": {"SessionId": "s", "Ti'), "not JSON"),
    ],
)
async def test_unparseable_success_is_unexpected_response(
    no_retry: SeriesClient, recorder: Recorder, reply: Reply, fragment: str
) -> None:
    recorder.reply(reply)
    with pytest.raises(UnexpectedResponseError) as info:
        await no_retry.sessions.get("s1")
    err = info.value
    assert fragment in err.message
    assert err.status == 200
    assert err.body == reply.body.decode()
    assert err.__cause__ is not None or "expected" in fragment


async def test_unexpected_response_str_truncates_body(
    no_retry: SeriesClient, recorder: Recorder
) -> None:
    recorder.reply(Reply(200, b"x" * 50_000))
    with pytest.raises(UnexpectedResponseError) as info:
        await no_retry.sessions.get("s1")
    # The error keeps a 4 KiB excerpt of the body, never the whole of it.
    assert info.value.body == "x" * 4096 + "... (cut at 4096 characters)"
    assert len(str(info.value)) < 400


async def test_connection_refused_is_api_connection_error(recorder: Recorder) -> None:
    url = recorder.url
    await recorder.stop()
    async with SeriesClient(API_KEY, base_url=url, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.sessions.get("s1")
    assert "could not connect" in info.value.message
    assert info.value.__cause__ is not None
    assert info.value.url == f"{url}/sessions/get/s1"


async def test_dropped_connection_is_api_connection_error(
    no_retry: SeriesClient, recorder: Recorder
) -> None:
    recorder.reply(Reply(drop=True))
    with pytest.raises(APIConnectionError) as info:
        await no_retry.sessions.get("s1")
    host = recorder.url.removeprefix("http://")
    assert info.value.message == (
        f"connection to {host} failed: the server closed the connection without answering"
    )


async def test_key_never_in_error_text(no_retry: SeriesClient, recorder: Recorder) -> None:
    recorder.reply(fail(401, f"Unknown API key {API_KEY}"))
    with pytest.raises(AuthenticationError) as info:
        await no_retry.keys.check()
    err = info.value
    for text in (str(err), repr(err), err.message, err.url, json.dumps(err.body)):
        assert API_KEY not in text
    assert err.url == f"{recorder.url}/basic/check-key/{{apiKey}}"
    assert err.message == "Unknown API key <redacted>"


async def test_key_never_in_unexpected_response(no_retry: SeriesClient, recorder: Recorder) -> None:
    recorder.reply(Reply(200, f"oops {API_KEY}".encode()))
    with pytest.raises(UnexpectedResponseError) as info:
        await no_retry.keys.check()
    assert API_KEY not in str(info.value) + repr(info.value) + info.value.body


def test_every_error_is_a_series_error() -> None:
    for cls in (APIStatusError, APIConnectionError, UnexpectedResponseError, RateLimitError):
        assert issubclass(cls, SeriesError)
    err = RateLimitError("slow down", retry_after=None)
    assert (err.status, err.retry_after) == (429, None)
    assert repr(err) == "RateLimitError(status=429, message='slow down')"


async def test_retry_policy_zero_is_honoured(recorder: Recorder) -> None:
    recorder.reply(fail(503, "busy"))
    async with SeriesClient(API_KEY, base_url=recorder.url, retry=RetryPolicy(max_retries=0)) as c:
        with pytest.raises(InternalServerError):
            await c.sessions.get("s1")
    assert len(recorder.requests) == 1
