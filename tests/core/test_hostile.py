"""Hostile servers and odd inputs (design §8): one regression test per reported escape.

A raw loopback server answers whatever a proxy, a captive portal or a broken
deploy could: malformed HTTP, bodies that never end, JSON nested 100,000 deep.
Every call must end in a model or a documented ``SeriesError`` subclass, with
the key in no text at all (messages, reprs, tracebacks, log output).
"""

from __future__ import annotations

import asyncio
import gc
import gzip
import json
import logging
import traceback
import warnings
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from series_async import (
    APIConnectionError,
    APIStatusError,
    BadRequestError,
    InternalServerError,
    KeyInfo,
    RankChange,
    SeriesClient,
    SeriesError,
    Session,
    Timeout,
    UnexpectedResponseError,
    ValidationError,
)
from series_async._converter import converter
from series_async._transport import MAX_BODY
from tests.rawserver import RawServer, response

# Every test twice: with the stdlib JSON backend and with orjson (the speed extra).
pytestmark = [pytest.mark.timeout(20), pytest.mark.usefixtures("json_backend")]

KEY = "sk_live_hostile_0123456789abcdef"


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


def everything_shown(err: BaseException) -> str:
    """All the text a user could see: str, repr, the full chained traceback, a log line."""
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    log = logging.getLogger("tests.hostile")
    handler = Collect()
    log.addHandler(handler)
    try:
        try:
            raise err
        except SeriesError:
            log.exception("call failed")
    finally:
        log.removeHandler(handler)
    shown = [str(err), repr(err), *records, "".join(traceback.format_exception(err))]
    for attr in ("message", "url", "body"):
        shown.append(json.dumps(getattr(err, attr, ""), default=str))
    return "\n".join(shown)


RANK = {"UserId": "1", "Action": "x", "PreviousRank": 1, "NewRank": 2}
MINUS_TWO = timezone(-timedelta(hours=2))


def envelope(data: Any) -> bytes:
    return json.dumps({"success": True, "data": data}).encode()


# --- the key in error messages -----------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n", "malformed HTTP response"),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n",
            "malformed HTTP response",
        ),
        (b"HTTP/1.1 200 OK\r\nBad Header Line\r\nContent-Length: 0\r\n\r\n", "malformed HTTP"),
        (
            b"HTTP/1.1 200 " + KEY.encode() + b"\r\n\x00bad: " + KEY.encode() + b"\r\n\r\n",
            "malformed HTTP response",
        ),
    ],
    ids=["bad status line", "bad chunked encoding", "bad header line", "key in bad header"],
)
async def test_key_not_in_check_key_errors_from_malformed_answers(
    client: SeriesClient, raw: RawServer, answer: bytes, expected: str
) -> None:
    raw.answer(answer)
    with pytest.raises(APIConnectionError) as info:
        await client.keys.check()
    err = info.value
    host = raw.url.removeprefix("http://")
    assert err.message.startswith(f"connection to {host} failed: the server sent a {expected}")
    assert err.url == f"{raw.url}/basic/check-key/{{apiKey}}"
    assert KEY not in everything_shown(err)
    assert err.__cause__ is not None  # aiohttp's error is still chained, scrubbed


async def test_other_key_checked_is_scrubbed_in_every_spelling(
    client: SeriesClient, raw: RawServer
) -> None:
    other = "sk_other+key/with%odd=chars"
    raw.answer(b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n")
    with pytest.raises(APIConnectionError) as info:
        await client.keys.check(other)
    shown = everything_shown(info.value)
    assert other not in shown
    assert "sk_other%2Bkey%2Fwith%25odd%3Dchars" not in shown


async def test_key_echoed_in_a_reason_phrase_is_scrubbed(
    client: SeriesClient, raw: RawServer
) -> None:
    raw.answer(response(502, b"<html>bad gateway</html>", reason=f"Bad key {KEY}"))
    with pytest.raises(InternalServerError) as info:
        await client.keys.check()
    assert info.value.message == "Bad key <redacted>"
    assert KEY not in everything_shown(info.value)


async def test_a_body_cut_short_says_so_without_a_borrowed_status(
    client: SeriesClient, raw: RawServer
) -> None:
    # The answer's own status is known: a 2xx cut short is an unreadable answer
    # (retried for idempotent calls), not a dropped connection.
    raw.answer(response(200, b'{"success": true', headers={"Content-Length": "100"}))
    with pytest.raises(UnexpectedResponseError) as info:
        await client.sessions.get("s1")
    assert info.value.status == 200
    assert info.value.unreadable is True
    assert info.value.message == (
        "the response body was cut short "
        "(Not enough data to satisfy content length header (received 16 of 100 bytes).)"
    )
    assert "400" not in info.value.message


async def test_connection_refused_names_the_host(raw: RawServer) -> None:
    url = raw.url
    await raw.stop()
    async with SeriesClient(KEY, base_url=url, max_retries=0) as c:
        with pytest.raises(APIConnectionError) as info:
            await c.sessions.get("s1")
    assert info.value.message.startswith(f"could not connect to {url.removeprefix('http://')}: ")


# --- deep nesting -------------------------------------------------------------------


DEEP = b"[" * 100_000 + b"]" * 100_000


async def test_deeply_nested_2xx_body_is_unexpected_response(
    client: SeriesClient, raw: RawServer
) -> None:
    raw.answer(response(200, DEEP))
    with pytest.raises(UnexpectedResponseError) as info:
        await client.sessions.get("s1")
    assert info.value.message == "the response body is JSON nested too deeply to decode"
    assert info.value.status == 200
    assert len(info.value.body) < 5000


@pytest.mark.parametrize(("status", "cls"), [(400, BadRequestError), (500, InternalServerError)])
async def test_deeply_nested_error_body_keeps_the_status_class(
    client: SeriesClient, raw: RawServer, status: int, cls: type[APIStatusError]
) -> None:
    raw.answer(response(status, DEEP, reason="Nope"))
    with pytest.raises(cls) as info:
        await client.sessions.get("s1")
    assert info.value.status == status
    assert info.value.message.startswith("[[[[")  # the fallback: a short excerpt
    assert info.value.message.endswith("... (cut at 200 characters)")


async def test_bad_utf8_2xx_body_is_unexpected_response(
    client: SeriesClient, raw: RawServer
) -> None:
    raw.answer(response(200, b'{"success": true, "data": {"SessionId": "\xff\xfe"}}'))
    with pytest.raises(UnexpectedResponseError, match="not UTF-8"):
        await client.sessions.get("s1")


# --- silent coercion ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "data", "field"),
    [
        (KeyInfo, {"valid": "false"}, "valid"),
        (KeyInfo, {"valid": 1}, "valid"),
        (Session, {"SessionId": None, "Title": "t"}, "SessionId"),
        (Session, {"SessionId": "s", "Title": ["t"]}, "Title"),
        (Session, {"SessionId": "s", "Title": "t", "Duration": 2.5}, "Duration"),
        (Session, {"SessionId": "s", "Title": "t", "Delayed": "no"}, "Delayed"),
        (Session, {"SessionId": "s", "Title": "t", "Status": 3}, "Status"),
        (Session, {"SessionId": "s", "Title": "t", "CustomRoles": "x"}, "CustomRoles"),
        (
            Session,
            {
                "SessionId": "s",
                "Title": "t",
                "CustomRoles": {"R": {"Slots": {"1": {"Attended": 0}}}},
            },
            "Attended",
        ),
        (
            RankChange,
            _rank := {"UserId": "1", "Action": "x", "PreviousRank": 1, "NewRank": 2.9},
            "NewRank",
        ),
        (RankChange, {**RANK, "NewRank": 2, "Action": ["x"]}, "Action"),
        (RankChange, {**RANK, "NewRank": True, "Action": "x"}, "NewRank"),
    ],
)
def test_wrong_typed_values_are_refused_not_coerced(
    model: type[object], data: dict[str, Any], field: str
) -> None:
    with pytest.raises((TypeError, ValueError)) as info:
        converter.structure(data, model)
    assert str(info.value).startswith("expected "), (field, info.value)


def test_the_two_tolerated_spellings_still_parse() -> None:
    change = converter.structure(
        {"userId": 714, "Action": "promote", "PreviousRank": "1", "NewRank": 2}, RankChange
    )
    assert (change.user_id, change.previous_rank, change.new_rank) == ("714", 1, 2)


async def test_wrong_type_over_the_wire_is_unexpected_response(
    client: SeriesClient, raw: RawServer
) -> None:
    raw.answer(response(200, envelope({"valid": "false"})))
    with pytest.raises(UnexpectedResponseError) as info:
        await client.keys.check()
    assert "expected true or false, got a string" in info.value.message


# --- the read cap -------------------------------------------------------------------


async def test_a_body_over_the_cap_is_not_read_further(
    client: SeriesClient, raw: RawServer
) -> None:
    sent: list[int] = []

    async def endless(writer: asyncio.StreamWriter) -> None:
        writer.write(response(200, headers={"Transfer-Encoding": "chunked"}))
        # The key straddles the excerpt's cut: no piece of it may survive.
        head = b"x" * 4090 + KEY.encode()
        writer.write(b"%x\r\n%s\r\n" % (len(head), head))
        chunk = b"x" * 65536
        for _ in range(4 * MAX_BODY // len(chunk)):
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent.append(len(chunk))
            await writer.drain()

    raw.answer(endless)
    with pytest.raises(UnexpectedResponseError) as info:
        await client.sessions.get("s1")
    assert info.value.message.startswith("the response body is larger than the 8 MiB limit")
    assert info.value.body == "x" * 4090 + "<redac... (cut at 4096 characters)"
    assert sum(sent) < 2 * MAX_BODY  # the client hung up instead of reading it all


async def test_a_huge_content_length_is_refused_before_reading(
    client: SeriesClient, raw: RawServer
) -> None:
    raw.answer(response(200, b"{}", headers={"Content-Length": str(10**12)}))
    with pytest.raises(UnexpectedResponseError, match=r"Content-Length 1000000000000"):
        await client.sessions.get("s1")


async def test_a_gzip_bomb_is_stopped_at_the_cap(client: SeriesClient, raw: RawServer) -> None:
    bomb = gzip.compress(b" " * (4 * MAX_BODY), compresslevel=9)
    assert len(bomb) < 100_000
    raw.answer(response(200, bomb, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(UnexpectedResponseError, match=r"larger than the 8 MiB limit; not read"):
        await client.sessions.get("s1")


async def test_an_error_body_keeps_only_an_excerpt(client: SeriesClient, raw: RawServer) -> None:
    big = json.dumps({"error": {"message": "m"}, "pad": "p" * 100_000}).encode()
    raw.answer(response(500, big))
    with pytest.raises(InternalServerError) as info:
        await client.sessions.get("s1")
    assert info.value.message == "m"
    assert isinstance(info.value.body, str)
    assert len(info.value.body) <= 4096 + 40


# --- arguments that passed validation, then raised ----------------------------------


@pytest.mark.parametrize("agent", ["bot\r\nX-Evil: 1", "bot\x00", "bot\x7f", "bot\ud800"])
def test_user_agent_that_cannot_be_a_header_is_refused(agent: str) -> None:
    with pytest.raises(ValidationError) as info:
        SeriesClient(KEY, user_agent=agent)
    assert info.value.field == "user_agent"


@pytest.mark.parametrize(
    "url", ["https://api.series.hr /x", "https://api.series.hr/a b", "https://api\t.series.hr"]
)
def test_whitespace_in_base_url_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="whitespace") as info:
        SeriesClient(KEY, base_url=url)
    assert info.value.field == "base_url"


def test_an_infinite_timeout_is_refused() -> None:
    with pytest.raises(ValidationError, match="finite") as info:
        SeriesClient(KEY, timeout=float("inf"))
    assert info.value.field == "timeout.total"
    with pytest.raises(ValidationError, match="finite") as info:
        Timeout(read=float("inf"))
    assert info.value.field == "timeout.read"


def test_lone_surrogate_in_the_key_is_refused_without_quoting_it() -> None:
    with pytest.raises(ValidationError) as info:
        SeriesClient("sk_abc\ud800def")
    assert info.value.field == "api_key"
    assert "abc" not in str(info.value)


async def test_unsendable_arguments_are_validation_errors_before_io(
    client: SeriesClient, raw: RawServer
) -> None:
    cases = [
        ("session_id", lambda: client.sessions.get("s\ud800")),
        ("api_key", lambda: client.keys.check("sk_\udfff")),
        ("title", lambda: client.sessions.update("s1", title="t\ud800")),
        ("user_id", lambda: client.ranking.promote(10**5000)),
        ("duration", lambda: client.sessions.update("s1", duration=10**5000)),
        ("page", lambda: client.sessions.list(page=2**60)),
        ("scheduled", lambda: client.sessions.update("s1", scheduled="0001-01-01T00:00:00+01:00")),
        (
            "scheduled",
            lambda: client.sessions.update(
                "s1", scheduled=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))
            ),
        ),
        (
            "join_time",
            lambda: client.attendance.add_attendee(
                "s1",
                user_id=1,
                join_time=datetime(9999, 12, 31, 23, tzinfo=MINUS_TWO),
            ),
        ),
    ]
    for field, call in cases:
        with pytest.raises(ValidationError) as info:
            await call()
        assert info.value.field == field, (field, info.value)
    assert raw.requests == []


# --- iterate and a server that ignores ?page= ----------------------------------------


async def test_iterate_ends_when_the_server_ignores_the_page(
    client: SeriesClient, raw: RawServer
) -> None:
    page_one = envelope({"Page": 1, "Sessions": [{"SessionId": "a", "Title": "t"}]})
    raw.answer(response(200, page_one))
    sessions = client.sessions.iterate()
    assert (await anext(sessions)).session_id == "a"
    with pytest.raises(UnexpectedResponseError, match="asked for page 2 but the answer is page 1"):
        await anext(sessions)
    assert len(raw.requests) == 2


async def test_list_of_one_page_does_not_check_the_echo(
    client: SeriesClient, raw: RawServer
) -> None:
    raw.answer(response(200, envelope({"Page": 1, "Sessions": []})))
    page = await client.sessions.list(page=3)
    assert page.page == 1  # list() reports what the API said; only iterate() must end


# --- aclose() from another loop ------------------------------------------------------


def test_aclose_from_a_new_loop_leaves_no_socket() -> None:
    from series_async.testing import SeriesEmulator

    with SeriesEmulator() as emulator:
        client = SeriesClient(emulator.api_key, base_url=emulator.url)

        async def use() -> None:
            assert (await client.keys.check()).valid

        asyncio.run(use())  # the first loop is closed afterwards, the socket pooled
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            asyncio.run(client.aclose())
            gc.collect()
        assert client.closed
        assert [str(w.message) for w in caught] == []


async def test_a_dns_failure_names_the_host() -> None:
    # .invalid never resolves (RFC 6761): no network is needed to see the failure.
    async with SeriesClient(KEY, base_url="https://nohost.invalid", max_retries=0) as c:
        with pytest.raises(APIConnectionError) as info:
            await c.sessions.get("s1")
    assert info.value.message.startswith(
        "could not connect to nohost.invalid:443: name resolution failed ("
    )
    assert info.value.url == "https://nohost.invalid/sessions/get/s1"


@pytest.mark.parametrize(
    "url", ["ftp://user:pw-secret@host", "https://user:pw-secret@", "https://user:pw-secret@a..b"]
)
def test_a_refused_base_url_is_not_quoted_with_its_credentials(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        SeriesClient(KEY, base_url=url)
    assert info.value.field == "base_url"
    assert "pw-secret" not in str(info.value)


async def test_an_authenticated_call_keeps_aiohttp_cause_with_the_header_scrubbed(
    client: SeriesClient, raw: RawServer
) -> None:
    raw.answer(b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n")
    with pytest.raises(APIConnectionError) as info:
        await client.sessions.get("s1")
    cause = info.value.__cause__
    assert cause is not None  # chained for debugging...
    assert "'apikey': '<redacted>'" in repr(cause)  # ...with the apikey header scrubbed
    assert KEY not in everything_shown(info.value) + repr(cause)


# --- the JSON backends agree (each test here runs with the stdlib and with orjson) ---

SESSION_DATA = {"SessionId": "s1", "Title": "Training", "Status": "upcoming"}


async def test_integers_beyond_64_bits_read_as_the_stdlib_reads_them(
    client: SeriesClient, raw: RawServer
) -> None:
    # orjson reads these as floats; the pipeline must end up with the stdlib's ints.
    huge = 123456789012345678901234567890
    body = envelope(
        {**SESSION_DATA, "CoHost": huge, "Duration": 2**64, "MinHostRank": -(2**63) - 1}
    )
    raw.answer(response(200, body))
    session = await client.sessions.get("s1")
    assert session.co_host == str(huge)
    assert session.duration == 2**64
    assert session.min_host_rank == -(2**63) - 1


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"1.5", "TypeError: expected an integer, got a number"),
        (b"NaN", "TypeError: expected an integer, got a number"),
        (b"-Infinity", "TypeError: expected an integer, got a number"),
        (b"1e400", "TypeError: expected an integer, got a number"),
        (b"true", "TypeError: expected an integer, got a boolean"),
    ],
)
async def test_numbers_orjson_cannot_read_fail_alike(
    client: SeriesClient, raw: RawServer, value: bytes, reason: str
) -> None:
    body = b'{"success":true,"data":{"SessionId":"s1","Title":"t","Duration":' + value + b"}}"
    raw.answer(response(200, body))
    with pytest.raises(UnexpectedResponseError) as info:
        await client.sessions.get("s1")
    assert info.value.message == f"could not read a Session from the response ({reason})"
    assert info.value.status == 200


@pytest.mark.parametrize("depth", [600, 1100])
async def test_nesting_between_the_two_decoders_limits_reads_alike(
    client: SeriesClient, raw: RawServer, depth: int
) -> None:
    # orjson stops at 1024 levels, the stdlib at the recursion limit (about 1000 minus
    # the stack): an ignored field nested in between must give one answer, not two.
    nested = b"[" * depth + b"]" * depth
    body = b'{"success":true,"data":{"SessionId":"s1","Title":"t","Extra":' + nested + b"}}"
    raw.answer(response(200, body))
    try:
        stdlib_outcome: object = json.loads(body.decode())["data"]["SessionId"]
    except RecursionError:
        stdlib_outcome = RecursionError
    if stdlib_outcome is RecursionError:
        with pytest.raises(UnexpectedResponseError) as info:
            await client.sessions.get("s1")
        assert info.value.message == "the response body is JSON nested too deeply to decode"
    else:
        assert (await client.sessions.get("s1")).session_id == stdlib_outcome


async def test_a_lone_surrogate_escape_reads_alike(client: SeriesClient, raw: RawServer) -> None:
    # The stdlib accepts "\ud800" (orjson does not): the title keeps it.
    raw.answer(response(200, b'{"success":true,"data":{"SessionId":"s1","Title":"a\\ud800"}}'))
    assert (await client.sessions.get("s1")).title == "a\ud800"
