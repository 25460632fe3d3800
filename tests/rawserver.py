"""A loopback TCP server that answers with raw bytes: whatever a hostile server sends.

The recording server (``tests/recorder.py``) speaks correct HTTP; this one
does not have to. Each connection gets the next scripted answer: bytes written
as they are (a bad status line, broken chunking, a lying Content-Length), an
async function that writes to the stream itself (huge or endless bodies), or
nothing at all (a hang-up).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TypeAlias

from tests.loopback import listen_raw

Writer: TypeAlias = Callable[[asyncio.StreamWriter], Awaitable[None]]
Answer: TypeAlias = bytes | Writer


def response(
    status: int | str = 200,
    body: bytes = b"",
    *,
    reason: str = "OK",
    headers: dict[str, str] | None = None,
    length: bool = True,
) -> bytes:
    """Build HTTP/1.1 response bytes (``Connection: close``)."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    fields = {"Connection": "close", **(headers or {})}
    if length and "Content-Length" not in fields and "Transfer-Encoding" not in fields:
        fields["Content-Length"] = str(len(body))
    lines += [f"{k}: {v}" for k, v in fields.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + body


class RawServer:
    """Serves scripted raw answers on 127.0.0.1, one per connection (the last repeats).

    Attributes:
        requests: The request head (request line and headers) of each connection.
    """

    def __init__(self) -> None:
        self._answers: list[Answer] = [response(200, b"{}")]
        self._served = 0
        self.requests: list[bytes] = []
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.url = ""

    def answer(self, *answers: Answer) -> None:
        """Script the answers of the next connections."""
        self._answers = list(answers)
        self._served = 0

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            self.requests.append(head)
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            index = min(self._served, len(self._answers) - 1)
            self._served += 1
            answer = self._answers[index]
            if isinstance(answer, bytes):
                writer.write(answer)
                await writer.drain()
            else:
                await answer(writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
            self._tasks.discard(task)

    async def start(self) -> None:
        self._server, self.url = await listen_raw(self._handle)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._server.wait_closed()
