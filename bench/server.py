"""A canned-response Series API server for benchmarks: fast enough never to be the bottleneck.

It speaks just enough HTTP/1.1 (request line, headers, ``Content-Length`` bodies,
keep-alive, pipelining) on a raw :class:`asyncio.Protocol`, and answers with bodies shaped
as the Series documentation shows them:

- ``GET /sessions/get/{id}``  -> 200, the full PascalCase session object with ``CustomRoles``;
- ``POST /sessions/create``   -> 201, the camelCase ``sessionId`` echo of the old create page;
- ``GET /__stats``            -> 200, requests served and CPU seconds used by this process
  (so the harness can prove the server costs far less per request than any client);
- anything else               -> 404 with the documented error envelope.

Responses are prebuilt bytes (the session body is cached per id), so a request costs a
``find``, a split and a ``transport.write``. Run it as a script; it prints
``PORT <n>`` on stdout once it listens, and exits on SIGTERM, SIGINT or closed stdin.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import sys
import threading
from typing import Final

__all__ = ["SESSION_ID", "SeriesBenchProtocol", "create_body", "main", "session_body"]

SESSION_ID: Final = "session_1234567890_abc12345678"
_CREATED_ID: Final = "session_abc123"
_MAX_HEAD: Final = 64 * 1024
_MAX_CACHED_IDS: Final = 4096


def session_body(session_id: str) -> bytes:
    """Build the ``GET /sessions/get/{id}`` success envelope, as the reference shows it.

    Args:
        session_id: The id to echo in ``SessionId``.

    Returns:
        The JSON body as bytes.
    """
    slots = {"714760171": {"Attended": False}, "VACANT_1": {"Attended": False}}
    data = {
        "SessionId": session_id,
        "WorkspaceId": "workspace_abc123",
        "Title": "Training Session",
        "Host": "714760171",
        "CoHost": "261",
        "Supervisor": "156",
        "Scheduled": "2024-01-20T15:00:00.000Z",
        "Delayed": False,
        "Status": "upcoming",
        "Claimable": True,
        "Duration": 60,
        "MinHostRank": 50,
        "CustomRoles": {
            "Trainer": {
                "MinRank": 25,
                "Permissions": {
                    "ChangeSessionStatus": False,
                    "PassOrFailAttendees": True,
                    "ModifyAttendance": True,
                },
                "Slots": slots,
            },
            "Helper": {
                "MinRank": 10,
                "Permissions": {
                    "ChangeSessionStatus": False,
                    "PassOrFailAttendees": False,
                    "ModifyAttendance": True,
                },
                "Slots": {"VACANT_0": {"Attended": False}, "VACANT_1": {"Attended": False}},
            },
        },
    }
    return json.dumps({"success": True, "data": data}, separators=(",", ":")).encode()


def create_body() -> bytes:
    """Build the ``POST /sessions/create`` 201 envelope (lowercase ``sessionId``).

    Returns:
        The JSON body as bytes.
    """
    data = {
        "sessionId": _CREATED_ID,
        "Title": "Training Session",
        "Host": "714760171",
        "Scheduled": "2026-12-01T15:00:00Z",
        "Duration": 60,
        "createdAt": "2024-01-15T10:30:00Z",
    }
    return json.dumps({"success": True, "data": data}, separators=(",", ":")).encode()


def _response(status: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\n"
        "Content-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: keep-alive\r\n\r\n"
    )
    return head.encode("ascii") + body


_GET_PREFIX: Final = b"/sessions/get/"
_CREATED: Final = _response("201 Created", create_body())
_NOT_FOUND: Final = _response(
    "404 Not Found",
    b'{"success":false,"error":{"code":404,"message":"Not found"}}',
)
_BAD_REQUEST: Final = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
_session_cache: dict[bytes, bytes] = {}


class _Counter:
    """Requests served so far (a tiny object, so the hot path needs no ``global``)."""

    served = 0


_COUNTER: Final = _Counter()


def _stats() -> bytes:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    body = json.dumps(
        {
            "requests": _COUNTER.served,
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "user": usage.ru_utime,
            "sys": usage.ru_stime,
            "pid": os.getpid(),
        }
    ).encode()
    return _response("200 OK", body)


def _answer(method: bytes, target: bytes) -> bytes:
    """Pick the canned response for one request."""
    if method == b"GET" and target.startswith(_GET_PREFIX):
        cached = _session_cache.get(target)
        if cached is None:
            raw_id = target[len(_GET_PREFIX) :].split(b"?", 1)[0]
            cached = _response("200 OK", session_body(raw_id.decode("latin-1")))
            if len(_session_cache) < _MAX_CACHED_IDS:
                _session_cache[target] = cached
        return cached
    if method == b"POST" and target == b"/sessions/create":
        return _CREATED
    if method == b"GET" and target == b"/__stats":
        return _stats()
    return _NOT_FOUND


class SeriesBenchProtocol(asyncio.Protocol):
    """One keep-alive connection: parse pipelined requests, write canned answers."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Remember the transport to answer on."""
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        """Answer every complete request in the buffer; keep any partial one."""
        buffer = self._buffer + data if self._buffer else data
        transport = self._transport
        assert transport is not None
        out: list[bytes] = []
        while True:
            head_end = buffer.find(b"\r\n\r\n")
            if head_end < 0:
                if len(buffer) > _MAX_HEAD:
                    transport.write(_BAD_REQUEST)
                    transport.close()
                    return
                break
            head = buffer[:head_end]
            line_end = head.find(b"\r\n")
            request_line = head if line_end < 0 else head[:line_end]
            parts = request_line.split(b" ")
            if len(parts) != 3:
                transport.write(_BAD_REQUEST)
                transport.close()
                return
            length = 0
            close = False
            if line_end >= 0:
                # Only two headers matter: the body length and an explicit close.
                for line in head[line_end + 2 :].split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    lowered = name.strip().lower()
                    if lowered == b"content-length":
                        length = int(value)
                    elif lowered == b"connection" and value.strip().lower() == b"close":
                        close = True
            end = head_end + 4 + length
            if len(buffer) < end:
                break  # the body is still arriving
            out.append(_answer(parts[0], parts[1]))
            _COUNTER.served += 1
            buffer = buffer[end:]
            if close:
                transport.write(b"".join(out))
                transport.close()
                return
        self._buffer = buffer
        if out:
            transport.write(out[0] if len(out) == 1 else b"".join(out))


async def serve(host: str, port: int) -> None:
    """Listen until a signal arrives or stdin closes, printing ``PORT <n>`` once bound.

    Args:
        host: Address to bind (loopback only in practice).
        port: Port to bind; 0 picks a free one.
    """
    loop = asyncio.get_running_loop()
    server = await loop.create_server(SeriesBenchProtocol, host, port, backlog=1024)
    bound = server.sockets[0].getsockname()[1]
    print(f"PORT {bound}", flush=True)
    stop: asyncio.Future[None] = loop.create_future()

    def _stop() -> None:
        if not stop.done():
            stop.set_result(None)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, _stop)

    def _watch_stdin() -> None:
        # The parent holds our stdin open; EOF means it went away, so we must too.
        sys.stdin.read()
        loop.call_soon_threadsafe(_stop)

    threading.Thread(target=_watch_stdin, name="stdin-watch", daemon=True).start()
    async with server:
        await stop


def main(argv: list[str] | None = None) -> None:
    """Parse ``--host``/``--port`` and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
