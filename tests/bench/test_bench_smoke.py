"""Smoke test for the benchmark harness: tiny counts, every measurement present and sane.

The benchmark's numbers are not judged here (CI machines vary); only that ``bench/run.py``
still runs end to end, measures every client, width, import and RSS mode it promises,
and writes a well-formed ``results.json`` and ``results.png``.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("httpx")
pytest.importorskip("requests")
pytest.importorskip("matplotlib")

REPO = Path(__file__).resolve().parents[2]
ASYNC = ("raw_aiohttp", "series_async", "httpx")
SYNC = ("requests", "loop_thread", "series_sync")
TINY = [
    "--calls", "12", "--warmup", "8", "--rounds", "2",
    "--concurrency", "1", "64", "--threads", "1", "8",
    "--import-samples", "1", "--rss-calls", "300", "--rss-warmup", "30",
    "--startup-samples", "1",
]  # fmt: skip


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path, str, str]:
    """Run the harness once for the whole module; return results, out dir, stdout, stderr."""
    out = tmp_path_factory.mktemp("bench")
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), *TINY, "--out-dir", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return results, out, proc.stdout, proc.stderr


def _by_key(results: dict[str, Any]) -> dict[tuple[str, str, int], dict[str, Any]]:
    return {(e["client"], e["op"], e["concurrency"]): e for e in results["throughput"]}


@pytest.mark.timeout(120)
def test_every_throughput_measurement_is_present_and_sane(run: Any) -> None:
    results = run[0]
    entries = _by_key(results)
    expected = [(c, op, w) for c in ASYNC for op in ("get", "create") for w in (1, 64)]
    expected += [(c, op, t) for c in SYNC for op in ("get", "create") for t in (1, 8)]
    assert sorted(entries) == sorted(expected)
    for key, entry in entries.items():
        assert "error" not in entry, (key, entry.get("error"))
        assert entry["calls_per_round"] == 12
        assert len(entry["rounds_s"]) == 2
        assert entry["best_s"] == min(entry["rounds_s"]) > 0
        assert 1 < entry["calls_per_s"] < 10_000_000
        # calls/s and us/call describe the same best round.
        assert math.isclose(entry["calls_per_s"] * entry["us_per_call"], 1e6, rel_tol=0.01)
        assert 0 <= entry["server_busy"] < 2
        assert len(entry["client_cpu_rounds_s"]) == 2
        assert entry["cpu_us_per_call"] > 0
        assert entry["median_calls_per_s"] <= entry["calls_per_s"]


@pytest.mark.timeout(120)
def test_ratios_point_at_the_right_baselines(run: Any) -> None:
    entries = _by_key(run[0])
    for op in ("get", "create"):
        for width in (1, 64):
            raw = entries[("raw_aiohttp", op, width)]
            assert raw["vs_raw_aiohttp"] == 1.0
            sdk = entries[("series_async", op, width)]
            expected = sdk["calls_per_s"] / raw["calls_per_s"]
            assert sdk["vs_raw_aiohttp"] == pytest.approx(expected, abs=0.001)
        for threads in (1, 8):
            sync = entries[("series_sync", op, threads)]
            loop = entries[("loop_thread", op, threads)]
            req = entries[("requests", op, threads)]
            assert sync["vs_loop_thread"] == pytest.approx(
                sync["calls_per_s"] / loop["calls_per_s"], abs=0.001
            )
            assert loop["vs_requests"] == pytest.approx(
                loop["calls_per_s"] / req["calls_per_s"], abs=0.001
            )


@pytest.mark.timeout(120)
def test_imports_rss_and_targets_are_measured(run: Any) -> None:
    results = run[0]
    for subject in ("series_async", "series_sync", "deps"):
        imported = results["imports"][subject]
        assert "error" not in imported, imported.get("error")
        assert 0 < imported["median_ms"] < 30_000
    for mode in ("async", "sync"):
        rss = results["rss"][mode]
        assert "error" not in rss, rss.get("error")
        assert rss["calls"] == 300
        assert rss["rss_before_bytes"] > 1_000_000
        assert rss["growth_bytes"] == rss["rss_after_bytes"] - rss["rss_before_bytes"]
        assert len(rss["samples_bytes"]) == 10
    startup = results["startup"]
    assert sorted(startup) == sorted([
        "python -c pass", "import series_sync", "from series_sync import SeriesClient",
        "series --help",
    ])  # fmt: skip
    for name, measured in startup.items():
        assert "error" not in measured, measured.get("error")
        assert 0 < measured["median_ms"] < 30_000, name
    targets = results["targets"]
    assert len(targets) == 13
    for target in targets:
        assert target["value"] is not None, target["name"]
        assert isinstance(target["met"], bool)


@pytest.mark.timeout(120)
def test_outputs_are_written_and_shutdown_is_quiet(run: Any) -> None:
    results, out, stdout, stderr = run
    assert (out / "results.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert results["meta"]["server"]["requests"] > 0
    assert "targets:" in stdout
    assert "series_async / raw aiohttp, get, c=1" in stdout
    assert "start-up (whole process, median):" in stdout
    for noise in ("Traceback", "Unclosed", "Event loop is closed", "Task was destroyed"):
        assert noise not in stderr
