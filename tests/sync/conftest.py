"""Fixtures of the sync tests: a threaded fake API, a sync client on it, a script runner."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

try:
    import coverage
except ImportError:  # the suite can run without coverage (--no-cov, nox -s lowest)
    coverage = None  # type: ignore[assignment]

from series_sync import SeriesClient
from series_sync import _runtime as runtime
from tests.conftest import API_KEY

from ._server import FakeAPI, ThreadedServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record each loop hop (a call handed to the loop) made by the code under test."""
    counted: list[object] = []
    begin = runtime._begin

    def counting_begin(call: Any) -> None:
        counted.append(call.func)
        begin(call)

    monkeypatch.setattr(runtime, "_begin", counting_begin)
    return counted


@pytest.fixture
def fake_api() -> FakeAPI:
    return FakeAPI()


@pytest.fixture
def server(fake_api: FakeAPI) -> Iterator[ThreadedServer]:
    with ThreadedServer(fake_api, handler_cancellation=True) as running:
        yield running


@pytest.fixture
def sync_client(server: ThreadedServer) -> Iterator[SeriesClient]:
    with SeriesClient(API_KEY, base_url=server.url, max_retries=0) as client:
        yield client


def run_python(
    code: str,
    *args: str,
    timeout: float = 30,
    flags: tuple[str, ...] = ("-X", "dev", "-W", "error"),
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (warnings as errors, dev mode) and capture it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    if coverage is not None and coverage.Coverage.current() is not None:
        # Measure the child too (coverage's .pth hook starts it); the data is combined later.
        env["COVERAGE_PROCESS_START"] = str(ROOT / "pyproject.toml")
    return subprocess.run(
        [sys.executable, *flags, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
