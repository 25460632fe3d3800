"""The discord.py testing recipe (examples/discord_command_test.py) passes as a user runs it."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.examples._load import NEEDS_EXTRA

ROOT = Path(__file__).parents[2]


@pytest.mark.timeout(90)
def test_the_discord_recipe_passes_under_pytest() -> None:
    pytest.importorskip("discord", reason=NEEDS_EXTRA)
    # -o addopts= : run like a user's project, not with this repository's coverage settings.
    command = [sys.executable, "-m", "pytest", "-q", "-o", "addopts=", "-p", "no:cacheprovider"]
    if "series_emulator" not in {
        ep.name for ep in importlib.metadata.entry_points(group="pytest11")
    }:
        command += ["-p", "series_async.testing.pytest_plugin"]  # a bare checkout
    result = subprocess.run(
        [*command, "examples/discord_command_test.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=80,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout


def test_the_discord_guide_links_the_recipe() -> None:
    guide = (ROOT / "docs" / "discord.md").read_text(encoding="utf-8")
    assert "examples/discord_command_test.py" in guide
