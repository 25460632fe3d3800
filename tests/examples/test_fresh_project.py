"""A user's own project, outside this repo: install series-sdk[testing], run async and sync tests.

This is the only test that installs anything: it needs the package registry for the
dependencies (a few seconds with pip's cache, up to a minute without), so it is marked
``slow``; CI runs it (``-m "not slow"`` leaves it out of a quick local run).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]

SYNC_TEST = """\
from series_sync import NotFoundError, SeriesClient


def test_promote_from_sync_code(series_emulator):
    with SeriesClient(series_emulator.api_key, base_url=series_emulator.url) as client:
        change = client.ranking.promote("4173392009")
        try:
            client.sessions.get("session_missing")
        except NotFoundError as exc:
            missing = exc.message
    assert change.new_rank == 20
    assert missing == "Session not found"
"""


def documented_pyproject_lines() -> str:
    """The ``toml`` block of docs/testing.md's "Setting up your project" section."""
    page = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    section = page.split("## Setting up your project", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```toml\n(.*?)```", section, re.DOTALL)
    assert match, "docs/testing.md lost its pyproject.toml lines"
    return match.group(1)


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTEST", "COV"))}
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_fresh_project_runs_async_and_sync_tests_with_the_fixture(tmp_path: Path) -> None:
    assert ROOT not in tmp_path.parents
    project = tmp_path / "hr-bot"
    (project / "tests").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "hr-bot"\nversion = "0"\n\n' + documented_pyproject_lines()
    )
    # The async tests are the repo's example, which failed outside it before the extra.
    (project / "tests" / "test_bot.py").write_text(
        (ROOT / "examples" / "emulator_bot_test.py").read_text(encoding="utf-8")
    )
    (project / "tests" / "test_sync.py").write_text(SYNC_TEST)

    venv = tmp_path / "venv"
    made = run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    installed = run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "-q",
        f"{ROOT}[testing]",
        cwd=tmp_path,
    )
    assert installed.returncode == 0, installed.stderr

    result = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^4 passed in ", result.stdout, re.MULTILINE), result.stdout
    where = run(python, "-c", "import series_async; print(series_async.__file__)", cwd=project)
    assert Path(where.stdout.strip()).is_relative_to(venv)
