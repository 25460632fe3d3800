"""A real HTTP server on 127.0.0.1 that records requests and plays back scripted answers.

Wire tests use it instead of a mocking library: the SDK's real aiohttp stack
sends real bytes, so paths (with their exact percent-encoding), headers and
bodies are checked as the API would see them.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Mapping
from typing import Any

import attrs
from aiohttp import web


@attrs.frozen
class Recorded:
    """One request as the server saw it."""

    method: str
    raw_path: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes

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


class Recorder:
    """Serves queued replies in order (the last one repeats) and records every request."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
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
        self.requests.append(
            Recorded(
                request.method,
                request.raw_path.split("?", 1)[0],
                request.path,
                dict(request.query),
                dict(request.headers),
                body,
            )
        )
        reply = self._replies.popleft() if len(self._replies) > 1 else self._replies[0]
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.drop:
            assert request.transport is not None
            request.transport.close()
            raise web.HTTPInternalServerError  # never reaches the client: socket is gone
        return web.Response(status=reply.status, body=reply.body, headers=dict(reply.headers))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=0.1
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
