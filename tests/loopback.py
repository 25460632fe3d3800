"""Listening on 127.0.0.1 for the test servers: one place for ports, URLs and runners.

The recorder and the threaded server speak HTTP through aiohttp (:func:`serve_app`);
the raw server and the forward proxy write bytes aiohttp would refuse to send, so
they use a plain asyncio stream server (:func:`listen_raw`). Both bind an
ephemeral port on 127.0.0.1 and return the base URL of what they started.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

__all__ = ["listen_raw", "serve_app"]

StreamHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def _url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


async def serve_app(app: web.Application, **runner_options: Any) -> tuple[web.AppRunner, str]:
    """Serve ``app`` on an ephemeral loopback port; return its runner and base URL."""
    runner = web.AppRunner(
        app, access_log=None, handle_signals=False, shutdown_timeout=0.1, **runner_options
    )
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, _url(runner.addresses[0][1])


async def listen_raw(handler: StreamHandler) -> tuple[asyncio.Server, str]:
    """Serve raw streams with ``handler`` on an ephemeral loopback port; return server and URL."""
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, _url(server.sockets[0].getsockname()[1])
