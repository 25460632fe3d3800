"""Smoke test for the benchmark harness: tiny counts, every measurement present and sane.

The benchmark's numbers are not judged here (CI machines vary); only that ``bench/run.py``
still runs end to end, measures every client, width, import and RSS mode it promises,
judges every target of the hot-path issue, writes a well-formed ``results.json`` and
``results.png``, and that ``--repeat`` / ``bench/summarise.py`` turn several runs into
ranges and verdicts.
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
pytest.importorskip("orjson")  # the series_async[orjson] row (bench and test extras)

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import summarise  # noqa: E402 - needs the path set up above

ASYNC = ("raw_aiohttp", "typed_floor", "series_async", "series_async[orjson]", "httpx")
SYNC = ("requests", "loop_thread", "async_thread", "series_sync")
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
            floor = entries[("typed_floor", op, width)]
            assert raw["vs_raw_aiohttp"] == 1.0
            assert floor["vs_typed_floor"] == 1.0
            assert floor["vs_raw_aiohttp"] == pytest.approx(
                floor["calls_per_s"] / raw["calls_per_s"], abs=0.001
            )
            sdks = ("series_async", "series_async[orjson]")
            for name in sdks:
                sdk = entries[(name, op, width)]
                expected = sdk["calls_per_s"] / raw["calls_per_s"]
                assert sdk["vs_raw_aiohttp"] == pytest.approx(expected, abs=0.001)
                expected = sdk["calls_per_s"] / floor["calls_per_s"]
                assert sdk["vs_typed_floor"] == pytest.approx(expected, abs=0.001)
        for threads in (1, 8):
            sync = entries[("series_sync", op, threads)]
            loop = entries[("loop_thread", op, threads)]
            req = entries[("requests", op, threads)]
            assert sync["vs_loop_thread"] == pytest.approx(
                sync["calls_per_s"] / loop["calls_per_s"], abs=0.001
            )
            fair = entries[("async_thread", op, threads)]
            assert sync["vs_async_thread"] == pytest.approx(
                sync["calls_per_s"] / fair["calls_per_s"], abs=0.001
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
    targets = {t["name"]: t for t in results["targets"]}
    entries = _by_key(results)
    expected: dict[str, tuple[str | None, float | None]] = {}
    for op in ("get", "create"):
        for width in (1, 64):
            expected[f"series_async / typed floor, {op}, c={width}"] = (">=", 0.90)
            expected[f"series_async[orjson] / typed floor, {op}, c={width}"] = (None, None)
        expected[f"series_async / raw aiohttp, {op}, c=1"] = (">=", 0.90)
        expected[f"series_async / raw aiohttp, {op}, c=64"] = (None, None)
        expected[f"series_async / httpx, {op}, c=1"] = (">=", 3.0)
        for threads in (1, 8):
            name = f"series_sync / series_async on a thread, {op}, {threads} thr"
            expected[name] = (">=", 0.95)
            expected[f"series_sync / loop-thread limit, {op}, {threads} thr"] = (None, None)
            expected[f"series_sync / requests, {op}, {threads} thr"] = (">=", 2.0)
    for mode in ("async", "sync"):
        expected[f"RSS growth, {mode}, 300 gets"] = ("<", 2.0)
    for package in ("series_async", "series_sync"):
        expected[f"import {package} / deps stack"] = ("<=", 1.2)
    assert {name: (t["op"], t["threshold"]) for name, t in targets.items()} == expected
    for name, target in targets.items():
        assert target["value"] is not None, name
        if target["op"] is None:  # reported, not judged
            assert target["met"] is None
            continue
        assert isinstance(target["met"], bool)
        value, threshold = target["value"], target["threshold"]
        assert target["met"] == {">=": value >= threshold, "<=": value <= threshold,
                                 "<": value < threshold}[target["op"]]  # fmt: skip
    # A verdict is the ratio of the rows it names, best round against best round.
    get_floor = targets["series_async / typed floor, get, c=64"]["value"]
    sdk, floor = entries[("series_async", "get", 64)], entries[("typed_floor", "get", 64)]
    assert get_floor == pytest.approx(sdk["calls_per_s"] / floor["calls_per_s"], abs=0.001)


@pytest.mark.timeout(120)
def test_outputs_are_written_and_shutdown_is_quiet(run: Any) -> None:
    results, out, stdout, stderr = run
    assert (out / "results.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert results["meta"]["server"]["requests"] > 0
    assert "targets:" in stdout
    assert "series_async / raw aiohttp, get, c=1" in stdout
    assert "series_async / typed floor, create, c=64" in stdout
    for target in results["targets"]:
        shown = {True: "MET", False: "MISSED", None: "n/a"}[target["met"]]
        shown = "info" if target["op"] is None else shown
        assert f"{shown:<6} {target['name']}" in stdout
    assert "start-up (whole process, median):" in stdout
    for noise in ("Traceback", "Unclosed", "Event loop is closed", "Task was destroyed"):
        assert noise not in stderr


def _payload(values: dict[str, float | None], op: str | None = ">=") -> dict[str, Any]:
    targets = [
        {
            "name": name,
            "value": value,
            "op": op,
            "threshold": None if op is None else 0.95,
            "unit": "x",
            "met": None if value is None or op is None else value >= 0.95,
        }
        for name, value in values.items()
    ]
    return {"targets": targets, "throughput": []}


def test_summary_gives_ranges_and_verdicts_over_runs() -> None:
    runs = [
        _payload({"always": 0.97, "never": 0.80, "sometimes": 0.96, "absent": None}),
        _payload({"always": 1.02, "never": 0.90, "sometimes": 0.91, "absent": None}),
        _payload({"always": 0.95, "never": 0.85, "sometimes": 0.99, "absent": None}),
    ]
    rows = {row["name"]: row for row in summarise.summarise_targets(runs)}
    assert rows["always"]["verdict"] == "met"
    assert rows["always"]["range"] == {"min": 0.95, "max": 1.02}
    assert rows["never"]["verdict"] == "not met"
    assert rows["never"]["range"] == {"min": 0.80, "max": 0.90}
    assert rows["sometimes"]["verdict"] == "met in 2 of 3"
    assert rows["absent"]["verdict"] == "not measured"
    assert rows["absent"]["range"] is None
    reported = summarise.summarise_targets(
        [_payload({"c64": 0.7}, None), _payload({"c64": 0.8}, None)]
    )
    assert reported[0]["verdict"] == "reported"
    assert reported[0]["range"] == {"min": 0.7, "max": 0.8}


@pytest.mark.timeout(120)
def test_repeat_writes_every_run_and_the_summary(tmp_path: Path) -> None:
    argv = [*TINY, "--skip", "sync", "imports", "rss", "startup", "--concurrency", "1", "--no-png"]
    proc = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), *argv, "--repeat", "2", "--out-dir", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    runs = [json.loads((tmp_path / f"results-{i}.json").read_text()) for i in (1, 2)]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["runs"] == [str(tmp_path / f"results-{i}.json") for i in (1, 2)]
    assert summary["targets"] == json.loads(json.dumps(summarise.summarise_targets(runs)))
    rows = {row["name"]: row for row in summary["targets"]}
    floor_get = rows["series_async / typed floor, get, c=1"]
    values = [
        next(t["value"] for t in run["targets"] if t["name"] == floor_get["name"]) for run in runs
    ]
    assert floor_get["values"] == values
    assert floor_get["range"] == {"min": min(values), "max": max(values)}
    assert floor_get["verdict"] in ("met", "not met", "met in 1 of 2")
    # Not measured in this run (skipped or c=64 left out): said so, not guessed.
    assert rows["series_async / typed floor, get, c=64"]["verdict"] == "not measured"
    assert rows["RSS growth, async, None gets"]["verdict"] == "not measured"
    assert "summary over 2 run(s)" in proc.stdout
    assert "series_async / typed floor, get, c=1" in proc.stdout.split("summary over")[1]
