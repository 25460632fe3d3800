"""The documentation examples are real programs: each runs against the emulator and says so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]

EXPECTED = {
    "quickstart_async.py": ["created session_", "Training Session at "],
    "bot_replies.py": [
        "low rank : You can't take that role: User does not meet the minimum rank",
        "high rank: You're a Helper now!",
        "again    : Every Helper slot is taken.",
        "no role  : This session has no Pilot role.",
        "bad id   : I can't find that session any more.",
        "lost answer: You're a Helper now!",
    ],
    "legacy_script.py": ["-> ", "0 sessions, not yet", "not promoted (Cannot promote beyond rank"],
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs(name: str) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", str(ROOT / "examples" / name)],
        capture_output=True,
        text=True,
        timeout=50,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    for line in EXPECTED[name]:
        assert line in result.stdout
