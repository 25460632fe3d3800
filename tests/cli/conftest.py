"""Helpers for the ``series`` command-line tests: run it as a subprocess or in-process.

Subprocesses run ``python -X dev -W error -m series_sync`` (what the ``series``
console script runs), with a clean environment: no ``SERIES_*`` variable leaks
in from the developer's shell.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping

import attrs
import pytest

from series_async.testing import SeriesEmulator
from series_sync import SeriesClient

# Subprocesses import the SDK from scratch: give them room on a loaded machine.
RUN_TIMEOUT = 30.0


@attrs.frozen
class Result:
    """What one run of ``series`` produced."""

    status: int
    out: str
    err: str

    def json(self) -> object:
        """The single JSON document on stdout (and checks stderr stayed empty)."""
        assert self.err == "", self.err
        assert self.status == 0, (self.status, self.err)
        return json.loads(self.out)


def clean_env(extra: Mapping[str, str] = {}) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SERIES_")}
    env.pop("PYTHONWARNINGS", None)
    env.update(extra)
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-X", "dev", "-W", "error", "-m", "series_sync", *args]


def series(*args: str, env: Mapping[str, str] = {}) -> Result:
    """Run ``series ARGS`` to completion in a subprocess."""
    done = subprocess.run(
        command(*args),
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def emu_env(series_emulator: SeriesEmulator) -> dict[str, str]:
    """The environment that points ``series`` at the test's emulator."""
    return {"SERIES_BASE_URL": series_emulator.url, "SERIES_API_KEY": series_emulator.api_key}


@pytest.fixture
def sdk(series_emulator: SeriesEmulator) -> Iterator[SeriesClient]:
    """A sync client on the same emulator, to set up state the CLI then works on."""
    with SeriesClient(series_emulator.api_key, base_url=series_emulator.url) as client:
        yield client
