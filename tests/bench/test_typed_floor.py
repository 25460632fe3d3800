"""The typed floor is the SDK's own call, minus the SDK: same bytes out, equal models back.

``bench/_typed_floor.py`` is only a fair floor if it sends exactly what ``series_async``
sends (so the server's work and the HTTP stack's work are the same) and returns models
equal to the SDK's. Both are checked here against the benchmark's own canned server,
with every request's raw bytes recorded.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import _scenarios  # noqa: E402 - needs the path set up above
import _typed_floor  # noqa: E402
import server  # noqa: E402

from series_async import (  # noqa: E402
    CreatedSession,
    RolePermissions,
    RoleSlots,
    Session,
    SessionStatus,
    SlotState,
    _json,
)


class _Recording(server.SeriesBenchProtocol):
    """The bench server's protocol, keeping every byte each connection received."""

    streams: ClassVar[list[bytearray]] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._received = bytearray()
        self.streams.append(self._received)
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        self._received += data
        super().data_received(data)


@pytest.fixture
async def bench_server() -> AsyncIterator[tuple[str, list[bytearray]]]:
    streams: ClassVar[list[bytearray]] = []
    protocol = type("Recording", (_Recording,), {"streams": streams})
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(protocol, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", streams
    finally:
        srv.close()
        await srv.wait_closed()


async def _get_then_create(name: str, base_url: str) -> tuple[Any, Any]:
    backend = _json.backend()  # activate() switches the process-wide JSON backend
    client = await _scenarios.open_async(name, base_url)
    try:
        client.activate()
        return await client.ops["get"](), await client.ops["create"]()
    finally:
        await client.close()
        _json._force_backend(backend)


@pytest.mark.timeout(10)
async def test_the_floor_sends_the_sdks_exact_bytes(
    bench_server: tuple[str, list[bytearray]],
) -> None:
    base_url, streams = bench_server
    await _get_then_create("series_async", base_url)
    await _get_then_create("typed_floor", base_url)
    assert len(streams) == 2  # one keep-alive connection each
    sdk, floor = (bytes(stream) for stream in streams)
    assert floor == sdk
    # And they are the documented requests, not two equal mistakes.
    get_head = sdk.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert get_head[0] == f"GET /sessions/get/{server.SESSION_ID} HTTP/1.1".encode()
    assert f"apikey: {_scenarios.API_KEY}".encode() in get_head
    assert f"User-Agent: {_typed_floor.user_agent()}".encode() in get_head
    assert b"Accept: application/json" in get_head
    assert not any(line.lower().startswith(b"content-type") for line in get_head)
    create = sdk[sdk.index(b"POST ") :]
    head, body = create.split(b"\r\n\r\n", 1)
    assert b"Content-Type: application/json" in head.split(b"\r\n")
    assert body == (
        b'{"Title":"Training Session","Scheduled":"2026-12-01T15:00:00Z","Duration":60,'
        b'"CustomRoles":[{"name":"Trainer","slots":2,"minRank":50,"permissions":'
        b'{"ChangeSessionStatus":false,"PassOrFailAttendees":true,"ModifyAttendance":true}}]}'
    )


@pytest.mark.timeout(10)
async def test_the_floor_returns_the_sdks_models(
    bench_server: tuple[str, list[bytearray]],
) -> None:
    base_url, _ = bench_server
    sdk_session, sdk_created = await _get_then_create("series_async", base_url)
    floor_session, floor_created = await _get_then_create("typed_floor", base_url)
    assert type(floor_session) is Session
    assert type(floor_created) is CreatedSession
    assert floor_session == sdk_session
    assert floor_created == sdk_created
    # Spot-check the values too, so equality cannot hide two equal misreadings.
    assert floor_session.status is SessionStatus.UPCOMING
    assert floor_session.scheduled.isoformat() == "2024-01-20T15:00:00+00:00"
    assert floor_session.custom_roles["Trainer"] == RoleSlots(
        min_rank=25,
        permissions=RolePermissions(pass_or_fail_attendees=True, modify_attendance=True),
        slots={"714760171": SlotState(attended=False), "VACANT_1": SlotState(attended=False)},
    )
    assert floor_created.session_id == "session_abc123"
    assert floor_created.created_at.isoformat() == "2024-01-15T10:30:00+00:00"
