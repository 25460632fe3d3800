"""Start-up of the ``series`` command next to a bare interpreter and the SDK's import.

Unlike ``_imports`` (which times only the ``import`` statement), this times whole
processes from ``exec`` to exit, interpreter start-up included: that is what a
shell user or a cron job waits for. Subjects are interleaved sample by sample,
after one discarded round that writes every ``.pyc``.

``series --help`` should sit near ``python -c pass``: the command line parses
and prints its help before anything imports aiohttp. ``import series_sync`` is
cheap too since the package resolves its names on first use, so the real cost
of the SDK shows in ``from series_sync import SeriesClient``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Final

__all__ = ["format_startup", "measure_startup", "startup_commands"]

_SUBJECTS: Final = (
    "python -c pass",
    "import series_sync",
    "from series_sync import SeriesClient",
    "series --help",
)


def startup_commands() -> dict[str, list[str]]:
    """Each subject's command line; ``series`` is the console script when it is installed."""
    script = Path(sys.executable).with_name("series")
    help_cmd = [str(script)] if script.exists() else [sys.executable, "-m", "series_sync"]
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "import series_sync": [sys.executable, "-c", "import series_sync"],
        "from series_sync import SeriesClient": [
            sys.executable,
            "-c",
            "from series_sync import SeriesClient",
        ],
        "series --help": [*help_cmd, "--help"],
    }


def _env(repo: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a cold compile is not start-up time
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(repo), env.get("PYTHONPATH")]))
    return env


def _sample(cmd: list[str], repo: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        cmd, cwd=repo, env=env, capture_output=True, text=True, check=False, timeout=120
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr.strip()}")
    return elapsed


def measure_startup(repo: Path, samples: int) -> dict[str, dict[str, object]]:
    """Time each subject's whole process in ``samples`` runs (after one warm-up each).

    Args:
        repo: The repository root (put first on ``PYTHONPATH``).
        samples: Timed runs per subject.

    Returns:
        Per subject: ``command``, ``samples_ms``, ``median_ms``, ``over_bare_ms``
        (median minus ``python -c pass``'s), or ``error`` when the command failed.
    """
    env = _env(repo)
    commands = startup_commands()
    results: dict[str, dict[str, object]] = {}
    timings: dict[str, list[float]] = {}
    for name in _SUBJECTS:
        results[name] = {"command": " ".join(commands[name])}
        try:
            _sample(commands[name], repo, env)  # warm-up: writes bytecode caches
            timings[name] = []
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
            results[name]["error"] = str(exc)
    for _ in range(samples):
        for name, collected in timings.items():
            collected.append(_sample(commands[name], repo, env) * 1000)
    bare = statistics.median(timings["python -c pass"]) if "python -c pass" in timings else None
    for name, collected in timings.items():
        median = statistics.median(collected)
        results[name]["samples_ms"] = [round(ms, 1) for ms in collected]
        results[name]["median_ms"] = round(median, 1)
        if bare is not None:
            results[name]["over_bare_ms"] = round(median - bare, 1)
    return results


def format_startup(results: dict[str, dict[str, object]]) -> str:
    """The report's lines for the start-up measurement."""
    lines = ["start-up (whole process, median):"]
    for name, result in results.items():
        error = str(result.get("error", ""))
        if error:
            lines.append(f"  {name:<37} ERROR: {error.splitlines()[-1]}")
            continue
        over = result.get("over_bare_ms")
        extra = ""
        if name != "python -c pass" and isinstance(over, float):
            extra = f" ({over:+.1f} ms over python -c pass)"
        lines.append(f"  {name:<37} {result['median_ms']:>7} ms{extra}")
    return "\n".join(lines)
