"""Smoke test of bench/otel_cost.py: tiny counts, every setup measured as it claims to be.

The numbers are not judged (machines vary); what is checked is that each setup ran
in the state it names: no opentelemetry module at all when the extra is "absent",
and the API (then the SDK too) loaded in the other two.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_otel_cost_measures_the_three_setups(tmp_path: Path) -> None:
    out = tmp_path / "otel.json"
    tiny = ["--calls", "20", "--warmup", "5", "--rounds", "1", "--repeat", "1"]
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "otel_cost.py"), *tiny, "--json", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert [r["setup"] for r in rows] == ["absent", "no_provider", "recording"]
    assert all(min(r["best_us"], r["paired_off_us"], r["watch_only_us"]) > 0 for r in rows)
    absent, no_provider, recording = (r["otel_modules"] for r in rows)
    assert absent == 0
    assert 0 < no_provider < recording  # the recording setup also loads the SDK
    assert [line.split()[0] for line in done.stdout.splitlines()] == [
        "setup",
        "absent",
        "no_provider",
        "recording",
    ]
