"""Proxies: ``proxy=``, ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``NO_PROXY`` and ``trust_env``."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest

from series_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    SeriesClient,
    Timeout,
    ValidationError,
)
from tests.conftest import API_KEY, RetryLog
from tests.proxy import ForwardProxy
from tests.recorder import Recorder, ok

pytestmark = pytest.mark.timeout(20)

SESSION = {"SessionId": "s1", "Title": "T"}
PASSWORD = "s3cr3t-Pa55"


@pytest.fixture
async def proxy() -> AsyncIterator[ForwardProxy]:
    server = ForwardProxy()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def strict_proxy() -> AsyncIterator[ForwardProxy]:
    server = ForwardProxy(credentials=("alice", PASSWORD))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def with_credentials(url: str, password: str = PASSWORD) -> str:
    return url.replace("http://", f"http://alice:{password}@")


async def test_requests_go_through_the_proxy_in_absolute_form(
    recorder: Recorder, proxy: ForwardProxy
) -> None:
    recorder.reply(ok(SESSION))
    async with SeriesClient(API_KEY, base_url=recorder.url, proxy=proxy.url) as client:
        session = await client.sessions.get("a b")
    assert session.session_id == "s1"
    [seen] = proxy.requests
    assert seen.method == "GET"
    assert seen.target == f"{recorder.url}/sessions/get/a%20b"  # absolute-form, as sent
    assert seen.headers["apikey"] == API_KEY
    assert "proxy-authorization" not in seen.headers
    assert recorder.last.raw_path == "/sessions/get/a%20b"


async def test_proxy_credentials_are_sent_to_the_proxy_and_never_shown(
    recorder: Recorder, strict_proxy: ForwardProxy, caplog: pytest.LogCaptureFixture
) -> None:
    recorder.reply(ok(SESSION))
    caplog.set_level(logging.DEBUG)
    url = with_credentials(strict_proxy.url)
    async with SeriesClient(API_KEY, base_url=recorder.url, proxy=url) as client:
        await client.sessions.get("s1")
        shown = repr(client)
    token = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    assert strict_proxy.requests[0].headers["proxy-authorization"] == f"Basic {token}"
    assert "Proxy-Authorization" not in recorder.last.headers  # the proxy's, not the API's
    assert shown == (
        f"<SeriesClient base_url={recorder.url!r} api_key='sk_l…' "
        f"proxy='http://<redacted>@{strict_proxy.url[len('http://') :]}'>"
    )
    assert PASSWORD not in caplog.text
    assert token not in caplog.text


async def test_percent_encoded_proxy_credentials_are_decoded(
    recorder: Recorder, proxy: ForwardProxy
) -> None:
    recorder.reply(ok(SESSION))
    url = proxy.url.replace("http://", "http://al%40ice:p%3Ass@")
    async with SeriesClient(API_KEY, base_url=recorder.url, proxy=url) as client:
        await client.sessions.get("s1")
    token = base64.b64encode(b"al@ice:p:ss").decode()
    assert proxy.requests[0].headers["proxy-authorization"] == f"Basic {token}"


async def test_a_refusing_proxy_gives_a_status_error_without_the_credentials(
    recorder: Recorder, strict_proxy: ForwardProxy
) -> None:
    url = with_credentials(strict_proxy.url, "wrong-Pa55word")
    async with SeriesClient(API_KEY, base_url=recorder.url, proxy=url, max_retries=0) as client:
        with pytest.raises(APIStatusError) as info:
            await client.sessions.get("s1")
    err = info.value
    assert type(err) is APIStatusError
    assert err.status == 407
    assert err.message == "Proxy Authentication Required"
    assert "wrong-Pa55word" not in f"{err} {err!r} {err.url}"
    assert recorder.requests == []


async def test_an_unreachable_proxy_is_a_connection_error_without_the_credentials(
    recorder: Recorder,
) -> None:
    dead = ForwardProxy()
    await dead.start()
    await dead.stop()  # its port now refuses connections
    async with SeriesClient(
        API_KEY, base_url=recorder.url, proxy=with_credentials(dead.url), max_retries=0
    ) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.sessions.get("s1")
    err = info.value
    chain = f"{err} {err!r} {err.__cause__} {err.__cause__!r}"
    assert PASSWORD not in chain
    assert "alice" not in chain
    assert err.may_have_acted is False  # nothing was sent
    assert recorder.requests == []


async def test_env_proxy_is_used_by_default(
    recorder: Recorder, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    recorder.reply(ok(SESSION))
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        await client.sessions.get("s1")
    assert [r.target for r in proxy.requests] == [f"{recorder.url}/sessions/get/s1"]
    assert len(recorder.requests) == 1


async def test_env_proxy_credentials_are_used_and_never_shown(
    recorder: Recorder,
    strict_proxy: ForwardProxy,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", with_credentials(strict_proxy.url))
    caplog.set_level(logging.DEBUG)
    recorder.reply(ok(SESSION))
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        await client.sessions.get("s1")
        shown = repr(client)
    assert len(recorder.requests) == 1  # the strict proxy let it through
    assert "<redacted>@127.0.0.1" in shown
    assert PASSWORD not in shown
    assert PASSWORD not in caplog.text


async def test_env_proxy_without_a_scheme_is_taken_as_http(
    recorder: Recorder, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("http_proxy", proxy.url.removeprefix("http://"))
    recorder.reply(ok(SESSION))
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        await client.sessions.get("s1")
    assert len(proxy.requests) == 1


async def test_https_proxy_is_not_used_for_an_http_base_url(
    recorder: Recorder, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)  # for https:// targets only
    recorder.reply(ok(SESSION))
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        await client.sessions.get("s1")
    assert proxy.requests == []
    assert len(recorder.requests) == 1


async def test_trust_env_false_ignores_the_env_proxy(
    recorder: Recorder, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    recorder.reply(ok(SESSION))
    async with SeriesClient(API_KEY, base_url=recorder.url, trust_env=False) as client:
        await client.sessions.get("s1")
    assert proxy.requests == []
    assert len(recorder.requests) == 1


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "*", "localhost,127.0.0.1", ".0.0.1"])
async def test_no_proxy_bypasses_the_env_proxy(
    recorder: Recorder, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, no_proxy: str
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", no_proxy)
    recorder.reply(ok(SESSION))
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        await client.sessions.get("s1")
    assert proxy.requests == []
    assert len(recorder.requests) == 1


async def test_no_proxy_for_another_host_does_not_bypass(
    recorder: Recorder, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "example.com,10.0.0.1")
    recorder.reply(ok(SESSION))
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        await client.sessions.get("s1")
    assert len(proxy.requests) == 1


async def test_explicit_proxy_wins_over_the_environment(
    recorder: Recorder, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # would refuse connections
    monkeypatch.setenv("NO_PROXY", "*")
    recorder.reply(ok(SESSION))
    async with SeriesClient(API_KEY, base_url=recorder.url, proxy=proxy.url) as client:
        await client.sessions.get("s1")
    assert len(proxy.requests) == 1


async def test_netrc_credentials_are_never_added(
    recorder: Recorder,
    proxy: ForwardProxy,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # aiohttp's own trust_env=True would turn these into Authorization and
    # Proxy-Authorization headers; the SDK reads the proxy variables only.
    netrc = tmp_path / "netrc"
    netrc.write_text(
        "machine 127.0.0.1 login netrc-user password netrc-Pa55\n"
        "default login any-user password any-Pa55\n"
    )
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    recorder.reply(ok(SESSION))
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        await client.sessions.get("s1")
    assert "proxy-authorization" not in proxy.requests[0].headers
    assert "authorization" not in proxy.requests[0].headers
    assert "Authorization" not in recorder.last.headers


@pytest.mark.parametrize(
    ("proxy", "rule"),
    [
        ("socks5://alice:s3cr3t-Pa55@proxy:1080", "unsupported proxy scheme 'socks5'"),
        ("proxy.corp:3128", "unsupported proxy scheme"),
        ("http://alice:s3cr3t-Pa55@proxy:3128/path", "scheme://[user:password@]host[:port] only"),
        ("http://alice:s3cr3t-Pa55@proxy:99999", "bad host or port"),
        ("http://", "no host"),
        ("", "must be an http:// or https:// proxy URL"),
    ],
)
def test_bad_proxy_urls_are_refused_without_quoting_them(proxy: str, rule: str) -> None:
    with pytest.raises(ValidationError, match=r"^proxy: ") as info:
        SeriesClient(API_KEY, proxy=proxy)
    assert rule in str(info.value)
    assert PASSWORD not in str(info.value)


def test_a_bad_env_proxy_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "socks5://alice:s3cr3t-Pa55@proxy:1080")
    with pytest.raises(ValidationError) as info:
        SeriesClient(API_KEY)
    assert info.value.field == "HTTPS_PROXY"
    assert str(info.value) == (
        "HTTPS_PROXY: unsupported proxy scheme 'socks5': use an http:// or https:// proxy URL, "
        "or trust_env=False to ignore the environment"
    )
    SeriesClient(API_KEY, trust_env=False)  # the way out the message gives


def test_trust_env_must_be_a_bool() -> None:
    with pytest.raises(ValidationError, match=r"^trust_env: must be True or False"):
        SeriesClient(API_KEY, trust_env="no")  # type: ignore[arg-type]


def test_https_proxy_url_is_accepted_and_shown_redacted() -> None:
    client = SeriesClient(API_KEY, proxy="https://bob:hunter2@proxy.corp:8443")
    assert repr(client).endswith("proxy='https://<redacted>@proxy.corp:8443'>")
    assert "hunter2" not in repr(client)


async def test_an_https_target_is_tunnelled_with_connect_and_the_key_stays_inside(
    strict_proxy: ForwardProxy,
) -> None:
    # The proxy refuses the tunnel, but what it saw in the clear is what matters:
    # a CONNECT to the API's host with the proxy's credentials, and no API key.
    url = with_credentials(strict_proxy.url)
    async with SeriesClient(
        API_KEY, base_url="https://127.0.0.1:4443", proxy=url, max_retries=0
    ) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.sessions.get("s1")
    [seen] = strict_proxy.requests
    assert seen.method == "CONNECT"
    assert seen.target == "127.0.0.1:4443"
    token = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    assert seen.headers["proxy-authorization"] == f"Basic {token}"
    assert "apikey" not in seen.headers
    assert API_KEY not in repr(seen)
    err = info.value
    assert err.message == "the proxy refused to connect to the API: HTTP 403 Forbidden"
    chain = f"{err} {err!r} {err.__cause__} {err.__cause__!r}"
    assert PASSWORD not in chain
    assert token not in chain


async def test_a_refused_tunnel_did_not_act_and_is_not_retried(strict_proxy: ForwardProxy) -> None:
    url = with_credentials(strict_proxy.url)
    async with SeriesClient(API_KEY, base_url="https://127.0.0.1:4443", proxy=url) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.ranking.promote(1)
    assert info.value.may_have_acted is False  # the request never left the proxy
    assert len(strict_proxy.requests) == 1  # a 403 from the proxy is not transient


# A proxy that fails in one way, on 127.0.0.1: what the client then says and decides.
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _hang_up_after_the_request_head(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
        await reader.readuntil(b"\r\n\r\n")
    await _close(writer)


async def _never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        await reader.read()  # until the client gives up and closes
    await _close(writer)


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()


class FailingProxy:
    """Serves ``handler`` on 127.0.0.1; leaving waits for every connection it handled."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        await self._handler(reader, writer)

    async def __aenter__(self) -> FailingProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._server.close()
        await self._server.wait_closed()
        await asyncio.gather(*self._tasks)


async def test_an_unreachable_proxy_is_named_and_nothing_was_sent(retry_log: RetryLog) -> None:
    dead = ForwardProxy()
    await dead.start()
    await dead.stop()  # its port now refuses connections
    port = int(dead.url.rsplit(":", 1)[1])
    async with SeriesClient(
        API_KEY, base_url="https://api.example", proxy=with_credentials(dead.url), max_retries=1
    ) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.ranking.promote(1)
    err = info.value
    assert type(err) is APIConnectionError
    assert err.message.startswith(f"could not connect to the proxy 127.0.0.1:{port}: ")
    assert "api.example" not in err.message
    assert "alice" not in err.message
    assert PASSWORD not in err.message
    assert err.may_have_acted is False
    assert len(retry_log.delays) == 1  # nothing was sent, so even a promote is retried


async def test_an_unresolvable_proxy_is_named_without_its_credentials() -> None:
    # .invalid never resolves (RFC 6761): no network is needed to see the failure.
    proxy = f"http://alice:{PASSWORD}@proxy.invalid:3128"
    async with SeriesClient(
        API_KEY, base_url="https://api.example", proxy=proxy, max_retries=0
    ) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.sessions.get("s1")
    assert info.value.message.startswith(
        "could not connect to the proxy proxy.invalid:3128: name resolution failed ("
    )
    assert PASSWORD not in f"{info.value} {info.value!r}"


async def test_a_proxy_hanging_up_on_the_connect_sent_nothing(retry_log: RetryLog) -> None:
    async with FailingProxy(_hang_up_after_the_request_head) as proxy:
        port = proxy.port
        async with SeriesClient(
            API_KEY, base_url="https://api.example", proxy=f"http://127.0.0.1:{port}"
        ) as client:
            with pytest.raises(APIConnectionError) as info:
                await client.ranking.promote(1)
    err = info.value
    assert type(err) is APIConnectionError
    assert err.message == (
        f"could not connect to the proxy 127.0.0.1:{port}: "
        "the server closed the connection without answering"
    )
    assert err.may_have_acted is False  # the tunnel never opened: the API saw nothing
    assert err.sent is False  # our request was never written (aiohttp's trace signals)
    assert len(retry_log.delays) == 2  # so the promote was safe to retry


async def test_a_proxy_hanging_up_with_a_borrowed_session_is_answered_conservatively(
    retry_log: RetryLog,
) -> None:
    # A session the caller made carries no trace of ours: only a failure to connect
    # is known to have sent nothing; this one may have been sent, as far as we know.
    async with (
        FailingProxy(_hang_up_after_the_request_head) as proxy,
        aiohttp.ClientSession() as session,
        SeriesClient(
            API_KEY,
            base_url="https://api.example",
            proxy=f"http://127.0.0.1:{proxy.port}",
            session=session,
        ) as client,
    ):
        with pytest.raises(APIConnectionError) as info:
            await client.ranking.promote(1)
    err = info.value
    assert err.message == (
        f"connection to api.example:443 through the proxy 127.0.0.1:{proxy.port} failed: "
        "the server closed the connection without answering"
    )
    assert err.sent is True
    assert err.may_have_acted is True
    assert retry_log.delays == []  # a promote that may have been sent is not replayed


async def test_a_proxy_silent_on_the_connect_times_out_connecting() -> None:
    async with FailingProxy(_never_answer) as proxy:
        port = proxy.port
        async with SeriesClient(
            API_KEY,
            base_url="https://api.example",
            proxy=f"http://127.0.0.1:{port}",
            timeout=Timeout(total=0.2),
            max_retries=0,
        ) as client:
            with pytest.raises(APITimeoutError) as info:
                await client.ranking.promote(1)
    assert info.value.message == (
        f"timed out connecting to api.example:443 through the proxy 127.0.0.1:{port}"
    )
    assert info.value.may_have_acted is False


async def test_a_forwarding_proxy_dropping_a_write_may_have_acted() -> None:
    # A plain http:// request is forwarded whole: once the proxy has it, the API may too.
    async with FailingProxy(_hang_up_after_the_request_head) as proxy:
        port = proxy.port
        async with SeriesClient(
            API_KEY,
            base_url="http://api.example:8080",
            proxy=f"http://127.0.0.1:{port}",
            allow_insecure_http=True,
        ) as client:
            with pytest.raises(APIConnectionError) as info:
                await client.ranking.promote(1)
    err = info.value
    assert err.message == (
        f"connection to api.example:8080 through the proxy 127.0.0.1:{port} failed: "
        "the server closed the connection without answering"
    )
    assert err.may_have_acted is True
