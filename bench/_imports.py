"""Import time of the SDK packages and of their dependency stack, one fresh interpreter each.

Each sample starts a new interpreter that times only the ``import`` statement (interpreter
start-up is the same for everyone and left out). Subjects are interleaved sample by
sample so a burst of load on the machine hits all of them alike, and one discarded
round first makes sure every ``.pyc`` is written.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Final

__all__ = ["IMPORT_SUBJECTS", "measure_imports"]

IMPORT_SUBJECTS: Final = {
    "series_async": "series_async",
    # series_sync resolves its names on first use: load the client to see its real cost.
    "series_sync": "series_sync._generated_client",
    "deps": "aiohttp, attrs, cattrs, tenacity",
}
_SNIPPET: Final = (
    "import time\nt = time.perf_counter()\nimport {modules}\nt = time.perf_counter() - t\n"
    "assert getattr({first}, '__file__', None), '{first} is only a namespace package'\n"
    "print(t)\n"
)


def _child_env(repo: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a cold compile is not import time
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(repo), env.get("PYTHONPATH")]))
    return env


def _sample(modules: str, repo: Path, env: dict[str, str]) -> float:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            _SNIPPET.format(modules=modules, first=modules.split(",", maxsplit=1)[0]),
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if out.returncode != 0:
        raise RuntimeError(f"import {modules} failed:\n{out.stderr.strip()}")
    return float(out.stdout.strip().splitlines()[-1])


def measure_imports(repo: Path, samples: int) -> dict[str, dict[str, object]]:
    """Time each subject's import in ``samples`` fresh interpreters.

    Args:
        repo: The repository root (put first on ``PYTHONPATH``).
        samples: Timed interpreters per subject (after one warm-up each).

    Returns:
        Per subject: ``modules``, ``samples_ms``, ``median_ms``, or ``error`` when the
        import failed.
    """
    env = _child_env(repo)
    results: dict[str, dict[str, object]] = {}
    timings: dict[str, list[float]] = {}
    for name, modules in IMPORT_SUBJECTS.items():
        results[name] = {"modules": modules}
        try:
            _sample(modules, repo, env)  # warm-up: writes bytecode caches
            timings[name] = []
        except RuntimeError as exc:
            results[name]["error"] = str(exc)
    for _ in range(samples):
        for name, collected in timings.items():
            collected.append(_sample(IMPORT_SUBJECTS[name], repo, env) * 1000)
    for name, collected in timings.items():
        results[name]["samples_ms"] = [round(ms, 3) for ms in collected]
        results[name]["median_ms"] = round(statistics.median(collected), 3)
    return results
