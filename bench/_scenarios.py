"""The clients under test, each reduced to "make one ``sessions.get`` / ``sessions.create``".

Every opener returns a :class:`AsyncClientUnderTest` or :class:`SyncClientUnderTest`: a
mapping from operation name to a zero-argument callable doing one full call (send, read,
decode JSON, and for the SDK build the model), plus a ``close``. The raw baselines do what
a careful user of that library would write by hand: a dict body, the ``apikey`` header,
a status check and ``json()``.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Final

from _typed_floor import open_typed_floor
from server import SESSION_ID

__all__ = [
    "API_KEY",
    "ASYNC_CLIENTS",
    "JSON_SWITCH",
    "OPS",
    "SYNC_CLIENTS",
    "AsyncClientUnderTest",
    "SyncClientUnderTest",
    "create_args",
    "open_async",
    "open_sync",
]

API_KEY: Final = "sk_bench_0123456789abcdef"
OPS: Final = ("get", "create")
ASYNC_CLIENTS: Final = (
    "raw_aiohttp",
    "typed_floor",
    "series_async",
    "series_async[orjson]",
    "httpx",
)
SYNC_CLIENTS: Final = ("requests", "loop_thread", "async_thread", "series_sync")
_SCHEDULED: Final = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)
_HEADERS: Final = {"apikey": API_KEY}
# The SDK's private JSON seam (see _json_backend): ``_force_backend("stdlib" | "orjson")``.
JSON_SWITCH: Final = "series_async._json"


def _create_payload() -> dict[str, Any]:
    """The JSON body the SDK sends for the ``create`` call below, written by hand."""
    return {
        "Title": "Training Session",
        "Scheduled": "2026-12-01T15:00:00Z",
        "Duration": 60,
        "CustomRoles": [
            {
                "name": "Trainer",
                "slots": 2,
                "minRank": 50,
                "permissions": {
                    "ChangeSessionStatus": False,
                    "PassOrFailAttendees": True,
                    "ModifyAttendance": True,
                },
            }
        ],
    }


def _check(status: int, expected: int) -> None:
    if status != expected:
        raise RuntimeError(f"bench server answered {status}, expected {expected}")


def _nothing() -> None:
    return None


@dataclass
class AsyncClientUnderTest:
    """One async client: ``ops[name]()`` is one awaited call; ``close()`` releases it.

    ``activate()`` runs before each batch of its calls: it puts process-wide switches
    (the SDK's JSON backend) the way this client needs them, since clients that share
    the SDK's modules take turns in one process.
    """

    ops: Mapping[str, Callable[[], Awaitable[object]]]
    close: Callable[[], Awaitable[None]]
    activate: Callable[[], None] = field(default=_nothing)


@dataclass
class SyncClientUnderTest:
    """One sync client shared by every thread; ``close()`` releases it (see ``activate``)."""

    ops: Mapping[str, Callable[[], object]]
    close: Callable[[], None]
    activate: Callable[[], None] = field(default=_nothing)


def _json_backend(name: str) -> Callable[[], None]:
    """Return an ``activate`` that makes the SDK encode and decode JSON with ``name``.

    The seam is private to the SDK: ``series_async._json._force_backend(name)`` with
    ``"stdlib"`` or ``"orjson"`` (the ``speed`` extra). An SDK without the seam only
    knows the stdlib, so ``"stdlib"`` needs nothing there.

    Raises:
        RuntimeError: ``orjson`` was asked for and the SDK cannot use it.
    """
    try:
        seam = importlib.import_module(JSON_SWITCH)
    except ImportError:
        if name == "stdlib":
            return _nothing
        raise RuntimeError(
            f"this series_async has no JSON backend switch ({JSON_SWITCH})"
        ) from None
    force: Callable[[str], None] = seam._force_backend
    force(name)  # fails here, at open, when orjson is not installed

    def activate() -> None:
        force(name)

    return activate


def _raw_aiohttp_ops(
    session: Any, base_url: str
) -> dict[str, Callable[[], Coroutine[Any, Any, object]]]:
    get_url = f"{base_url}/sessions/get/{SESSION_ID}"
    create_url = f"{base_url}/sessions/create"

    async def get() -> object:
        async with session.get(get_url, headers=_HEADERS) as resp:
            _check(resp.status, 200)
            return await resp.json()

    async def create() -> object:
        async with session.post(create_url, json=_create_payload(), headers=_HEADERS) as resp:
            _check(resp.status, 201)
            return await resp.json()

    return {"get": get, "create": create}


async def _open_raw_aiohttp(base_url: str) -> AsyncClientUnderTest:
    import aiohttp

    session = aiohttp.ClientSession()
    return AsyncClientUnderTest(_raw_aiohttp_ops(session, base_url), session.close)


async def _open_httpx(base_url: str) -> AsyncClientUnderTest:
    import httpx

    client = httpx.AsyncClient()
    get_url = f"{base_url}/sessions/get/{SESSION_ID}"
    create_url = f"{base_url}/sessions/create"

    async def get() -> object:
        resp = await client.get(get_url, headers=_HEADERS)
        _check(resp.status_code, 200)
        return resp.json()

    async def create() -> object:
        resp = await client.post(create_url, json=_create_payload(), headers=_HEADERS)
        _check(resp.status_code, 201)
        return resp.json()

    return AsyncClientUnderTest({"get": get, "create": create}, client.aclose)


def create_args() -> dict[str, Any]:
    """The typed arguments of the benchmarked ``sessions.create`` (SDK and typed floor)."""
    from series_async import CustomRole, RolePermissions

    roles = [
        CustomRole(
            name="Trainer",
            slots=2,
            min_rank=50,
            permissions=RolePermissions(pass_or_fail_attendees=True, modify_attendance=True),
        )
    ]
    return {
        "title": "Training Session",
        "scheduled": _SCHEDULED,
        "duration": 60,
        "custom_roles": roles,
    }


def _sdk_ops(client: Any) -> dict[str, Callable[[], Any]]:
    """The same two calls through either SDK client (async returns awaitables)."""
    args = create_args()

    def get() -> Any:
        return client.sessions.get(SESSION_ID)

    def create() -> Any:
        return client.sessions.create(**args)

    return {"get": get, "create": create}


async def _open_series_async(base_url: str, backend: str = "stdlib") -> AsyncClientUnderTest:
    from series_async import SeriesClient

    activate = _json_backend(backend)
    client = SeriesClient(api_key=API_KEY, base_url=base_url)
    return AsyncClientUnderTest(_sdk_ops(client), client.aclose, activate)


async def _open_series_async_orjson(base_url: str) -> AsyncClientUnderTest:
    return await _open_series_async(base_url, "orjson")


async def _open_typed_floor(base_url: str) -> AsyncClientUnderTest:
    ops, close = await open_typed_floor(base_url, API_KEY, SESSION_ID, create_args())
    return AsyncClientUnderTest(ops, close)


async def open_async(name: str, base_url: str) -> AsyncClientUnderTest:
    """Open the async client called ``name`` (one of :data:`ASYNC_CLIENTS`) on this loop.

    Args:
        name: Which client.
        base_url: The bench server's ``http://127.0.0.1:<port>``.

    Returns:
        The client's operations and its ``close``.
    """
    openers = {
        "raw_aiohttp": _open_raw_aiohttp,
        "typed_floor": _open_typed_floor,
        "series_async": _open_series_async,
        "series_async[orjson]": _open_series_async_orjson,
        "httpx": _open_httpx,
    }
    return await openers[name](base_url)


def _open_requests(base_url: str) -> SyncClientUnderTest:
    import requests

    session = requests.Session()
    get_url = f"{base_url}/sessions/get/{SESSION_ID}"
    create_url = f"{base_url}/sessions/create"

    def get() -> object:
        resp = session.get(get_url, headers=_HEADERS)
        _check(resp.status_code, 200)
        return resp.json()

    def create() -> object:
        resp = session.post(create_url, json=_create_payload(), headers=_HEADERS)
        _check(resp.status_code, 201)
        return resp.json()

    return SyncClientUnderTest({"get": get, "create": create}, session.close)


def _open_loop_thread(base_url: str) -> SyncClientUnderTest:
    """The sync design's ceiling: raw aiohttp on a private loop thread, no SDK layers."""
    import aiohttp

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="bench-loop", daemon=True)
    thread.start()

    async def make() -> Any:
        return aiohttp.ClientSession()

    session = asyncio.run_coroutine_threadsafe(make(), loop).result()
    async_ops = _raw_aiohttp_ops(session, base_url)

    def bridge(op: Callable[[], Coroutine[Any, Any, object]]) -> Callable[[], object]:
        def call() -> object:
            return asyncio.run_coroutine_threadsafe(op(), loop).result()

        return call

    def close() -> None:
        asyncio.run_coroutine_threadsafe(session.close(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()

    return SyncClientUnderTest({op: bridge(fn) for op, fn in async_ops.items()}, close)


def _open_async_thread(base_url: str) -> SyncClientUnderTest:
    """The fair limit of a sync twin: series_async itself, each call a bare
    ``run_coroutine_threadsafe(...).result()`` on one private loop thread."""
    from series_async import SeriesClient

    activate = _json_backend("stdlib")
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="bench-async-loop", daemon=True)
    thread.start()

    async def make() -> Any:
        return SeriesClient(api_key=API_KEY, base_url=base_url)

    client = asyncio.run_coroutine_threadsafe(make(), loop).result()
    args = create_args()

    def get() -> object:
        return asyncio.run_coroutine_threadsafe(client.sessions.get(SESSION_ID), loop).result()

    def create() -> object:
        return asyncio.run_coroutine_threadsafe(client.sessions.create(**args), loop).result()

    def close() -> None:
        asyncio.run_coroutine_threadsafe(client.aclose(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()

    return SyncClientUnderTest({"get": get, "create": create}, close, activate)


def _open_series_sync(base_url: str) -> SyncClientUnderTest:
    from series_sync import SeriesClient

    activate = _json_backend("stdlib")
    client = SeriesClient(api_key=API_KEY, base_url=base_url)
    return SyncClientUnderTest(_sdk_ops(client), client.close, activate)


def open_sync(name: str, base_url: str) -> SyncClientUnderTest:
    """Open the sync client called ``name`` (one of :data:`SYNC_CLIENTS`).

    Args:
        name: Which client.
        base_url: The bench server's ``http://127.0.0.1:<port>``.

    Returns:
        The client's operations and its ``close``.
    """
    openers = {
        "requests": _open_requests,
        "loop_thread": _open_loop_thread,
        "async_thread": _open_async_thread,
        "series_sync": _open_series_sync,
    }
    return openers[name](base_url)
