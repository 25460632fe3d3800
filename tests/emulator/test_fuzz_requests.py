"""Fuzzing the emulator (hypothesis): hostile clients get a documented answer, never a 500.

Random methods, paths (the 13 routes with odd segments, and paths of no
route), query values (huge and non-ASCII digits, odd dates), headers (keys,
``Content-Encoding`` good, corrupt or unknown) and bodies (random JSON shapes
built from the API's own field names with hostile values: times that overflow
in UTC, years below 1000, huge integers, deep nesting; and random bytes).
Every answer must be a documented status with the documented envelope, and
the server must log no error (aiohttp logs a traceback for a handler that
raises).

Bounded and derandomized by the "ci" profile (``tests/conftest.py``);
``HYPOTHESIS_PROFILE=explore`` searches further.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import zlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import aiohttp
import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from series_async.testing import SeriesEmulator

from .conftest import GROUP_ONLY, HOST, TRAINER

STATUSES = {200, 201, 400, 401, 403, 404, 405, 409, 413, 429}


@attrs.define
class Env:
    loop: asyncio.AbstractEventLoop
    emulator: SeriesEmulator
    session: aiohttp.ClientSession
    logged: list[logging.LogRecord]
    session_id: str


class _Collect(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record)


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    """One loop, emulator and HTTP session for all examples (hypothesis runs them in a row)."""
    loop = asyncio.new_event_loop()
    emulator = SeriesEmulator(seed=7)
    loop.run_until_complete(emulator.astart())
    session = aiohttp.ClientSession(loop=loop, auto_decompress=False)
    logged: list[logging.LogRecord] = []
    handler = _Collect(logged)
    server_log = logging.getLogger("series_async.testing.server")
    server_log.addHandler(handler)

    async def seed_session() -> str:
        body = {"Title": "Fuzz", "Scheduled": "2026-12-01T15:00:00Z", "Duration": 60}
        async with session.post(
            emulator.url + "/sessions/create", json=body, headers={"apikey": emulator.api_key}
        ) as answer:
            data = await answer.json()
        return str(data["data"]["sessionId"])

    try:
        yield Env(loop, emulator, session, logged, loop.run_until_complete(seed_session()))
    finally:
        server_log.removeHandler(handler)
        loop.run_until_complete(session.close())
        loop.run_until_complete(emulator.astop())
        loop.close()


# --- strategies ------------------------------------------------------------------------

FIELDS = [
    "Title", "Description", "Host", "CoHost", "Supervisor", "Scheduled", "Duration",
    "Claimable", "CustomRoles", "UserId", "TargetUserId", "RoleName", "SlotKey",
    "JoinTime", "LeaveTime", "Username", "DisplayName", "AvatarUrl", "Comment",
    "name", "slots", "minRank", "permissions", "ChangeSessionStatus",
]  # fmt: skip

# Huge values are built by .map: a strategy's repr holding them costs more than the request.
huge_digits = st.sampled_from([5000, 4301, 400]).map(lambda n: "9" * n)
hostile_text = st.one_of(
    st.text(max_size=12),
    huge_digits,
    huge_digits.map(lambda digits: "VACANT_" + digits),
    st.sampled_from(
        [
            str(2**31),
            str(2**63),
            "²",
            "٣",
            "-1",
            "0",
            "",
            " ",
            "VACANT_0",
            HOST,
            TRAINER,
            GROUP_ONLY,
            "Trainer",
        ]
    ),
)
hostile_time = st.sampled_from(
    [
        "9999-12-31T23:59:59-23:59",
        "0001-01-01T00:00:00+23:59",
        "0999-06-01T12:00:00Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999Z",
        "2026-02-30T00:00:00Z",
        "2026-12-01T15:00:00+99:99",
        "2026-12-01T15:00:00",
        "2026-12-01",
    ]
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([4000, -4000, 31, 53, 64]).map(lambda n: (-1 if n < 0 else 1) * 10 ** abs(n)),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text,
    hostile_time,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(FIELDS), inner),
    max_leaves=5,
)
json_bodies = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6)


def _deep(depth: int) -> bytes:
    return b'{"Title": ' + b"[" * depth + b"]" * depth + b"}"


raw_bodies = st.one_of(
    json_bodies.map(lambda body: json.dumps(body).encode()),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=40),
    st.sampled_from(["deep", "open", "inf", "bom"]).map(
        lambda kind: {
            "deep": _deep(100_000),
            "open": b"[" * 100_000,
            "inf": b'{"Duration": 1e999}',
            "bom": b"\xff\xfe{}",
        }[kind]
    ),
)
ENCODINGS = ["", "identity", "gzip", "x-gzip", "deflate", "br", "zstd", "gzip, gzip", "bogus"]


def _encode(body: bytes, encoding: str, corrupt: bool) -> bytes:
    if encoding in ("gzip", "x-gzip"):
        body = gzip.compress(body)
    elif encoding == "deflate":
        body = zlib.compress(body)
    elif encoding == "gzip, gzip":
        body = gzip.compress(gzip.compress(body))
    return body[: len(body) // 2] + b"\x00junk" if corrupt else body


ROUTES = [
    ("GET", "/basic/check-key/{key}"),
    ("POST", "/sessions/create"),
    ("GET", "/sessions/get/{session}"),
    ("GET", "/sessions/list"),
    ("PATCH", "/sessions/update/{session}"),
    ("PATCH", "/sessions/{session}/custom-roles/claim"),
    ("PATCH", "/sessions/{session}/custom-roles/quit"),
    ("PATCH", "/sessions/{session}/custom-roles/remove"),
    ("POST", "/attendance/add-attendee/{session}"),
    ("POST", "/attendance/update-attendee/{session}"),
    ("POST", "/ranking/promote/{user}"),
    ("POST", "/ranking/demote/{user}"),
    ("POST", "/ranking/set-rank/{user}/{rank}"),
    ("GET", "/{odd}"),
    ("DELETE", "/sessions/{odd}/{odd}"),
]
BAD_KEYS = ["", "sk_wrong", "x" * 300, "sk_test_demo\\", "9" * 5000]
QUERY_KEYS = ["page", "status", "date", "start", "end", "host", "x"]
query_values = (
    hostile_text | hostile_time | st.sampled_from(["2026-12-01", "9999-99-99", "upcoming"])
)


KEY = "sk_test_demo"  # the demo workspace's key
SESSION = "@session@"  # replaced by the id of the session made by the fixture


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    method, template = draw(st.sampled_from(ROUTES))
    if draw(st.integers(0, 9)) == 0:
        method = draw(st.sampled_from(["GET", "POST", "PATCH", "PUT", "DELETE"]))

    def segment(default: str) -> str:
        return quote(
            draw(st.just(default) | hostile_text | st.text(min_size=1, max_size=8)), safe=""
        )

    path = template.format(
        key=segment(KEY),
        session=segment(SESSION),
        user=segment(HOST),
        rank=segment("50"),
        odd=segment("x"),
    )
    query = draw(st.dictionaries(st.sampled_from(QUERY_KEYS), query_values, max_size=3))
    headers = {}
    auth = draw(st.sampled_from(["good", "good", "good", "none", "bad"]))
    if auth != "none":
        headers["apikey"] = KEY if auth == "good" else draw(st.sampled_from(BAD_KEYS))
    encoding = draw(st.sampled_from(ENCODINGS))
    body = draw(raw_bodies)
    if encoding:
        headers["Content-Encoding"] = encoding
        body = _encode(body, encoding, corrupt=draw(st.booleans()))
    headers["Content-Type"] = draw(st.sampled_from(["application/json", "text/plain"]))
    return {"method": method, "path": path, "query": query, "headers": headers, "body": body}


# --- the property -------------------------------------------------------------------------


@settings(max_examples=max(settings.default.max_examples // 4, 1))  # ci: 50, ~2 s
@given(request=requests())
def test_any_request_gets_a_documented_status_and_envelope(
    env: Env, request: dict[str, Any]
) -> None:
    assert env.emulator.api_key == KEY
    env.logged.clear()

    async def send() -> tuple[int, bytes]:
        async with env.session.request(
            request["method"],
            env.emulator.url + request["path"].replace(quote(SESSION, safe=""), env.session_id),
            params=request["query"],
            headers=request["headers"],
            data=request["body"],
        ) as answer:
            return answer.status, await answer.read()

    status, raw = env.loop.run_until_complete(asyncio.wait_for(send(), 10))
    assert status in STATUSES, (status, raw[:300])
    body = json.loads(raw)
    assert isinstance(body, dict)
    if status < 400:
        assert body["success"] is True, body
        assert isinstance(body["data"], dict), body
    else:
        assert body["success"] is False, body
        assert body["error"]["code"] == status, body
        assert isinstance(body["error"]["message"], str), body
        assert body["error"]["message"], body
    assert [r.getMessage() for r in env.logged] == []
