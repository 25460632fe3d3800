"""Corners of the emulator not covered by the endpoint tests."""

from __future__ import annotations

import pytest

from series_async.testing import FaultRule, SeriesEmulator
from series_async.testing._faults import FaultInjector
from series_async.testing._wire import MISSING, parse_time

from .conftest import Api


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        ([5], "CustomRoles[0] must be an object"),
        (
            [{"name": "A", "slots": 1, "permissions": []}],
            "CustomRoles[0].permissions must be an object",
        ),
        ([{"name": 3, "slots": 1}], "CustomRoles[0].name must be a non-empty string"),
    ],
)
async def test_more_role_validation(api: Api, roles: list[object], message: str) -> None:
    session_id = await api.create()
    answer = await api.call("PATCH", f"/sessions/update/{session_id}", {"CustomRoles": roles})
    assert (answer.status, answer.message) == (400, "Validation error: " + message)


async def test_update_refuses_a_blank_title(api: Api) -> None:
    session_id = await api.create()
    answer = await api.call("PATCH", f"/sessions/update/{session_id}", {"Title": " "})
    assert answer.message == "Validation error: Title must be a non-empty string"


def test_parse_time_edges() -> None:
    assert parse_time("2024-02-30T10:00:00Z") is None  # the regex matches, the calendar does not
    parsed = parse_time("2024-01-20T15:00:00.5+02:00")
    assert parsed is not None
    assert parsed.isoformat() == "2024-01-20T15:00:00.500000+02:00"
    assert repr(MISSING) == "<missing>"


def test_fault_rule_and_injector_validation() -> None:
    with pytest.raises(ValueError, match="retry_after must be >= 0"):
        FaultRule(kind="rate_limit", retry_after=-1)
    with pytest.raises(ValueError, match="times must be >= 1"):
        FaultInjector().force(FaultRule(kind="http_500"), times=0)


async def test_async_double_start_and_failed_start() -> None:
    async with SeriesEmulator() as emulator:
        with pytest.raises(RuntimeError, match="already running"):
            await emulator.astart()
        port = int(emulator.url.rsplit(":", 1)[1])
        with pytest.raises(OSError, match="in use"):
            await SeriesEmulator(port=port).astart()
    await emulator.astop()  # stopping twice is harmless


async def test_ipv6_loopback_url() -> None:
    try:
        emulator = SeriesEmulator(host="::1")
        await emulator.astart()
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    try:
        assert emulator.url.startswith("http://[::1]:")
    finally:
        await emulator.astop()


async def test_request_log_limit_keeps_the_newest_entries() -> None:
    import aiohttp

    async with SeriesEmulator(request_log_limit=3) as emulator, aiohttp.ClientSession() as http:
        for _ in range(7):
            async with http.get(emulator.url + "/basic/check-key/x"):
                pass
        seqs = [r.seq for r in emulator.state.requests]
    assert seqs == [4, 5, 6]  # past 2 x 3 entries the log is cut back to the newest 3
