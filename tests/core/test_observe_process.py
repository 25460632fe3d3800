"""What a fresh process sees (design §12): no OpenTelemetry without the extra, and SERIES_LOG.

Each test runs a small program in a subprocess: both are decided once per
process, at the first client's creation.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Blocks the import of opentelemetry as if the otel extra were not installed.
_BLOCK = """
import sys

class NoOtel:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "opentelemetry":
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None

sys.meta_path.insert(0, NoOtel())
"""

# One call with one retry (an injected 503) against the emulator, then a report.
_CALL = """
import asyncio, json, sys
import series_async
from series_async import SeriesClient, _observe
from series_async.testing import SeriesEmulator, fast_retries

emulator = SeriesEmulator().start()
emulator.inject("http_503", routes="keys.check")

async def main():
    with fast_retries():
        async with SeriesClient(emulator.api_key, base_url=emulator.url) as client:
            await client.keys.check()

asyncio.run(main())
unwatched = _observe.watch("keys.check", "GET", "/x", emulator.url) is _observe.UNWATCHED
emulator.stop()
loaded = sorted(m for m in sys.modules if m.split(".")[0] == "opentelemetry")
otel = _observe._otel is not None
print(json.dumps({"loaded": loaded, "otel": otel, "unwatched": unwatched, "key": emulator.api_key}))
"""


def run(program: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("SERIES_LOG", "SERIES_API_KEY")}
    return subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )


def report(done: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_without_the_extra_nothing_of_opentelemetry_is_imported() -> None:
    done = report(run(_BLOCK + _CALL))
    assert done["loaded"] == []
    assert done["otel"] is False
    assert done["unwatched"] is True  # a call pays for no watch at all


def test_with_the_extra_it_is_loaded_at_the_first_client() -> None:
    # The control of the test above: the same program, opentelemetry importable.
    done = report(run(_CALL))
    assert "opentelemetry.trace" in done["loaded"]  # type: ignore[operator]
    assert done["otel"] is True
    # No provider and no trace to join: nothing to record or pass on, no watch either.
    assert done["unwatched"] is True


def test_series_log_debug_logs_each_attempt_and_retry_by_template() -> None:
    done = run(_CALL, SERIES_LOG="debug")
    key = report(done)["key"]
    lines = done.stderr.splitlines()
    assert all(" series: " in line for line in lines), lines  # "<time> LEVEL series: ..."
    shown = [line.split(" series: ", 1) for line in lines]
    assert [(head.rsplit(" ", 1)[1], text.split(" in ")[0]) for head, text in shown] == [
        ("DEBUG", "GET /basic/check-key/{apiKey} attempt 1 -> 503"),
        ("INFO", "Retrying GET /basic/check-key/{apiKey} after 503: attempt 2 of 3"),
        ("DEBUG", "GET /basic/check-key/{apiKey} attempt 2 -> 200"),
    ]
    assert str(key) not in done.stderr


def test_series_log_info_logs_retries_only() -> None:
    done = run(_CALL, SERIES_LOG="INFO")
    report(done)
    lines = done.stderr.splitlines()
    assert len(lines) == 1
    assert " INFO series: Retrying GET /basic/check-key/{apiKey} after 503" in lines[0]


@pytest.mark.parametrize("value", ["", "debug"])
def test_series_log_leaves_a_program_that_set_up_logging_alone(value: str) -> None:
    setup = "import logging\nlogging.basicConfig(level=logging.WARNING)\n"
    done = run(setup + _CALL, SERIES_LOG=value)
    report(done)
    assert done.stderr == ""  # the program's WARNING level holds: no handler, no level of ours


def test_without_series_log_nothing_is_printed() -> None:
    done = run(_CALL)
    report(done)
    assert done.stderr == ""


@pytest.mark.parametrize("package", ["series_async", "series_sync"])
def test_an_unknown_series_log_value_is_refused_naming_the_variable(package: str) -> None:
    program = (
        f"from {package} import SeriesClient, ValidationError\n"
        "try:\n"
        "    SeriesClient('sk_test_0123456789abcdef')\n"
        "except ValidationError as exc:\n"
        "    print(exc)\n"
    )
    done = run(program, SERIES_LOG="verbose")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "SERIES_LOG: must be 'debug' or 'info' (or unset), got 'verbose'"
