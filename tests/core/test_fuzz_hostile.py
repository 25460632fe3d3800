"""Fuzzing the classes issue 16 found by hand, so that the next one is found by us.

- Secrets echoed back: the key, its percent-encoded form and a proxy password,
  under every JSON escape, in every place of a body, under every
  ``Content-Encoding``, on any status: no text an error shows holds them.
- Answers: statuses 0-999 (also zero-padded), every ``Content-Encoding``
  corrupt or not, ``Retry-After`` in every form, overflowing ones included: each
  call ends in its model or the documented class for that status.
- ``parse_retry_after`` on anything: ``None`` or seconds >= 0, never an exception.

Bounded and derandomized by the "ci" profile (``tests/conftest.py``).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import math
import zlib
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from series_async import (
    APIConnectionError,
    APIStatusError,
    RateLimitError,
    SeriesClient,
    SeriesError,
    Session,
    Timeout,
    UnexpectedResponseError,
)
from series_async._answers import parse_retry_after
from tests.core.test_secrets import ESCAPES, all_text
from tests.proxy import ForwardProxy
from tests.rawserver import RawServer, response

pytestmark = pytest.mark.usefixtures("json_backend")

KEY = 'sk_live_fuzz/"q\\é😀_0123456789'
PASSWORD = 'pr0xy/"pa\\ss-ü'
SECRETS = [KEY, quote(KEY, safe=""), PASSWORD]

Env = tuple[asyncio.AbstractEventLoop, RawServer, SeriesClient]


@pytest.fixture(scope="module")
def proxied() -> Iterator[Env]:
    """A raw server reached through a forward proxy that wants a password."""
    loop = asyncio.new_event_loop()
    server, proxy = RawServer(), ForwardProxy()
    loop.run_until_complete(server.start())
    loop.run_until_complete(proxy.start())
    password = quote(PASSWORD, safe="")
    client = SeriesClient(
        KEY,
        base_url=server.url,
        proxy=proxy.url.replace("http://", f"http://bob:{password}@"),
        max_retries=1,
        timeout=Timeout(total=2, connect=1, read=1),
    )
    # Retries do not wait: the suite's autouse fixture applies fast_retries() to each test.
    try:
        yield loop, server, client
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(proxy.stop())
        loop.run_until_complete(server.stop())
        loop.close()


def _gzip_cut(body: bytes) -> bytes:
    return gzip.compress(body)[:-6]


def _deflate_raw(body: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(body) + packer.flush()


# name -> (Content-Encoding header, how the body is encoded, whether it can be read)
CODINGS: dict[str, tuple[str | None, Callable[[bytes], bytes], bool]] = {
    "none": (None, lambda b: b, True),
    "identity": ("identity", lambda b: b, True),
    "gzip": ("gzip", gzip.compress, True),
    "x-gzip": ("x-gzip", gzip.compress, True),
    "gzip twice": ("gzip, gzip", lambda b: gzip.compress(gzip.compress(b)), True),
    "deflate": ("deflate", zlib.compress, True),
    "raw deflate": ("deflate", _deflate_raw, True),
    "gzip cut short": ("gzip", _gzip_cut, False),
    "gzip corrupt": ("gzip", lambda b: gzip.compress(b)[:10] + b"\xff" * 16, False),
    "deflate corrupt": ("deflate", lambda b: b"\x78\x9c" + b"\xfe" * 16, False),
    "gzip label, plain body": ("gzip", lambda b: b, False),
    "br": ("br", lambda b: b"\x1b\x03\x00\xf8" + b, False),
    "zstd": ("zstd", lambda b: b"\x28\xb5\x2f\xfd" + b, False),
    "compress": ("compress", lambda b: b, False),
}


def _encode(body: bytes, coding: str, headers: dict[str, str]) -> bytes:
    header, encode, _ = CODINGS[coding]
    if header is not None:
        headers["Content-Encoding"] = header
    return encode(body) if body or header is None else body


def _in_json(escaped: str) -> st.SearchStrategy[bytes]:
    """Bodies holding ``escaped`` (a JSON-escaped secret) where a server might echo it."""
    shapes = [
        '{"success": false, "error": {"message": "bad: %s", "code": "%s"}}',
        '{"error": "%s"}',
        '{"message": "%s", "detail": ["%s"]}',
        '{"success": true, "data": {"SessionId": ["%s"]}}',
        '{"success": true, "data": {"%s": 1, "Title": 5}}',
        "<html>%s</html>",
        '{"error": "' + "x" * 5000 + ' %s"}',
        '{"success": true, "data": {"SessionId": "s", "Title": "%s"}, "extra": 1',
    ]
    return st.sampled_from(shapes).map(lambda s: s.replace("%s", escaped).encode())


echoes = st.tuples(st.sampled_from(SECRETS), st.sampled_from(sorted(ESCAPES))).flatmap(
    lambda pair: st.tuples(st.just(pair[0]), _in_json(ESCAPES[pair[1]](pair[0])))
)


def _run(env: Env, call: Callable[[SeriesClient], Awaitable[object]]) -> tuple[Any, Any]:
    loop, _, client = env

    async def bounded() -> object:
        return await asyncio.wait_for(call(client), 8.0)

    try:
        return loop.run_until_complete(bounded()), None
    except SeriesError as exc:
        return None, exc


def _get(client: SeriesClient) -> Awaitable[Session]:
    return client.sessions.get("s1")


@settings(max_examples=40)
@given(
    echo=echoes,
    status=st.sampled_from([200, 400, 404, 429, 500, 503, 600]),
    coding=st.sampled_from(sorted(CODINGS)),
    in_reason=st.booleans(),
)
def test_an_echoed_secret_never_shows(
    proxied: Env, echo: tuple[str, bytes], status: int, coding: str, in_reason: bool
) -> None:
    secret, body = echo
    headers: dict[str, str] = {}
    payload = _encode(body, coding, headers)
    reason = f"Echo {secret}".encode().decode("latin-1") if in_reason else "X"
    proxied[1].answer(response(status, payload, reason=reason, headers=headers))
    result, error = _run(proxied, _get)
    assert result is None or isinstance(result, Session)
    if error is not None:
        shown = all_text(error)
        assert secret not in shown
        assert secret[:14] not in shown  # not even a piece of it
        for escape in ESCAPES.values():
            assert escape(secret) not in shown


RETRY_AFTER = st.one_of(
    st.integers(min_value=0, max_value=10**30).map(str),
    st.sampled_from(["1_0", "1.5", "-3", "+3", "inf", "nan", "-inf", "1e309", "", " 5 ", "1.2.3"]),
    st.builds(
        "{}, {} {} {} {}:{}:{} {}".format,
        st.sampled_from(["Mon", "Sun", "Xyz"]),
        st.integers(0, 10**21),
        st.sampled_from(["Jan", "Dec", "Foo"]),
        st.integers(0, 10**21) | st.integers(1900, 2100),
        st.integers(0, 10**21) | st.integers(0, 23),
        st.integers(0, 99),
        st.integers(0, 99),
        st.sampled_from(["GMT", "+0000", "-2359", "+99999999999999999999", "UTC", "-0000"]),
    ),
    st.text(max_size=30),
)


@settings(max_examples=100)
@given(value=RETRY_AFTER)
def test_parse_retry_after_never_raises(value: str) -> None:
    seconds = parse_retry_after(value)
    if seconds is None:
        return
    assert math.isfinite(seconds)
    assert seconds >= 0
    text = value.strip(" \t")
    if not (text.isascii() and text.replace(".", "", 1).isdigit()):
        assert "," in text or " " in text  # only an HTTP date can say anything else


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    loop = asyncio.new_event_loop()
    server = RawServer()
    loop.run_until_complete(server.start())
    client = SeriesClient(
        KEY, base_url=server.url, max_retries=1, timeout=Timeout(total=2, connect=1, read=1)
    )
    # Retries do not wait: the suite's autouse fixture applies fast_retries() to each test.
    try:
        yield loop, server, client
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(server.stop())
        loop.close()


GOOD = json.dumps({"success": True, "data": {"SessionId": "s1", "Title": "T"}}).encode()
BODIES = {
    "good": GOOD,
    "html": b"<html>busy</html>",
    "error": b'{"error": "nope"}',
    "wrong shape": b'{"success": true, "data": {"Title": 5}}',
}


@settings(max_examples=80)
@given(
    status=st.integers(min_value=0, max_value=999),
    padded=st.booleans(),
    coding=st.sampled_from(sorted(CODINGS)),
    body=st.sampled_from(sorted(BODIES)),
    retry_after=st.none() | RETRY_AFTER.filter(str.isprintable),
    promote=st.booleans(),
)
def test_any_status_and_encoding_ends_in_the_documented_class(
    env: Env,
    status: int,
    padded: bool,
    coding: str,
    body: str,
    retry_after: str | None,
    promote: bool,
) -> None:
    headers: dict[str, str] = {}
    payload = _encode(BODIES[body], coding, headers)
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    line_status = f"{status:03d}" if padded else str(status)
    env[1].answer(response(line_status, payload, reason="R", headers=headers))
    call: Callable[[SeriesClient], Awaitable[object]] = (
        (lambda c: c.ranking.promote(1)) if promote else _get
    )
    _result, error = _run(env, call)
    readable = CODINGS[coding][2]
    three_digits = len(line_status) == 3
    if error is None:
        assert 200 <= status < 300
        assert readable
        return
    assert isinstance(error, (APIConnectionError, APIStatusError, UnexpectedResponseError))
    if not three_digits:
        # A status line aiohttp cannot parse: nothing known about the answer.
        assert isinstance(error, APIConnectionError)
        return
    if 100 <= status < 200 or status in (204, 304):
        return  # no body allowed: the one sent is a framing error, whatever follows
    # A parsed status decides, whatever the body or its encoding.
    assert not isinstance(error, APIConnectionError), repr(error)
    if status < 100 or status > 599:
        assert type(error) is UnexpectedResponseError
        assert error.may_have_acted is promote
    elif 200 <= status < 300:
        assert type(error) is UnexpectedResponseError
        assert error.unreadable is not (readable and body != "html")
        assert error.may_have_acted is promote
    elif status >= 300:
        assert isinstance(error, APIStatusError)
        assert error.status == status
        if 400 <= status < 500:
            assert error.may_have_acted is False  # a 4xx, readable or not, on its own
    if isinstance(error, RateLimitError) and error.retry_after is not None:
        assert math.isfinite(error.retry_after)
        assert error.retry_after >= 0
