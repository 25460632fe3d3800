"""Secrets after decoding (design §8, issue 16 items 1 and 2).

A server or a proxy may echo the key (or the proxy's password) JSON-escaped:
``\\u0073k_live...``, ``\\/`` for a ``/``. Once the JSON is decoded it is the key
again, so it must be scrubbed from what the decoding produced, not only from the
raw text; and every exception chained to an error (``__cause__``, ``__context__``)
is scrubbed too, whatever path raised it.
"""

from __future__ import annotations

import json
import logging
import pickle
import traceback
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from series_async import (
    APIConnectionError,
    APIStatusError,
    BadRequestError,
    SeriesClient,
    SeriesError,
    UnexpectedResponseError,
)
from tests.proxy import ForwardProxy
from tests.rawserver import RawServer, response

pytestmark = [pytest.mark.timeout(20), pytest.mark.usefixtures("json_backend")]

KEYS = {
    "quote": 'sk_live_q"uo"te_0123456789',
    "backslash": "sk_live_back\\slash\\0123456789",
    "slash": "sk_live/sla/sh/0123456789",
    "non-ascii": "sk_live_ünïcødé_密钥_😀_0123456789",
    "20 KB": "sk_live_" + 'aB/\\"é9' * 2900,
}


def every_u_escape(text: str) -> str:
    """``text`` as a JSON string body with every character written ``\\uXXXX``."""
    units = text.encode("utf-16-be")
    return "".join(
        f"\\u{int.from_bytes(units[i : i + 2], 'big'):04X}" for i in range(0, len(units), 2)
    )


ESCAPES: dict[str, Callable[[str], str]] = {
    # What json.dumps writes (the quotes stripped): \" \\ \u00e9 \ud83d\ude00.
    "json.dumps": lambda s: json.dumps(s)[1:-1],
    "every char \\uXXXX": every_u_escape,
    "first char \\u, rest raw": lambda s: every_u_escape(s[0]) + json.dumps(s[1:])[1:-1],
    "slash as \\/": lambda s: json.dumps(s)[1:-1].replace("/", "\\/"),
    "lower-case hex": lambda s: every_u_escape(s).lower().replace("\\U", "\\u"),
}


def all_text(err: BaseException) -> str:
    """Every text a user could see: str, repr, attributes, a pickle, a traceback, a log line."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    log = logging.getLogger("tests.secrets")
    handler = Collect()
    log.addHandler(handler)
    try:
        try:
            raise err
        except SeriesError:
            log.exception("call failed")
    finally:
        log.removeHandler(handler)
    copy = pickle.loads(pickle.dumps(err))
    shown = [str(err), repr(err), str(copy), repr(copy), *lines]
    shown.append("".join(traceback.format_exception(err)))
    for obj in (err, copy):
        for attr in ("message", "url", "body", "args"):
            shown.append(json.dumps(getattr(obj, attr, ""), default=str, ensure_ascii=False))
    return "\n".join(shown)


def assert_secret_free(err: BaseException, secret: str, escaped: str) -> None:
    text = all_text(err)
    assert secret not in text
    assert escaped not in text
    # A 20 KB secret must not leave a recognisable piece of itself either.
    assert secret[:60] not in text
    assert escaped[:60] not in text


@pytest.fixture
async def raw() -> AsyncIterator[RawServer]:
    server = RawServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def error_body(escaped: str) -> bytes:
    return ('{"success": false, "error": {"message": "bad key ' + escaped + '"}}').encode()


@pytest.mark.parametrize("escape", list(ESCAPES))
@pytest.mark.parametrize("key_name", list(KEYS))
async def test_an_escaped_key_in_an_error_body_is_scrubbed_once_decoded(
    raw: RawServer, key_name: str, escape: str
) -> None:
    key = KEYS[key_name]
    escaped = ESCAPES[escape](key)
    raw.answer(response(400, error_body(escaped), reason="Bad Request"))
    async with SeriesClient(key, base_url=raw.url, max_retries=0, timeout=5) as client:
        with pytest.raises(BadRequestError) as info:
            await client.sessions.get("s1")
    err = info.value
    assert err.status == 400
    assert err.message.startswith("bad key <redacted>")
    assert_secret_free(err, key, escaped)


@pytest.mark.parametrize("escape", list(ESCAPES))
@pytest.mark.parametrize("key_name", list(KEYS))
async def test_an_escaped_key_in_an_unreadable_2xx_is_scrubbed_from_the_raw_body(
    raw: RawServer, key_name: str, escape: str
) -> None:
    key = KEYS[key_name]
    escaped = ESCAPES[escape](key)
    # Valid JSON of the wrong shape: the converter's own message and the raw body
    # both hold the key, one decoded, one escaped.
    body = ('{"success": true, "data": {"SessionId": ["' + escaped + '"]}}').encode()
    raw.answer(response(200, body))
    async with SeriesClient(key, base_url=raw.url, max_retries=0, timeout=5) as client:
        with pytest.raises(UnexpectedResponseError) as info:
            await client.sessions.get("s1")
    err = info.value
    assert err.message.startswith("could not read a Session from the response")
    assert "<redacted>" in err.body
    assert_secret_free(err, key, escaped)


async def test_an_escaped_key_in_a_large_error_body_kept_as_text_is_scrubbed(
    raw: RawServer,
) -> None:
    key = KEYS["slash"]
    escaped = ESCAPES["slash as \\/"](key)
    body = json.dumps({"error": "x" * 5000}).encode()[:-1] + (', "k": "' + escaped + '"}').encode()
    raw.answer(response(500, body, reason="Oops"))
    async with SeriesClient(key, base_url=raw.url, max_retries=0, timeout=5) as client:
        with pytest.raises(APIStatusError) as info:
            await client.sessions.get("s1")
    assert isinstance(info.value.body, str)  # too big to keep decoded
    assert_secret_free(info.value, key, escaped)


async def test_the_check_key_call_scrubs_its_escaped_path_key(raw: RawServer) -> None:
    key = KEYS["slash"]
    escaped = ESCAPES["slash as \\/"](key)
    raw.answer(response(404, error_body(escaped), reason="Not Found"))
    async with SeriesClient(key, base_url=raw.url, max_retries=0, timeout=5) as client:
        with pytest.raises(APIStatusError) as info:
            await client.keys.check()
    assert info.value.status == 404
    assert_secret_free(info.value, key, escaped)


async def test_an_escaped_key_is_in_no_log_line(
    raw: RawServer, caplog: pytest.LogCaptureFixture
) -> None:
    key = KEYS["quote"]
    escaped = ESCAPES["every char \\uXXXX"](key)
    raw.answer(response(503, error_body(escaped), reason="Busy"), response(200, b"{}"))
    caplog.set_level(logging.DEBUG)
    async with SeriesClient(key, base_url=raw.url, max_retries=1, timeout=5) as client:
        with pytest.raises(UnexpectedResponseError) as info:
            await client.sessions.get("s1")
        logging.getLogger("tests.secrets").exception("failed", exc_info=info.value)
    assert "Retrying GET /sessions/get/{sessionId} after 503" in caplog.text
    assert key not in caplog.text
    assert escaped not in caplog.text


# --- proxy passwords ----------------------------------------------------------------

PASSWORDS = {"plain": "pa55-w0rd-Secret", "slash": 'pa/55\\w"rd-ü'}


@pytest.mark.parametrize("escape", ["json.dumps", "every char \\uXXXX", "slash as \\/"])
@pytest.mark.parametrize("which", list(PASSWORDS))
async def test_an_escaped_proxy_password_echoed_by_the_api_is_scrubbed(
    raw: RawServer, which: str, escape: str
) -> None:
    password = PASSWORDS[which]
    escaped = ESCAPES[escape](password)
    raw.answer(response(400, error_body(escaped), reason="Bad Request"))
    proxy = ForwardProxy()
    await proxy.start()
    quoted = "".join(c if c.isalnum() or c == "-" else f"%{ord(c):02X}" for c in password)
    quoted = quoted.replace("%FC", "%C3%BC")  # the UTF-8 of "ü", percent-encoded
    url = proxy.url.replace("http://", f"http://bob:{quoted}@")
    try:
        async with SeriesClient(
            "sk_live_proxy_key_0123", base_url=raw.url, proxy=url, max_retries=0, timeout=5
        ) as client:
            with pytest.raises(BadRequestError) as info:
                await client.sessions.get("s1")
    finally:
        await proxy.stop()
    assert proxy.requests  # it really went through the proxy
    assert info.value.message.startswith("bad key <redacted>")
    assert_secret_free(info.value, password, escaped)


async def test_a_proxy_refusing_the_tunnel_with_the_password_leaves_it_in_no_chained_error() -> (
    None
):
    password = "hunter2-Very-Secret"
    proxy = ForwardProxy(connect_reason=f"Denied for bob:{password}", connect_status=407)
    await proxy.start()
    url = proxy.url.replace("http://", f"http://bob:{password}@")
    try:
        async with SeriesClient(
            "sk_live_proxy_key_0123", base_url="https://127.0.0.1:4443", proxy=url, max_retries=0
        ) as client:
            with pytest.raises(APIConnectionError) as info:
                await client.sessions.get("s1")
    finally:
        await proxy.stop()
    err = info.value
    assert err.message == "the proxy refused to connect to the API: HTTP 407 Denied for <redacted>"
    assert err.__cause__ is not None  # aiohttp's error stays chained, scrubbed
    shown = all_text(err)
    assert password not in shown
    assert "<redacted>" in "".join(traceback.format_exception(err.__cause__))


async def test_a_secret_in_the_context_of_a_chained_error_is_scrubbed(raw: RawServer) -> None:
    # The converter's exception holds the decoded key; anything it had as its own
    # __context__ (raised while handling another) is shown by tracebacks too.
    key = KEYS["non-ascii"]
    escaped = ESCAPES["json.dumps"](key)
    body = ('{"success": true, "data": {"SessionId": {"x": "' + escaped + '"}}}').encode()
    raw.answer(response(200, body))
    async with SeriesClient(key, base_url=raw.url, max_retries=0, timeout=5) as client:
        with pytest.raises(UnexpectedResponseError) as info:
            await client.sessions.get("s1")
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [info.value]
    while todo:
        current = todo.pop()
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        todo += [current.__cause__, current.__context__]
        text = f"{current} {current!r} {current.args!r} {getattr(current, 'message', '')}"
        assert key not in text
    assert len(seen) >= 2  # the chain was really walked
    assert_secret_free(info.value, key, escaped)


def test_body_strings_deep_in_a_decoded_error_body_are_scrubbed() -> None:
    from series_async._scrub import Scrubber

    key = KEYS["quote"]
    scrub = Scrubber([key])
    body: dict[str, Any] = {"a": [{"b": key}, ["x" + key]], key: 1}
    err = APIStatusError("m " + key, status=400, body=body, url="u")
    scrub.error(err)
    assert err.body == {"a": [{"b": "<redacted>"}, ["x<redacted>"]], "<redacted>": 1}
    assert err.message == "m <redacted>"
    assert err.args == ("m <redacted>",)
