"""Merge several ``bench/run.py`` results files into ranges and one verdict per target.

One run on a shared machine can be 20-40% off the next, so targets are judged over several
full runs: ``python bench/run.py --repeat 3`` does it in one go, and this script merges
results files from separate invocations::

    python bench/summarise.py bench/results-1.json bench/results-2.json bench/results-3.json

A target is ``met`` when every run that measured it met it, ``not met`` when none did,
and ``met in k of n`` in between; reported figures (no threshold) show their range only.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "format_summary",
    "main",
    "summarise_targets",
    "summarise_throughput",
    "write_summary",
]

_FIELDS = (
    "calls_per_s",
    "vs_raw_aiohttp",
    "vs_typed_floor",
    "vs_loop_thread",
    "vs_async_thread",
    "cpu_us_per_call",
)


def _span(values: Sequence[float]) -> dict[str, float] | None:
    return {"min": min(values), "max": max(values)} if values else None


def summarise_targets(payloads: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per target over every run, in the order of the first run's targets.

    Args:
        payloads: ``results.json`` contents of the runs.

    Returns:
        Rows with ``name``, ``op``, ``threshold``, ``unit``, ``values`` (one per run that
        measured it), ``range`` (``{"min", "max"}`` or ``None``), ``runs``, ``met_runs``
        and ``verdict`` (``met``, ``not met``, ``met in k of n``, ``reported`` or
        ``not measured``).
    """
    order: list[str] = []
    rows: dict[str, dict[str, Any]] = {}
    for payload in payloads:
        for target in payload.get("targets", []):
            name = target["name"]
            if name not in rows:
                order.append(name)
                rows[name] = {
                    "name": name,
                    "op": target["op"],
                    "threshold": target["threshold"],
                    "unit": target["unit"],
                    "values": [],
                    "met_runs": 0,
                }
            row = rows[name]
            if target["value"] is None:
                continue
            row["values"].append(target["value"])
            row["met_runs"] += 1 if target["met"] else 0
    for row in rows.values():
        runs = len(row["values"])
        row["runs"] = runs
        row["range"] = _span(row["values"])
        if runs == 0:
            row["verdict"] = "not measured"
        elif row["op"] is None:
            row["verdict"] = "reported"
        elif row["met_runs"] == runs:
            row["verdict"] = "met"
        elif row["met_runs"] == 0:
            row["verdict"] = "not met"
        else:
            row["verdict"] = f"met in {row['met_runs']} of {runs}"
    return [rows[name] for name in order]


def summarise_throughput(payloads: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (kind, client, op, width): the range of rate, ratios and CPU per call over runs.

    Args:
        payloads: ``results.json`` contents of the runs.

    Returns:
        Rows with ``kind``, ``client``, ``op``, ``concurrency`` and, for each of
        ``calls_per_s``, ``vs_raw_aiohttp``, ``vs_typed_floor``, ``vs_loop_thread``,
        ``vs_async_thread``, ``cpu_us_per_call``, its ``{"min", "max"}`` (``None`` when no
        run has it).
    """
    order: list[tuple[str, str, str, int]] = []
    values: dict[tuple[str, str, str, int], dict[str, list[float]]] = {}
    for payload in payloads:
        for entry in payload.get("throughput", []):
            key = (entry["kind"], entry["client"], entry["op"], entry["concurrency"])
            if key not in values:
                order.append(key)
                values[key] = {field: [] for field in _FIELDS}
            for field in _FIELDS:
                if entry.get(field) is not None and "error" not in entry:
                    values[key][field].append(entry[field])
    rows = []
    for key in order:
        kind, client, op, width = key
        row: dict[str, Any] = {"kind": kind, "client": client, "op": op, "concurrency": width}
        row.update({field: _span(values[key][field]) for field in _FIELDS})
        rows.append(row)
    return rows


def _range(span: dict[str, float] | None, spec: str) -> str:
    if span is None:
        return "-"
    low, high = format(span["min"], spec), format(span["max"], spec)
    return low if low == high else f"{low} - {high}"


def format_summary(payloads: Sequence[dict[str, Any]]) -> str:
    """Render the ranges over ``payloads`` as plain text (throughput, then targets)."""
    lines = [f"summary over {len(payloads)} run(s): min - max"]
    head = f"{'client':<20} {'op':<6} {'width':>5} {'calls/s':>13} "
    head += f"{'vs raw':>13} {'vs floor':>13} {'vs loop':>13} {'vs async':>13} {'cpu us':>13}"
    lines += [head, "-" * len(head)]
    for row in summarise_throughput(payloads):
        width = f"{'c' if row['kind'] == 'async' else 't'}={row['concurrency']}"
        lines.append(
            f"{row['client']:<20} {row['op']:<6} {width:>5} "
            f"{_range(row['calls_per_s'], '.0f'):>13} {_range(row['vs_raw_aiohttp'], '.3f'):>13} "
            f"{_range(row['vs_typed_floor'], '.3f'):>13} "
            f"{_range(row['vs_loop_thread'], '.3f'):>13} "
            f"{_range(row['vs_async_thread'], '.3f'):>13} "
            f"{_range(row['cpu_us_per_call'], '.1f'):>13}"
        )
    lines += ["", "targets:"]
    for row in summarise_targets(payloads):
        target = "" if row["op"] is None else f"{row['op']} {row['threshold']}{row['unit']}"
        lines.append(
            f"  {row['name']:<50} {target:>9}  {_range(row['range'], '.3f'):>15} "
            f"{row['unit']:<2}  {row['verdict']}"
        )
    return "\n".join(lines)


def write_summary(path: Path, files: Sequence[Path], payloads: Sequence[dict[str, Any]]) -> None:
    """Write the summary of ``payloads`` (read from ``files``) as JSON to ``path``."""
    summary = {
        "runs": [str(file) for file in files],
        "targets": summarise_targets(payloads),
        "throughput": summarise_throughput(payloads),
    }
    path.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Print the summary of the given results files; optionally write it as JSON."""
    parser = argparse.ArgumentParser(description="Ranges and verdicts over bench/run.py runs.")
    parser.add_argument("files", nargs="+", type=Path, help="results JSON files")
    parser.add_argument("--json", type=Path, default=None, help="also write the summary here")
    args = parser.parse_args(argv)
    payloads = [json.loads(path.read_text(encoding="utf-8")) for path in args.files]
    print(format_summary(payloads))
    if args.json is not None:
        write_summary(args.json, args.files, payloads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
