"""The recording server on its own thread, and a small fake API for the sync tests.

Sync calls block the test's thread, so the server cannot share it: this runs
the same :class:`tests.recorder.Recorder` the async tests use, with its own
loop on a daemon thread. It records every request and every distinct client
connection (by peer address) so tests can count connections.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from aiohttp import web

from tests.recorder import Recorded, Recorder, Reply, Responder, fail, ok

__all__ = ["KEY_INFO", "SESSION", "FakeAPI", "ThreadedServer"]


class ThreadedServer:
    """Serves ``responder`` on 127.0.0.1 from a private thread.

    Args:
        responder: Answers every request (any method, any path).
        handler_cancellation: Cancel a handler when its client disconnects.
    """

    def __init__(self, responder: Responder, *, handler_cancellation: bool = False) -> None:
        self._recorder = Recorder(responder, handler_cancellation=handler_cancellation)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    @property
    def requests(self) -> list[Recorded]:
        return self._recorder.requests

    @property
    def peers(self) -> set[tuple[str, int] | tuple[()]]:
        return self._recorder.peers

    @property
    def url(self) -> str:
        return self._recorder.url

    def start(self) -> ThreadedServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._recorder.start(), self.loop).result(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._recorder.stop(), self.loop).result(10)
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
