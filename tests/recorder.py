"""A real HTTP server on 127.0.0.1 that records requests and plays back scripted answers.

Wire tests use it instead of a mocking library: the SDK's real aiohttp stack
sends real bytes, so paths (with their exact percent-encoding), headers and
bodies are checked as the API would see them. It answers from a queue of
scripted replies, or from a ``responder`` function when a test needs a small
fake API; ``tests/sync/_server.py`` runs this same server on its own thread
for sync calls, which block the test's thread.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import attrs
from aiohttp import web

from tests.loopback import serve_app


@attrs.frozen
class Recorded:
    """One request as the server saw it."""

    method: str
    raw_path: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes
    path_qs: str = ""  # the decoded path with its query string
    peer: tuple[str, int] | tuple[()] = ()  # the client connection's address

    def json(self) -> Any:
        return json.loads(self.body)


@attrs.frozen
class Reply:
    """A scripted answer."""

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = attrs.field(factory=dict)
    delay: float = 0.0
    drop: bool = False


def ok(data: Mapping[str, Any], status: int = 200, **headers: str) -> Reply:
    """A documented success envelope."""
    payload = json.dumps({"success": True, "data": data}).encode()
    return Reply(status, payload, {"Content-Type": "application/json", **headers})


def fail(status: int, message: str, **headers: str) -> Reply:
    """A documented error envelope."""
    payload = json.dumps({"success": False, "error": {"code": status, "message": message}}).encode()
    return Reply(status, payload, {"Content-Type": "application/json", **headers})


# A responder may answer with a scripted Reply (ok() / fail()) or any aiohttp response.
Responder = Callable[[web.Request], Awaitable[web.StreamResponse | Reply]]


def _response(reply: Reply) -> web.Response:
    return web.Response(status=reply.status, body=reply.body, headers=dict(reply.headers))


class Recorder:
    """Records every request; answers with queued replies in order (the last one repeats).

    Args:
        responder: Answers every request instead of the queue (any method, any path).
        handler_cancellation: Cancel a handler when its client disconnects.
    """

    def __init__(
        self, responder: Responder | None = None, *, handler_cancellation: bool = False
    ) -> None:
        self.requests: list[Recorded] = []
        self.peers: set[tuple[str, int] | tuple[()]] = set()
        self._responder = responder
        self._handler_cancellation = handler_cancellation
        self._replies: deque[Reply] = deque()
        self._runner: web.AppRunner | None = None
        self.url = ""

    def reply(self, *replies: Reply) -> None:
        self._replies.extend(replies)

    def replace(self, *replies: Reply) -> None:
        self._replies.clear()
        self._replies.extend(replies)

    @property
    def last(self) -> Recorded:
        return self.requests[-1]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        peer = request.transport.get_extra_info("peername") if request.transport else None
        seen = Recorded(
            request.method,
            request.raw_path.split("?", 1)[0],
            request.path,
            dict(request.query),
            dict(request.headers),
            body,
            request.path_qs,
            tuple(peer or ()),
        )
        self.requests.append(seen)
        self.peers.add(seen.peer)
        if self._responder is not None:
            answer = await self._responder(request)
            return _response(answer) if isinstance(answer, Reply) else answer
        reply = self._replies.popleft() if len(self._replies) > 1 else self._replies[0]
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.drop:
            assert request.transport is not None
            request.transport.close()
            raise web.HTTPInternalServerError  # never reaches the client: socket is gone
        return _response(reply)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner, self.url = await serve_app(
            app, handler_cancellation=self._handler_cancellation
        )

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
