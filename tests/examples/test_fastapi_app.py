"""examples/fastapi_app.py, run through its lifespan against the emulator (no real server)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest

from series_async import RetryPolicy, Timeout
from series_async.testing import FaultPlan, SeriesEmulator
from tests.examples._load import NEEDS_EXTRA, load_example

httpx = pytest.importorskip("httpx", reason=NEEDS_EXTRA)
asgi_lifespan = pytest.importorskip("asgi_lifespan", reason=NEEDS_EXTRA)
pytest.importorskip("fastapi", reason=NEEDS_EXTRA)
app_module = load_example("fastapi_app")

# Tiny backoff so retried faults cost milliseconds; Retry-After from the emulator is 0.
FAST_RETRY = RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.002, jitter=False)


@pytest.fixture
def emulator_env(series_emulator: SeriesEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERIES_API_KEY", series_emulator.api_key)
    monkeypatch.setenv("SERIES_BASE_URL", series_emulator.url)


@pytest.fixture
async def http(emulator_env: None) -> AsyncIterator[Any]:
    app = app_module.create_app(retry=FAST_RETRY, timeout=Timeout(total=2))
    async with asgi_lifespan.LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            yield client
    assert app.state.series.closed


async def create(http: Any, title: str = "Training", **fields: Any) -> str:
    body = {"title": title, "scheduled": "2030-01-01T18:00:00Z", "duration": 60, **fields}
    response = await http.post("/sessions", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["session_id"])


async def test_create_get_list_and_claim(http: Any, series_emulator: SeriesEmulator) -> None:
    session_id = await create(http, trainer_slots=2)
    response = await http.get(f"/sessions/{session_id}")
    assert response.status_code == 200
    assert response.json() == {
        "session_id": session_id,
        "title": "Training",
        "status": "upcoming",
        "scheduled": "2030-01-01T18:00:00Z",
        "free_slots": {"Trainer": 2},
    }
    response = await http.post(f"/sessions/{session_id}/claim", json={"user_id": "2143265871"})
    assert response.status_code == 200
    (role,) = series_emulator.state.sessions[session_id].custom_roles
    assert role.holders() == ["2143265871"]
    listed = (await http.get("/sessions")).json()
    assert [(s["session_id"], s["free_slots"]) for s in listed] == [(session_id, {"Trainer": 1})]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "detail"),
    [
        ("get", "/sessions/session_missing", None, 404, "Session not found"),
        ("get", "/sessions?status=someday", None, 422, "status: "),
        (
            "post",
            "/sessions",
            {"title": "T", "scheduled": "2030-01-01T18:00:00Z", "duration": 0},
            422,
            "duration: must be an integer >= 1 (minutes), got 0",
        ),
        (
            "post",
            "/sessions",
            {"title": "T", "scheduled": "2030-01-01 18:00", "duration": 5},
            422,
            "scheduled: ",
        ),
    ],
)
async def test_sdk_errors_become_http_errors(
    http: Any, method: str, path: str, body: Any, status: int, detail: str
) -> None:
    response = await http.request(method, path, json=body)
    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)


async def test_refused_claims_are_conflicts(http: Any) -> None:
    session_id = await create(http, trainer_slots=1)
    low = await http.post(f"/sessions/{session_id}/claim", json={"user_id": "4173392009"})
    assert low.status_code == 409
    assert low.json() == {
        "detail": "User does not meet the minimum rank requirement for Trainer"
        " (requires 50, user has 5)"
    }
    ok = await http.post(f"/sessions/{session_id}/claim", json={"user_id": "2143265871"})
    assert ok.status_code == 200
    full = await http.post(f"/sessions/{session_id}/claim", json={"user_id": "714760171"})
    assert (full.status_code, full.json()) == (409, {"detail": "Trainer: every slot is taken"})


@pytest.mark.parametrize(
    ("kind", "times", "status", "retry_after"),
    [
        ("rate_limit", 1, 503, "120"),  # longer than max_retry_after: reported, not waited for
        ("http_500", 3, 502, None),  # first try and both retries fail
        # aiohttp itself re-sends a GET once on a dropped keep-alive connection.
        ("drop_before", 6, 502, None),
        ("delay", 3, 504, None),  # slower than the 0.2 s per-attempt timeout below
    ],
)
async def test_upstream_faults_become_gateway_errors(
    emulator_env: None,
    series_emulator: SeriesEmulator,
    kind: str,
    times: int,
    status: int,
    retry_after: str | None,
) -> None:
    retry = RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.002, total_timeout=0.3)
    app = app_module.create_app(retry=retry, timeout=Timeout(total=0.2))
    async with asgi_lifespan.LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
            series_emulator.inject(
                kind, routes="sessions.list", times=times, retry_after=120, delay=0.5
            )
            response = await http.get("/sessions")
    assert response.status_code == status
    assert response.headers.get("Retry-After") == retry_after
    series_emulator.clear_faults()


async def test_a_revoked_key_is_our_problem_not_the_callers(
    series_emulator: SeriesEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERIES_API_KEY", "sk_test_revoked")
    monkeypatch.setenv("SERIES_BASE_URL", series_emulator.url)
    app = app_module.create_app(retry=FAST_RETRY)
    async with asgi_lifespan.LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
            response = await http.get("/sessions")
    assert (response.status_code, response.json()) == (
        500,
        {"detail": "this service is misconfigured"},
    )
    assert "sk_test_revoked" not in response.text


async def gather_limited(http: Any, paths: list[str], limit: int) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def one(path: str) -> Any:
        async with gate:
            return await http.get(path)

    return await asyncio.gather(*(one(path) for path in paths))


async def test_200_requests_20_at_a_time(http: Any, series_emulator: SeriesEmulator) -> None:
    ids = [await create(http, f"Session {n}") for n in range(10)]
    paths = [f"/sessions/{ids[n % 10]}" for n in range(180)] + ["/sessions"] * 20
    responses = await gather_limited(http, paths, 20)
    assert Counter(r.status_code for r in responses) == {200: 200}
    assert {r.json()["title"] for r in responses[:180]} == {f"Session {n}" for n in range(10)}
    assert len(series_emulator.state.requests) == 210


@pytest.mark.series_emulator(
    seed=12,
    faults=FaultPlan.uniform(0.2, kinds=("http_503", "drop_before", "rate_limit"), retry_after=0),
)
async def test_200_requests_20_at_a_time_with_faults(
    series_emulator: SeriesEmulator, emulator_env: None
) -> None:
    app = app_module.create_app(retry=FAST_RETRY, timeout=Timeout(total=2))
    async with asgi_lifespan.LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
            responses = await gather_limited(http, ["/sessions/session_missing"] * 200, 20)
    statuses = Counter(r.status_code for r in responses)
    # Reads are retried, so most faults are absorbed; what gets through is a gateway error.
    assert set(statuses) <= {404, 502, 503}
    assert statuses[404] >= 180
    faults = Counter(entry.fault for entry in series_emulator.state.requests if entry.fault)
    assert sum(faults.values()) >= 20
    for response in responses:
        if response.status_code == 503:
            assert response.headers["Retry-After"] == "1"


async def test_shutdown_waits_for_the_calls_in_flight(
    series_emulator: SeriesEmulator, emulator_env: None
) -> None:
    app = app_module.create_app(retry=FAST_RETRY)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
        async with asgi_lifespan.LifespanManager(app):
            series_emulator.inject("delay", routes="sessions.list", times=20, delay=0.2)
            calls = [asyncio.create_task(http.get("/sessions")) for _ in range(20)]
            while app.state.in_flight.count < 20:  # noqa: ASYNC110 - the app's own counter
                await asyncio.sleep(0.01)
        # The lifespan has ended: every call finished before the client was closed.
        assert all(call.done() for call in calls)
        assert [call.result().status_code for call in calls] == [200] * 20
        assert app.state.series.closed
        late = await http.get("/sessions")
    assert (late.status_code, late.headers["Retry-After"]) == (503, "5")
    assert series_emulator.state.applied("sessions.list") == 20
