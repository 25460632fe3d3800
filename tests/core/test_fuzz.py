"""Fuzzing (hypothesis): whatever a server answers, whatever a caller passes.

- Responses: random statuses, reason phrases, headers (bad ``Retry-After``,
  lying or huge ``Content-Length``, bad chunking, bogus ``Content-Encoding``)
  and bodies (random bytes, random JSON shapes with wrong types and nulls, deep
  nesting, huge numbers and strings) through a raw loopback server. Every call
  ends in its model or a documented ``SeriesError`` subclass, within its
  timeout, and no text of the error holds the key.
- Inputs: random values for every parameter of every public method end in a
  request or a ``ValidationError`` naming that parameter, never anything else.

Bounded by ``max_examples`` here and derandomized by the "ci" profile
(``tests/conftest.py``); ``HYPOTHESIS_PROFILE=explore`` searches further.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from series_async import (
    UNSET,
    APIConnectionError,
    APIStatusError,
    Attendee,
    CreatedSession,
    CustomRole,
    InternalServerError,
    KeyInfo,
    RankChange,
    RoleAssignment,
    RolePermissions,
    SeriesClient,
    SeriesError,
    Session,
    SessionPage,
    SessionStatus,
    Timeout,
    UnexpectedResponseError,
    ValidationError,
)
from series_async.testing import fast_retries
from tests.rawserver import RawServer, response

# Every test twice: with the stdlib JSON backend and with orjson (the speed extra).
pytestmark = pytest.mark.usefixtures("json_backend")

KEY = "sk_live_fuzz_0123456789abcdef"
CALL_LIMIT = 8.0  # seconds: well above the client's own 2 s per attempt

Env = tuple[asyncio.AbstractEventLoop, RawServer, SeriesClient]


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    """One loop, raw server and client for all examples (hypothesis runs them in a row)."""
    loop = asyncio.new_event_loop()
    server = RawServer()
    loop.run_until_complete(server.start())
    client = SeriesClient(
        KEY, base_url=server.url, max_retries=0, timeout=Timeout(total=2, connect=1, read=1)
    )
    try:
        yield loop, server, client
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(server.stop())
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


# --- response fuzzing ----------------------------------------------------------------

FIELD_NAMES = [
    "SessionId", "sessionId", "Title", "Page", "Sessions", "valid", "Valid", "UserId", "userId",
    "Action", "PreviousRank", "NewRank", "CustomRoles", "Slots", "Status", "Scheduled",
    "Duration", "RoleName", "message", "Delayed", "Claimable", "joinTime", "duration",
]  # fmt: skip
# As JSON text: Python itself refuses to turn more than 4,300 digits into an int.
HUGE_NUMBER = st.integers(min_value=1, max_value=6000).map(lambda n: b"9" * n)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.just(KEY),
    st.sampled_from(["2026-12-01T15:00:00Z", "upcoming", "VACANT_0", "123", "true", "false"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=15,
)
data_objects = st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=10)


def _dump(value: Any) -> bytes:
    return json.dumps(value).encode()


def _deep(n: int) -> bytes:
    return b"[" * n + b"]" * n


bodies = st.one_of(
    st.builds(lambda d, ok: _dump({"success": ok, "data": d}), data_objects, st.booleans()),
    st.builds(lambda e: _dump({"success": False, "error": e}), json_values),
    json_values.map(_dump),
    st.binary(max_size=300),
    st.integers(min_value=1, max_value=150_000).map(_deep),
    HUGE_NUMBER.map(lambda n: b'{"success": true, "data": {"Page": %s, "NewRank": %s}}' % (n, n)),
    st.integers(min_value=1, max_value=3_000_000).map(
        lambda n: _dump({"success": True, "data": {"SessionId": "s", "Title": "x" * n}})
    ),
)
header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=30
)
headers = st.dictionaries(
    st.sampled_from(["Retry-After", "Content-Type", "Content-Encoding", "Location", "X-Junk"]),
    header_text | st.sampled_from(["gzip", "deflate", "br", "-1", "1e309", "nan", KEY]),
    max_size=3,
)
FRAMINGS = ["length", "long", "short", "huge", "chunked", "bad chunks", "close"]


def frame(status: int, reason: str, hdrs: dict[str, str], body: bytes, framing: str) -> bytes:
    """Build the raw answer, framed right or wrong."""
    if framing == "length":
        return response(status, body, reason=reason, headers=hdrs)
    if framing in ("long", "short", "huge"):
        length = {"long": len(body) + 10, "short": len(body) // 2, "huge": 10**15}[framing]
        return response(
            status, body, reason=reason, headers={**hdrs, "Content-Length": str(length)}
        )
    if framing == "close":
        return response(status, body, reason=reason, headers=hdrs, length=False)
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in (body[:50], body[50:]) if c)
    if framing == "bad chunks":
        chunks = b"zz\r\n" + chunks
    chunked = {**hdrs, "Transfer-Encoding": "chunked"}
    return response(status, reason=reason, headers=chunked) + chunks + b"0\r\n\r\n"


CALLS: list[tuple[str, Callable[[SeriesClient], Awaitable[object]], type]] = [
    ("keys.check", lambda c: c.keys.check(), KeyInfo),
    ("sessions.get", lambda c: c.sessions.get("s1"), Session),
    ("sessions.list", lambda c: c.sessions.list(page=2), SessionPage),
    ("sessions.iterate", lambda c: anext(aiter(c.sessions.iterate())), Session),
    (
        "sessions.create",
        lambda c: c.sessions.create(title="t", scheduled="2026-12-01T15:00:00Z", duration=5),
        CreatedSession,
    ),
    (
        "sessions.claim_custom_role",
        lambda c: c.sessions.claim_custom_role(
            "s1", user_id=1, role_name="Trainer", slot_key="VACANT_0"
        ),
        RoleAssignment,
    ),
    ("attendance.add_attendee", lambda c: c.attendance.add_attendee("s1", user_id=2), Attendee),
    ("ranking.promote", lambda c: c.ranking.promote(3), RankChange),
]
DOCUMENTED = (APIConnectionError, APIStatusError, UnexpectedResponseError)


def _run(env: Env, call: Callable[[SeriesClient], Awaitable[object]]) -> tuple[object, Any]:
    loop, _, client = env

    async def bounded() -> object:
        return await asyncio.wait_for(call(client), CALL_LIMIT)

    try:
        return loop.run_until_complete(bounded()), None
    except StopAsyncIteration:  # iterate: an empty first page is a normal end
        return None, None
    except SeriesError as exc:
        return None, exc


@given(
    which=st.sampled_from(CALLS),
    status=st.integers(min_value=200, max_value=599) | st.sampled_from([200, 429, 500, 503]),
    reason=header_text | st.just(f"Key {KEY}"),
    hdrs=headers,
    body=bodies,
    framing=st.sampled_from(FRAMINGS),
)
def test_any_answer_ends_in_a_model_or_a_documented_error(
    env: Env,
    which: tuple[str, Callable[[SeriesClient], Awaitable[object]], type],
    status: int,
    reason: str,
    hdrs: dict[str, str],
    body: bytes,
    framing: str,
) -> None:
    name, call, model = which
    env[1].answer(frame(status, reason, hdrs, body, framing))
    result, error = _run(env, call)
    if error is None:
        assert (result is None and name == "sessions.iterate") or isinstance(result, model)
        return
    assert isinstance(error, DOCUMENTED), repr(error)
    shown = str(error) + repr(error) + json.dumps(getattr(error, "body", ""), default=str)
    assert KEY not in shown
    assert len(shown) < 40_000  # excerpts only, never a whole body


# --- input fuzzing -------------------------------------------------------------------


def _offset(minutes: int) -> timezone:
    return timezone(timedelta(minutes=minutes))


simple = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**5000, -(10**5000), 2**53, 2**64]),
    st.floats(),
    st.text(max_size=12),
    st.text(max_size=6).map(lambda s: s + "\ud800"),
    st.text("0123456789", min_size=1, max_size=25),
    st.sampled_from(
        [
            "VACANT_0",
            "upcoming",
            "2026-12-01",
            "2026-12-01T15:00:00Z",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "a/../b",
            "",
            " ",
        ]
    ),
    st.datetimes(timezones=st.none() | st.integers(-1439, 1439).map(_offset)),
    st.dates(),
    st.binary(max_size=6),
    st.just(UNSET),
    st.sampled_from(SessionStatus),
)
roles = st.builds(
    CustomRole,
    name=simple,
    slots=simple,
    min_rank=simple,
    permissions=st.builds(
        RolePermissions,
        change_session_status=simple,
        pass_or_fail_attendees=simple,
        modify_attendance=simple,
    )
    | simple,
)
anything = simple | st.lists(roles | simple, max_size=3) | st.tuples(roles)

GROUPS = ("sessions", "attendance", "ranking", "keys")


def _public(group: str) -> list[str]:
    resource = type(getattr(SeriesClient(KEY), group))  # never opened: nothing to close
    return [n for n, _ in inspect.getmembers(resource, inspect.isfunction) if n[0] != "_"]


METHODS = [(group, name) for group in GROUPS for name in _public(group)]


def test_every_public_method_is_fuzzed() -> None:
    # The 13 endpoints and iterate(): a new method is picked up without editing this file.
    assert len(METHODS) == 14
    assert ("sessions", "iterate") in METHODS


@given(data=st.data(), which=st.sampled_from(METHODS))
def test_any_argument_is_sent_or_refused_by_name(
    env: Env, data: st.DataObject, which: tuple[str, str]
) -> None:
    loop, server, client = env
    server.answer(response(500, b'{"error": "fuzz"}'))
    group, name = which
    method = getattr(getattr(client, group), name)
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for param in inspect.signature(method).parameters.values():
        if param.default is not inspect.Parameter.empty and data.draw(st.booleans()):
            continue  # left out
        value = data.draw(anything, label=param.name)
        if param.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[param.name] = value
        else:
            args.append(value)

    async def call() -> object:
        result = method(*args, **kwargs)
        if inspect.isasyncgen(result):
            return await anext(result)
        return await result

    before = len(server.requests)
    with pytest.raises((InternalServerError, ValidationError)) as info:
        loop.run_until_complete(asyncio.wait_for(call(), CALL_LIMIT))
    error = info.value
    if isinstance(error, InternalServerError):
        assert len(server.requests) == before + 1  # sent (the fuzz server answers 500)
        return
    root = re.split(r"[\[.]", error.field)[0]
    assert root in set(inspect.signature(method).parameters) | {name}, error
    assert len(server.requests) == before  # refused before any I/O


CLIENT_PARAMS = [
    p for p in inspect.signature(SeriesClient).parameters if p not in ("base_url", "session")
]


@given(data=st.data())
def test_any_client_argument_is_refused_by_name_or_works(env: Env, data: st.DataObject) -> None:
    loop, server, _ = env
    server.answer(response(500, b'{"error": "fuzz"}'))
    kwargs = {
        name: data.draw(anything | st.floats(min_value=1e-3, max_value=1e9), label=name)
        for name in CLIENT_PARAMS
        if data.draw(st.booleans())
    }
    kwargs.setdefault("api_key", KEY)
    retries = kwargs.get("max_retries")
    if isinstance(retries, int) and retries > 3:
        kwargs["max_retries"] = 3  # a billion retries is valid, and takes as long as it says

    async def construct_and_call() -> None:
        async with SeriesClient(base_url=server.url, **kwargs) as client:
            await client.keys.check()

    with fast_retries(), pytest.raises(SeriesError) as info:
        loop.run_until_complete(asyncio.wait_for(construct_and_call(), CALL_LIMIT))
    error = info.value
    if isinstance(error, ValidationError):
        assert error.field.split(".")[0] in CLIENT_PARAMS, error
    elif kwargs["api_key"] is None:  # and no $SERIES_API_KEY: the documented refusal
        assert error.message.startswith("no API key: pass api_key=..."), error
    else:  # it was built and sent: the 500, or a tiny timeout running out
        assert isinstance(error, (InternalServerError, APIConnectionError)), repr(error)


@given(url=anything | st.text(max_size=40).map(lambda s: "https://" + s))
def test_any_base_url_is_accepted_or_refused_by_name(url: Any) -> None:
    try:
        client = SeriesClient(KEY, base_url=url, allow_insecure_http=True)
    except ValidationError as exc:
        assert exc.field == "base_url"  # noqa: PT017 - the other outcome is no exception
    else:
        assert client.base_url.startswith(("http://", "https://"))
        assert not any(ch.isspace() for ch in client.base_url)
