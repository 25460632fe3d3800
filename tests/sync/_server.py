"""A loopback aiohttp server on its own thread, for tests whose calling thread blocks.

Sync calls block the test's thread, so the server cannot share it: it runs its
own loop on a daemon thread. It records every request and every distinct
client connection (by peer address) so tests can count connections.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import attrs
from aiohttp import web

from tests.recorder import Reply, fail, ok

# A responder may answer with a scripted Reply (ok() / fail()) or any aiohttp response.
Responder = Callable[[web.Request], Awaitable[web.StreamResponse | Reply]]


@attrs.frozen
class Seen:
    """One request as the server saw it."""

    method: str
    path_qs: str
    headers: Mapping[str, str]
    body: bytes
    peer: tuple[str, int]


class ThreadedServer:
    """Serves ``responder`` on 127.0.0.1 from a private thread.

    Args:
        responder: Answers every request (any method, any path).
        handler_cancellation: Cancel a handler when its client disconnects.
    """

    def __init__(self, responder: Responder, *, handler_cancellation: bool = False) -> None:
        self._responder = responder
        self._handler_cancellation = handler_cancellation
        self.requests: list[Seen] = []
        self.peers: set[tuple[str, int]] = set()
        self.url = ""
        self.loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        peer = request.transport.get_extra_info("peername") if request.transport else None
        seen = Seen(request.method, request.path_qs, dict(request.headers), body, tuple(peer or ()))
        self.requests.append(seen)
        self.peers.add(seen.peer)
        answer = await self._responder(request)
        if isinstance(answer, Reply):
            return web.Response(status=answer.status, body=answer.body, headers=answer.headers)
        return answer

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            shutdown_timeout=0.1,
            handler_cancellation=self._handler_cancellation,
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def start(self) -> ThreadedServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


SESSION: dict[str, Any] = {
    "SessionId": "session_1",
    "WorkspaceId": "workspace_abc123",
    "Title": "Training Session",
    "Host": "714760171",
    "Scheduled": "2024-01-20T15:00:00.000Z",
    "Delayed": False,
    "Status": "upcoming",
    "Claimable": True,
    "Duration": 60,
}
KEY_INFO: dict[str, Any] = {
    "valid": True,
    "workspaceId": "workspace_abc123",
    "workspaceName": "My Organization",
    "status": "active",
}


class FakeAPI:
    """Just enough of the API for the sync tests: keys, get and a paged list.

    ``GET /sessions/get/slow`` never answers: it waits until the client goes
    away and then sets :attr:`abandoned` (the server cancels the handler).
    """

    def __init__(self, pages: list[list[str]] | None = None) -> None:
        self.pages = pages or []
        self.failing_pages: set[int] = set()
        self.slow_started = threading.Event()
        self.abandoned = threading.Event()

    async def __call__(self, request: web.Request) -> Reply:
        path = request.path
        if path.startswith("/basic/check-key/"):
            return ok(KEY_INFO)
        if path == "/sessions/get/slow":
            self.slow_started.set()
            try:
                await asyncio.Event().wait()
            finally:
                self.abandoned.set()
        if path.startswith("/sessions/get/"):
            return ok({**SESSION, "SessionId": path.rsplit("/", 1)[1]})
        if path == "/sessions/list":
            number = int(request.query.get("page", "1"))
            if number in self.failing_pages:
                return fail(500, "page broke")
            ids = self.pages[number - 1] if number <= len(self.pages) else []
            return ok({"Page": number, "Sessions": [{**SESSION, "SessionId": i} for i in ids]})
        return fail(404, "Route not found")
