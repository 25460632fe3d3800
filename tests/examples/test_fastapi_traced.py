"""examples/fastapi_traced.py, traced end to end against the emulator.

In a subprocess: the example sets OpenTelemetry's global tracer provider, which
can be set once per process and would put ``traceparent`` on every request of
the rest of the suite. The program drives the app through its lifespan with an
upstream ``traceparent`` and prints the finished spans as JSON.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from typing import Any

import pytest

from series_async.testing import SeriesEmulator
from tests.examples._load import EXAMPLES, NEEDS_EXTRA

fastapi = pytest.importorskip("fastapi", reason=NEEDS_EXTRA)
pytest.importorskip("httpx", reason=NEEDS_EXTRA)
pytest.importorskip("asgi_lifespan", reason=NEEDS_EXTRA)

UPSTREAM_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
UPSTREAM_SPAN = "00f067aa0ba902b7"

PROGRAM = f"""
import asyncio, json, sys
import asgi_lifespan, httpx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
import fastapi_traced

if sys.argv[2] == "off":  # a FastAPI recording no spans of its own, as older releases
    import functools
    quiet = {{"tracing": False}}
    fastapi_traced.FastAPI = functools.partial(fastapi_traced.FastAPI, telemetry=quiet)

exporter = InMemorySpanExporter()
fastapi_traced.setup_tracing(exporter)

async def main():
    app = fastapi_traced.create_app()
    async with asgi_lifespan.LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
            upstream = "00-{UPSTREAM_TRACE}-{UPSTREAM_SPAN}-01"
            answer = await http.get("/sessions/" + sys.argv[1], headers={{"traceparent": upstream}})
            assert answer.status_code == 200, answer.text

asyncio.run(main())
print(json.dumps([
    {{
        "name": s.name,
        "trace": format(s.context.trace_id, "032x"),
        "id": format(s.context.span_id, "016x"),
        "parent": format(s.parent.span_id, "016x") if s.parent else None,
        "attributes": dict(s.attributes),
        "events": [[e.name, dict(e.attributes)] for e in s.events],
    }}
    for s in exporter.get_finished_spans()
]))
"""


NATIVE = "telemetry" in inspect.signature(fastapi.FastAPI).parameters


@pytest.mark.parametrize("native", [True, False], ids=["fastapi-spans", "no-fastapi-spans"])
def test_a_request_and_its_series_call_are_one_trace(
    series_emulator: SeriesEmulator, native: bool
) -> None:
    if native and not NATIVE:
        pytest.skip("this FastAPI records no spans of its own")
    session = series_emulator.state.sessions
    session_id = next(iter(session)) if session else _create(series_emulator)
    series_emulator.inject("http_503", routes="sessions.get", retry_after=0)
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, session_id, "on" if native or not NATIVE else "off"],
        cwd=EXAMPLES,
        env={
            **os.environ,
            "PYTHONPATH": str(EXAMPLES.parent),
            "SERIES_API_KEY": series_emulator.api_key,
            "SERIES_BASE_URL": series_emulator.url,
        },
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    spans: dict[str, dict[str, Any]] = {s["id"]: s for s in json.loads(done.stdout)}
    (server,) = [s for s in spans.values() if s["name"] == "GET /sessions/{session_id}"]
    (call,) = [s for s in spans.values() if s["name"] == "series.sessions.get"]
    assert server["trace"] == call["trace"] == UPSTREAM_TRACE  # the caller's trace, continued
    assert server["parent"] == UPSTREAM_SPAN
    # Under the request's span (directly, or under FastAPI's own fastapi.endpoint span).
    ancestors = []
    parent = call["parent"]
    while parent in spans:
        ancestors.append(spans[parent]["name"])
        parent = spans[parent]["parent"]
    assert ancestors[-1] == server["name"]
    assert ancestors[:-1] == (["fastapi.endpoint"] if native and NATIVE else [])
    assert call["attributes"]["series.attempts"] == 2
    assert call["attributes"]["http.response.status_code"] == 200
    assert call["attributes"]["url.template"] == "/sessions/get/{sessionId}"
    assert call["events"] == [
        ["retry", {"series.attempt": 1, "series.wait_s": 0.0, "http.response.status_code": 503}]
    ]


def _create(emulator: SeriesEmulator) -> str:
    import series_sync

    with series_sync.SeriesClient(emulator.api_key, base_url=emulator.url) as client:
        return client.sessions.create(
            title="Traced", scheduled="2030-01-01T18:00:00Z", duration=60
        ).session_id
