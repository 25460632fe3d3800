"""Bodies that cannot be read, and statuses outside 100-599 (design §4, §8; issue 16 items 6, 7).

- A body that cannot be decompressed (corrupt gzip or deflate, br or zstd without
  a decoder) is an undecodable body: ``UnexpectedResponseError`` on a 2xx, the
  status's own class otherwise, never ``APIConnectionError``; an undecodable 4xx
  does not by itself set ``may_have_acted``.
- A 2xx that cannot be read (not JSON, bad UTF-8, failed decompression, cut
  short) is retried like a 5xx for idempotent calls, never for the others
  (whatever ``retry_non_idempotent`` says); valid JSON of the wrong shape never is.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from series_async import (
    APIConnectionError,
    APIStatusError,
    InternalServerError,
    NotFoundError,
    RetryPolicy,
    SeriesClient,
    SeriesError,
    Session,
    UnexpectedResponseError,
)
from tests.conftest import RetryLog
from tests.rawserver import RawServer, response

pytestmark = [pytest.mark.timeout(20), pytest.mark.usefixtures("json_backend")]

KEY = "sk_live_undecodable_0123456789"
SESSION = {"SessionId": "s1", "Title": "T"}
RANK = {"UserId": "1", "Action": "promote", "PreviousRank": 1, "NewRank": 2}
OK_SESSION = response(200, json.dumps({"success": True, "data": SESSION}).encode())

CORRUPT: dict[str, tuple[str, bytes]] = {
    "gzip": ("gzip", gzip.compress(b'{"success": true}')[:12] + b"\xff" * 20),
    "deflate": ("deflate", b"\x78\x9c" + b"\xff\xfe" * 10),
    "br": ("br", b"\x1b\x03\x00\xf8\xa5\x0f"),  # no brotli decoder installed
    "zstd": ("zstd", b"\x28\xb5\x2f\xfd\x00\x58\x01\x00\x00"),  # nor a zstd one
}


def encoded(status: int, name: str, reason: str = "X") -> bytes:
    encoding, body = CORRUPT[name]
    return response(status, body, reason=reason, headers={"Content-Encoding": encoding})


@pytest.fixture
async def raw() -> AsyncIterator[RawServer]:
    server = RawServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def client_for(raw: RawServer, **policy: Any) -> SeriesClient:
    return SeriesClient(KEY, base_url=raw.url, timeout=5, retry=RetryPolicy(jitter=False, **policy))


async def call(raw: RawServer, fn: Callable[[SeriesClient], Awaitable[Any]], **policy: Any) -> Any:
    async with client_for(raw, **policy) as client:
        return await fn(client)


async def failure(
    raw: RawServer, fn: Callable[[SeriesClient], Awaitable[Any]], **policy: Any
) -> SeriesError:
    with pytest.raises(SeriesError) as info:
        await call(raw, fn, **policy)
    return info.value


def get(c: SeriesClient) -> Awaitable[Session]:
    return c.sessions.get("s1")


def promote(c: SeriesClient) -> Awaitable[Any]:
    return c.ranking.promote(1)


def create(c: SeriesClient) -> Awaitable[Any]:
    return c.sessions.create(title="t", scheduled="2026-12-01T15:00:00Z", duration=5)


# --- undecodable encodings (item 6) --------------------------------------------------


@pytest.mark.parametrize("name", list(CORRUPT))
async def test_an_undecodable_2xx_is_an_unexpected_response(raw: RawServer, name: str) -> None:
    raw.answer(encoded(200, name, "OK"))
    err = await failure(raw, promote)
    assert type(err) is UnexpectedResponseError
    assert err.status == 200
    assert "could not be decompressed" in err.message
    assert err.may_have_acted is True  # a 2xx: the server acted
    assert len(raw.requests) == 1  # a promote is never replayed


@pytest.mark.parametrize("name", list(CORRUPT))
async def test_an_undecodable_404_is_a_not_found_that_did_not_act(
    raw: RawServer, retry_log: RetryLog, name: str
) -> None:
    raw.answer(encoded(404, name, "Not Found"))
    err = await failure(raw, promote)
    assert type(err) is NotFoundError
    assert err.status == 404
    assert err.message == "Not Found"  # the reason phrase: the body could not be read
    assert err.may_have_acted is False
    assert len(raw.requests) == 1
    assert retry_log.delays == []


@pytest.mark.parametrize("name", ["gzip", "deflate"])
async def test_an_undecodable_503_is_retried_as_a_503_not_as_a_dropped_connection(
    raw: RawServer, retry_log: RetryLog, name: str
) -> None:
    raw.answer(encoded(503, name, "Busy"))
    err = await failure(raw, get)
    assert type(err) is InternalServerError
    assert err.status == 503
    assert err.message == "Busy"
    assert retry_log.delays == [0.5, 1.0]
    # Not an APIConnectionError on a promote either: a 5xx, so it may have acted.
    raw.answer(encoded(503, name, "Busy"))
    err = await failure(raw, promote)
    assert type(err) is InternalServerError
    assert err.may_have_acted is True


async def test_a_valid_gzip_body_is_read(raw: RawServer) -> None:
    body = gzip.compress(json.dumps({"success": True, "data": SESSION}).encode())
    raw.answer(response(200, body, headers={"Content-Encoding": "gzip"}))
    session = await call(raw, get)
    assert session.session_id == "s1"
    # Only what the SDK decodes itself is offered, even where Brotli or zstd is installed.
    assert b"\r\nAccept-Encoding: gzip, deflate\r\n" in raw.requests[0]


@pytest.mark.parametrize(
    ("compress", "encoding"),
    [
        (zlib.compress, "deflate"),
        (lambda b: gzip.compress(gzip.compress(b)), "gzip, gzip"),
        (lambda b: b, "identity"),
    ],
)
async def test_other_valid_encodings_are_read(
    raw: RawServer, compress: Callable[[bytes], bytes], encoding: str
) -> None:
    body = compress(json.dumps({"success": True, "data": SESSION}).encode())
    raw.answer(response(200, body, headers={"Content-Encoding": encoding}))
    session = await call(raw, get)
    assert session.session_id == "s1"


@pytest.mark.parametrize(("status", "read_only"), [(600, True), (999, True), (600, False)])
async def test_a_status_beyond_599_is_an_unexpected_response(
    raw: RawServer, retry_log: RetryLog, status: int, read_only: bool
) -> None:
    raw.answer(response(status, b'{"error": "who knows"}', reason="Odd"))
    err = await failure(raw, get if read_only else promote)
    assert type(err) is UnexpectedResponseError
    assert err.status == status
    assert err.message == f"the API answered with HTTP {status}, a status outside 100-599"
    assert err.body == '{"error": "who knows"}'
    assert err.may_have_acted is not read_only
    assert len(raw.requests) == 1  # a status of unknown meaning is not retried
    assert retry_log.delays == []


async def test_an_uncompressed_body_of_a_normal_error_is_unchanged(raw: RawServer) -> None:
    raw.answer(response(404, b'{"error": {"message": "no such session"}}', reason="NF"))
    err = await failure(raw, get)
    assert type(err) is NotFoundError
    assert err.message == "no such session"


# --- unreadable 2xx bodies are retried for idempotent calls (item 7) -----------------

UNREADABLE: dict[str, bytes] = {
    "html": response(200, b"<html><body>Proxy error</body></html>"),
    "bad utf-8": response(200, b'{"success": true, "data": {"Title": "\xff\xfe"}}'),
    "gzip": encoded(200, "gzip", "OK"),
    "cut short": response(200, b'{"success": true', headers={"Content-Length": "400"}),
    "too deep": response(200, b"[" * 100_000 + b"]" * 100_000),
}


@pytest.mark.parametrize("name", list(UNREADABLE))
async def test_an_unreadable_2xx_on_a_read_is_retried(
    raw: RawServer, retry_log: RetryLog, name: str
) -> None:
    raw.answer(UNREADABLE[name], OK_SESSION)
    session = await call(raw, get)
    assert session.session_id == "s1"
    assert len(raw.requests) == 2
    assert retry_log.delays == [0.5]


async def test_an_unreadable_2xx_on_an_idempotent_update_is_retried_and_tells(
    raw: RawServer, retry_log: RetryLog
) -> None:
    raw.answer(UNREADABLE["html"])
    err = await failure(raw, lambda c: c.sessions.update("s1", title="x"))
    assert type(err) is UnexpectedResponseError
    assert err.status == 200
    assert err.may_have_acted is True  # an update changes state
    assert len(raw.requests) == 3  # retried like a 5xx, then the last error
    assert retry_log.delays == [0.5, 1.0]


@pytest.mark.parametrize("name", list(UNREADABLE))
@pytest.mark.parametrize("opt_in", [False, True])
async def test_an_unreadable_2xx_on_a_create_is_never_replayed(
    raw: RawServer, retry_log: RetryLog, name: str, opt_in: bool
) -> None:
    raw.answer(UNREADABLE[name], OK_SESSION)
    err = await failure(raw, create, retry_non_idempotent=opt_in)
    assert isinstance(err, (UnexpectedResponseError, APIConnectionError))
    assert not isinstance(err, APIStatusError)
    assert err.may_have_acted is True  # a 2xx: it acted
    assert len(raw.requests) == 1
    assert retry_log.delays == []


async def test_json_of_the_wrong_shape_is_never_retried(
    raw: RawServer, retry_log: RetryLog
) -> None:
    raw.answer(
        response(200, json.dumps({"success": True, "data": {"Title": 5}}).encode()), OK_SESSION
    )
    err = await failure(raw, get)
    assert type(err) is UnexpectedResponseError
    assert err.message.startswith("could not read a Session from the response")
    assert len(raw.requests) == 1
    assert retry_log.delays == []


async def test_an_unreadable_2xx_gives_up_after_max_retries(raw: RawServer) -> None:
    raw.answer(UNREADABLE["html"])
    err = await failure(raw, get)
    assert type(err) is UnexpectedResponseError
    assert err.message == "the response body is not JSON"
    assert err.may_have_acted is False  # a read
    assert len(raw.requests) == 3


async def test_unreadable_retries_are_logged(
    raw: RawServer, caplog: pytest.LogCaptureFixture
) -> None:
    raw.answer(UNREADABLE["html"], OK_SESSION)
    caplog.set_level("INFO", logger="series")
    await call(raw, get)
    assert [r.getMessage() for r in caplog.records if r.levelname == "INFO"] == [
        "Retrying GET /sessions/get/{sessionId} after an unreadable 200 answer: "
        "attempt 2 of 3 in 0.50s"
    ]
