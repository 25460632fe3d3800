"""Construction rules, lifecycle, loop binding, injected sessions, repr and User-Agent."""

from __future__ import annotations

import asyncio
import ssl

import aiohttp
import pytest

from series_async import (
    DEFAULT_BASE_URL,
    RetryPolicy,
    SeriesClient,
    SeriesError,
    Timeout,
    ValidationError,
)
from tests.conftest import API_KEY, retry_announced
from tests.recorder import Recorder, fail, ok

pytestmark = pytest.mark.timeout(10)

SESSION = {"SessionId": "s1", "Title": "T"}


def test_no_key_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SERIES_API_KEY", raising=False)
    with pytest.raises(SeriesError) as info:
        SeriesClient()
    assert type(info.value) is SeriesError
    assert "api_key=" in str(info.value)
    assert "SERIES_API_KEY" in str(info.value)


def test_key_and_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERIES_API_KEY", "sk_from_env_0123456789")
    monkeypatch.setenv("SERIES_BASE_URL", "https://proxy.example.com/series/")
    client = SeriesClient()
    assert client._options.api_key == "sk_from_env_0123456789"
    assert client.base_url == "https://proxy.example.com/series"


def test_arguments_win_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERIES_API_KEY", "sk_from_env_0123456789")
    monkeypatch.setenv("SERIES_BASE_URL", "https://env.example.com")
    client = SeriesClient("sk_arg", base_url="https://arg.example.com")
    assert (client._options.api_key, client.base_url) == ("sk_arg", "https://arg.example.com")


def test_default_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SERIES_BASE_URL", raising=False)
    assert SeriesClient(API_KEY).base_url == DEFAULT_BASE_URL == "https://api.series.hr"


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8080",
        "http://127.0.0.1",
        "http://127.5.6.7:1",
        "http://[::1]:9000",
        "https://x.io",
    ],
)
def test_http_allowed_for_loopback_and_https(url: str) -> None:
    assert SeriesClient(API_KEY, base_url=url).base_url == url


@pytest.mark.parametrize(
    "url", ["http://api.series.hr", "http://10.0.0.5", "http://localhost.evil.com"]
)
def test_plain_http_refused(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        SeriesClient(API_KEY, base_url=url)
    assert info.value.field == "base_url"
    assert "clear text" in str(info.value)
    assert "allow_insecure_http=True" in str(info.value)
    assert SeriesClient(API_KEY, base_url=url, allow_insecure_http=True).base_url == url


@pytest.mark.parametrize(
    "url", ["api.series.hr", "ftp://x.io", "https://", "https://u:p@x.io", "https://x.io?a=1", ""]
)
def test_malformed_base_url(url: str) -> None:
    with pytest.raises(ValidationError, match="base_url"):
        SeriesClient(API_KEY, base_url=url)


def test_timeout_none_refused_with_the_way_out() -> None:
    with pytest.raises(ValidationError) as info:
        SeriesClient(API_KEY, timeout=None)  # type: ignore[arg-type]
    assert info.value.field == "timeout"
    assert "Timeout(total=None, connect=None, read=None)" in str(info.value)


def test_timeout_forms() -> None:
    assert SeriesClient(API_KEY)._options.timeout == Timeout(total=60.0, connect=10.0, read=30.0)
    assert SeriesClient(API_KEY, timeout=5)._options.timeout == Timeout(total=5, connect=5, read=5)
    unlimited = Timeout(total=None, connect=None, read=None)
    assert SeriesClient(API_KEY, timeout=unlimited)._options.timeout == unlimited
    for bad in (0, -1, "3", True):
        with pytest.raises(ValidationError, match="timeout"):
            SeriesClient(API_KEY, timeout=bad)  # type: ignore[arg-type]


def test_retry_arguments() -> None:
    policy = RetryPolicy(max_retries=5)
    assert SeriesClient(API_KEY, retry=policy).retry_policy is policy
    assert SeriesClient(API_KEY, max_retries=0).retry_policy.max_retries == 0
    with pytest.raises(ValidationError, match="max_retries"):
        SeriesClient(API_KEY, max_retries=1, retry=policy)
    with pytest.raises(ValidationError, match="retry"):
        SeriesClient(API_KEY, retry={"max_retries": 1})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"api_key": "sk with space"}, "api_key"),
        ({"api_key": "sk\nInjected: 1"}, "api_key"),
        ({"api_key": "   "}, "api_key"),
        ({"api_key": API_KEY, "ssl": "no"}, "ssl"),
        ({"api_key": API_KEY, "session": object()}, "session"),
        ({"api_key": API_KEY, "user_agent": "a\nb"}, "user_agent"),
    ],
)
def test_bad_constructor_arguments(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        SeriesClient(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_repr_redacts_key() -> None:
    text = repr(SeriesClient("sk_live_abcdefghijklmnop", base_url="https://x.io"))
    assert text == "<SeriesClient base_url='https://x.io' api_key='sk_l…'>"
    assert "abcdefghijklmnop" not in text
    assert "'<redacted>'" in repr(SeriesClient("short_key"))


async def test_session_is_lazy_and_owned(recorder: Recorder) -> None:
    client = SeriesClient(API_KEY, base_url=recorder.url)
    assert client._transport._session is None  # nothing loop-bound at construction
    recorder.reply(ok(SESSION))
    await client.sessions.get("s1")
    session = client._transport._session
    assert session is not None
    assert not session.closed
    await client.aclose()
    assert session.closed
    assert client.closed


async def test_close_is_idempotent_and_closed_client_refuses(recorder: Recorder) -> None:
    client = SeriesClient(API_KEY, base_url=recorder.url)
    await client.aclose()
    await client.aclose()
    with pytest.raises(SeriesError, match="client is closed"):
        await client.sessions.get("s1")
    with pytest.raises(SeriesError, match="client is closed"):
        async with client:
            pass
    assert recorder.requests == []
    assert "closed" in repr(client)


async def test_context_manager_closes(recorder: Recorder) -> None:
    recorder.reply(ok(SESSION))
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        await client.sessions.get("s1")
    assert client.closed


async def test_injected_session_used_and_never_closed(recorder: Recorder) -> None:
    recorder.reply(ok(SESSION))
    async with aiohttp.ClientSession(headers={"X-Owner": "caller"}) as session:
        async with SeriesClient(API_KEY, base_url=recorder.url, session=session) as client:
            await client.sessions.get("s1")
        assert recorder.last.headers["X-Owner"] == "caller"
        assert not session.closed


async def test_closed_injected_session_is_a_clear_error(recorder: Recorder) -> None:
    session = aiohttp.ClientSession()
    await session.close()
    client = SeriesClient(API_KEY, base_url=recorder.url, session=session)
    with pytest.raises(SeriesError, match="passed as session= is closed"):
        await client.sessions.get("s1")


async def test_ssl_context_is_accepted(recorder: Recorder) -> None:
    recorder.reply(ok(SESSION))
    context = ssl.create_default_context()
    async with SeriesClient(API_KEY, base_url=recorder.url, ssl=context) as client:
        assert (await client.sessions.get("s1")).session_id == "s1"
    async with (
        aiohttp.ClientSession() as session,
        SeriesClient(API_KEY, base_url=recorder.url, ssl=False, session=session) as c2,
    ):
        assert (await c2.sessions.get("s1")).session_id == "s1"


def test_client_is_bound_to_its_first_loop() -> None:
    async def serve_and_call(client: SeriesClient, recorder: Recorder) -> None:
        recorder.reply(ok(SESSION))
        await client.sessions.get("s1")

    first = asyncio.new_event_loop()
    second = asyncio.new_event_loop()
    try:
        recorder = Recorder()
        first.run_until_complete(recorder.start())
        client = SeriesClient(API_KEY, base_url=recorder.url)
        first.run_until_complete(serve_and_call(client, recorder))
        with pytest.raises(SeriesError, match="create one client per event loop"):
            second.run_until_complete(client.sessions.get("s1"))
        with pytest.raises(SeriesError, match="event loop the client was used on"):
            second.run_until_complete(client.aclose())
        first.run_until_complete(client.aclose())
        assert client.closed
        first.run_until_complete(recorder.stop())
    finally:
        first.close()
        second.close()


def test_client_can_be_closed_after_its_loop_ended() -> None:
    recorder = Recorder()

    async def use() -> SeriesClient:
        await recorder.start()
        recorder.reply(ok(SESSION))
        client = SeriesClient(API_KEY, base_url=recorder.url)
        await client.sessions.get("s1")
        await client._transport._session.close()  # type: ignore[union-attr]
        await recorder.stop()
        return client

    client = asyncio.run(use())
    asyncio.run(client.aclose())  # old loop is closed: closing just marks the client
    assert client.closed


def test_no_finaliser_doing_loop_work() -> None:
    assert "__del__" not in vars(SeriesClient)


async def test_user_agent_flavor_and_suffix(recorder: Recorder) -> None:
    recorder.reply(ok(SESSION))
    async with SeriesClient(API_KEY, base_url=recorder.url, user_agent="mybot/1.2") as client:
        await client.sessions.get("s1")
        assert recorder.last.headers["User-Agent"].endswith(" async mybot/1.2")
        client._set_flavor("sync")
        await client.sessions.get("s1")
        assert recorder.last.headers["User-Agent"].endswith(" sync mybot/1.2")
        assert recorder.last.headers["User-Agent"].startswith("series-sdk/")


@pytest.mark.series_emulator(real_waits=True)
async def test_close_during_retry_sleep_opens_no_new_session(recorder: Recorder) -> None:
    recorder.reply(fail(503, "busy"), ok(SESSION))
    client = SeriesClient(
        API_KEY, base_url=recorder.url, retry=RetryPolicy(initial_delay=0.25, jitter=False)
    )
    with retry_announced() as waiting:
        call = asyncio.create_task(client.sessions.get("s1"))
        await waiting.wait()  # the call now waits 0.25 s before its retry
        await client.aclose()  # the user closes the client while a call waits to retry
        with pytest.raises(
            SeriesError, match="the client was closed while this call was in flight"
        ):
            await call
    assert client._transport._session is None
    assert len(recorder.requests) == 1
