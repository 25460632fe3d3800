"""The transport: "was it sent?" from aiohttp's trace signals or a conservative rule,
and the one function that reaches into aiohttp's and asyncio's private names."""

from __future__ import annotations

import asyncio
import json
import socket
import threading

import aiohttp
import pytest

from series_async import APIConnectionError, APITimeoutError, SeriesClient
from series_async._transport import close_sockets_of_closed_loop
from tests.conftest import API_KEY
from tests.recorder import Recorder, Reply

pytestmark = pytest.mark.timeout(20)


async def test_a_refused_connection_declares_it_sent_nothing(recorder: Recorder) -> None:
    url = recorder.url
    await recorder.stop()
    async with SeriesClient(API_KEY, base_url=url, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.ranking.promote(1)
    assert (info.value.sent, info.value.retryable) == (False, True)


async def test_a_drop_after_the_request_was_written_declares_it_may_have_been_sent(
    recorder: Recorder,
) -> None:
    recorder.reply(Reply(drop=True))
    async with SeriesClient(API_KEY, base_url=recorder.url, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.ranking.promote(1)
    assert info.value.sent is True
    assert info.value.may_have_acted is True


async def test_a_borrowed_session_answers_conservatively(recorder: Recorder) -> None:
    # No trace of ours on a session the caller made: a failure to connect sent
    # nothing, anything else may have been sent.
    recorder.reply(Reply(delay=1.0))
    async with (
        aiohttp.ClientSession() as session,
        SeriesClient(
            API_KEY, base_url=recorder.url, session=session, timeout=0.2, max_retries=0
        ) as client,
    ):
        with pytest.raises(APITimeoutError) as timed_out:
            await client.ranking.promote(1)
        await recorder.stop()
        with pytest.raises(APIConnectionError) as refused:
            await client.ranking.promote(1)
    assert timed_out.value.sent is True
    assert timed_out.value.message.startswith("timed out waiting for an answer from 127.0.0.1:")
    assert refused.value.sent is False
    assert refused.value.may_have_acted is False


def _serve_one_keep_alive(listener: socket.socket, done: threading.Event) -> None:
    body = json.dumps({"success": True, "data": {"SessionId": "s1", "Title": "T"}}).encode()
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    conn, _ = listener.accept()
    with conn:
        conn.recv(65536)
        conn.sendall(head.encode() + body)
        conn.settimeout(10)
        while conn.recv(1024):  # keep it open (pooled by the client) until it is closed
            pass
    done.set()


def test_sockets_of_a_closed_loop_are_closed_through_the_private_names_it_relies_on() -> None:
    """Fails loudly if an aiohttp or asyncio upgrade moves what the function reaches into."""
    listener = socket.create_server(("127.0.0.1", 0))
    closed_by_client = threading.Event()
    server = threading.Thread(
        target=_serve_one_keep_alive, args=(listener, closed_by_client), daemon=True
    )
    server.start()
    port = listener.getsockname()[1]
    client = SeriesClient(API_KEY, base_url=f"http://127.0.0.1:{port}", max_retries=0)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(client.sessions.get("s1"))
        session = client._transport._session
        assert session is not None
        assert session.connector is not None
        connector = session.connector
        # The private names close_sockets_of_closed_loop reads, as it reads them.
        assert hasattr(connector, "_acquired"), "aiohttp moved BaseConnector._acquired"
        pooled = [handler for conns in connector._conns.values() for handler, _ in conns]
        assert len(pooled) == 1, "aiohttp changed BaseConnector._conns"
        transport = pooled[0].transport
        assert transport is not None
        sock = transport._sock  # type: ignore[attr-defined]
        assert isinstance(sock, socket.socket), "asyncio moved _SelectorTransport._sock"
        assert hasattr(transport, "_closed") or hasattr(transport, "_closing")
    finally:
        loop.close()
    close_sockets_of_closed_loop(connector)
    assert sock.fileno() == -1  # closed without its loop
    asyncio.run(client.aclose())  # and the client still closes cleanly on a new loop
    assert closed_by_client.wait(10)
    server.join(10)
    listener.close()
