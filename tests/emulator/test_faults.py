"""Fault injection: every kind on the wire, before/after semantics, reproducibility."""

from __future__ import annotations

import aiohttp
import pytest

from series_async.testing import FaultKind, FaultPlan, FaultRule, SeriesEmulator

from .conftest import ROOKIE, Api


async def _raw(emulator: SeriesEmulator, method: str, path: str) -> tuple[int, str, dict[str, str]]:
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, emulator.url + path, headers={"apikey": emulator.api_key}) as r,
    ):
        return r.status, await r.text(), dict(r.headers)


@pytest.mark.parametrize(
    ("kind", "status", "content_type"),
    [
        ("rate_limit", 429, "application/json"),
        ("http_500", 500, "application/json"),
        ("http_502", 502, "text/html"),
        ("http_503", 503, "text/html"),
    ],
)
async def test_status_faults_answer_without_applying(
    series_emulator: SeriesEmulator, kind: str, status: int, content_type: str
) -> None:
    series_emulator.inject(kind, routes="ranking.promote", retry_after=2)
    got, body, headers = await _raw(series_emulator, "POST", f"/ranking/promote/{ROOKIE}")
    assert got == status
    assert headers["Content-Type"].startswith(content_type)
    if status in (429, 503):
        assert headers["Retry-After"] == "2"
    if content_type == "application/json":
        assert f'"code":{status}' in body
    state = series_emulator.state
    assert state.member_ranks[ROOKIE] == 5  # not applied
    assert state.applied("ranking.promote") == 0
    assert state.requests[-1].fault == kind


async def test_drop_before_does_not_apply(series_emulator: SeriesEmulator) -> None:
    series_emulator.inject(FaultKind.DROP_BEFORE)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await _raw(series_emulator, "POST", f"/ranking/promote/{ROOKIE}")
    assert series_emulator.state.member_ranks[ROOKIE] == 5
    assert series_emulator.state.requests[-1].status is None


async def test_drop_after_applies_then_hangs_up(series_emulator: SeriesEmulator) -> None:
    series_emulator.inject(FaultKind.DROP_AFTER, routes=["ranking.promote"])
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await _raw(series_emulator, "POST", f"/ranking/promote/{ROOKIE}")
    state = series_emulator.state
    assert state.member_ranks[ROOKIE] == 20  # applied: a blind replay would promote twice
    assert state.applied("ranking.promote") == 1


async def test_truncated_body_applies_and_breaks_the_payload(
    series_emulator: SeriesEmulator,
) -> None:
    series_emulator.inject("truncated_body")
    with pytest.raises(aiohttp.ClientPayloadError):
        await _raw(series_emulator, "POST", f"/ranking/promote/{ROOKIE}")
    assert series_emulator.state.member_ranks[ROOKIE] == 20


async def test_non_json_body_keeps_the_status_and_applies(series_emulator: SeriesEmulator) -> None:
    series_emulator.inject("non_json_body")
    status, body, headers = await _raw(series_emulator, "POST", f"/ranking/promote/{ROOKIE}")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert body.startswith("<html>")
    assert series_emulator.state.member_ranks[ROOKIE] == 20


async def test_delay_then_normal_answer(series_emulator: SeriesEmulator) -> None:
    series_emulator.inject("delay", delay=0.01)
    status, _, _ = await _raw(series_emulator, "GET", "/sessions/list")
    assert status == 200
    assert series_emulator.state.requests[-1].fault == "delay"


async def test_forced_faults_count_down_and_only_hit_their_routes(api: Api) -> None:
    api.emulator.inject("http_500", routes="sessions.get", times=2)
    assert (await api.call("GET", "/sessions/list")).status == 200
    session_id = await api.create()
    assert (await api.call("GET", f"/sessions/get/{session_id}")).status == 500
    assert (await api.call("GET", f"/sessions/get/{session_id}")).status == 500
    assert (await api.call("GET", f"/sessions/get/{session_id}")).status == 200
    api.emulator.inject("http_500", times=5)
    api.emulator.clear_faults()
    assert (await api.call("GET", "/sessions/list")).status == 200


async def _fault_sequence(seed: int) -> list[str | None]:
    plan = FaultPlan.uniform(0.5, kinds=["http_500", "http_503", "rate_limit"], retry_after=0)
    async with SeriesEmulator(faults=plan, seed=seed) as emulator:
        for _ in range(40):
            await _raw(emulator, "GET", "/sessions/list")
        return [r.fault for r in emulator.state.requests]


async def test_same_seed_same_faults() -> None:
    first = await _fault_sequence(11)
    assert first == await _fault_sequence(11)
    assert first != await _fault_sequence(12)
    hits = sum(f is not None for f in first)
    assert 8 <= hits <= 32  # about half of 40


async def test_rules_only_fire_on_their_routes() -> None:
    rules = [FaultRule(kind="http_500", probability=1.0, routes=["sessions.create"])]
    async with SeriesEmulator(faults=rules, seed=1) as emulator:
        assert (await _raw(emulator, "GET", "/sessions/list"))[0] == 200
        assert (await _raw(emulator, "POST", "/sessions/create"))[0] == 500


def test_fault_specs_are_validated() -> None:
    with pytest.raises(ValueError, match="probability must be between 0 and 1"):
        FaultRule(kind="http_500", probability=1.5)
    with pytest.raises(ValueError, match="unknown route"):
        FaultRule(kind="http_500", routes=["sessions.delete"])
    with pytest.raises(ValueError, match="is not a valid FaultKind"):
        FaultRule(kind="explode")
    with pytest.raises(ValueError, match=r"add up to 1\.2 > 1"):
        FaultPlan(rules=[FaultRule(kind="http_500", probability=0.6)] * 2)
    with pytest.raises(ValueError, match="kinds must not be empty"):
        FaultPlan.uniform(0.1, kinds=[])
    assert FaultKind.DROP_AFTER.after_apply
    assert not FaultKind.DROP_BEFORE.after_apply


async def test_delay_on_a_request_with_a_body_is_applied_when_the_client_gives_up(
    series_emulator: SeriesEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from series_async import APITimeoutError, SeriesClient

    series_emulator.inject("delay", routes="sessions.create", delay=0.3)
    async with SeriesClient(
        series_emulator.api_key, base_url=series_emulator.url, timeout=0.05, max_retries=0
    ) as client:
        with pytest.raises(APITimeoutError):
            await client.sessions.create(title="t", scheduled="2026-12-01T15:00:00Z", duration=30)
    for _ in range(100):  # the emulator finishes the request after the client left
        if series_emulator.state.requests:
            break
        await asyncio.sleep(0.01)
    (record,) = series_emulator.state.requests
    assert (record.route, record.fault, record.applied) == ("sessions.create", "delay", True)
    assert len(series_emulator.state.sessions) == 1  # applied, as the docs say
    captured = capsys.readouterr()
    assert "ConnectionResetError" not in captured.out + captured.err


def test_set_session_status_of_an_unknown_session_says_so(
    series_emulator: SeriesEmulator,
) -> None:
    with pytest.raises(KeyError, match="no session with id 'unknown'"):
        series_emulator.set_session_status("unknown", "ongoing")
