"""Turn raw measurements into ratios, target verdicts, a printed table, JSON and a PNG."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

__all__ = ["add_ratios", "evaluate_targets", "format_table", "write_json", "write_png"]

_ASYNC_BASE: Final = "raw_aiohttp"
_SYNC_BASES: Final = ("requests", "loop_thread")
_MB: Final = 1_000_000


def _index(entries: list[dict[str, Any]]) -> dict[tuple[str, str, int], dict[str, Any]]:
    return {(e["client"], e["op"], e["concurrency"]): e for e in entries}


def _ratio(
    top: dict[str, Any] | None, bottom: dict[str, Any] | None, field: str = "calls_per_s"
) -> float | None:
    if not top or not bottom or not top.get(field) or not bottom.get(field):
        return None
    return round(float(top[field]) / float(bottom[field]), 3)


def add_ratios(entries: list[dict[str, Any]]) -> None:
    """Give each throughput entry its ratios to the baselines of the same op and width.

    Async entries get ``vs_raw_aiohttp``; sync entries get ``vs_requests`` and
    ``vs_loop_thread`` (best round against best round), each also as ``..._median``
    (median round against median round, a cross-check on a noisy machine).

    Args:
        entries: Throughput entries (``client``, ``op``, ``concurrency``, ``calls_per_s``),
            changed in place.
    """
    index = _index(entries)
    for entry in entries:
        key = (entry["op"], entry["concurrency"])
        bases = (_ASYNC_BASE,) if entry["kind"] == "async" else _SYNC_BASES
        for base in bases:
            other = index.get((base, *key))
            entry[f"vs_{base}"] = _ratio(entry, other)
            entry[f"vs_{base}_median"] = _ratio(entry, other, "median_calls_per_s")


def evaluate_targets(
    entries: list[dict[str, Any]], imports: dict[str, Any], rss: dict[str, Any]
) -> list[dict[str, Any]]:
    """Check every target of the benchmark issue against this run's numbers.

    Args:
        entries: Throughput entries with ratios (see :func:`add_ratios`).
        imports: Import-time results per subject.
        rss: RSS results for ``async`` and ``sync``.

    Returns:
        One row per target: ``name``, ``value``, ``op`` (``>=``, ``<=`` or ``<``),
        ``threshold``, ``unit`` and ``met`` (``None`` when not measured).
    """
    index = _index(entries)
    rows: list[dict[str, Any]] = []

    def add(name: str, value: float | None, op: str, threshold: float, unit: str = "x") -> None:
        met = None
        if value is not None:
            met = {">=": value >= threshold, "<=": value <= threshold, "<": value < threshold}[op]
        rows.append(
            {
                "name": name,
                "value": value,
                "op": op,
                "threshold": threshold,
                "unit": unit,
                "met": met,
            }
        )

    for width in (1, 64):
        for op in ("get", "create"):
            value = _ratio(
                index.get(("series_async", op, width)), index.get(("raw_aiohttp", op, width))
            )
            add(f"series_async / raw aiohttp, {op}, c={width}", value, ">=", 0.90)
    for width in (1, 8):
        for op in ("get", "create"):
            value = _ratio(
                index.get(("series_sync", op, width)), index.get(("loop_thread", op, width))
            )
            add(f"series_sync / loop-thread limit, {op}, {width} thr", value, ">=", 0.85)
    for op in ("get", "create"):
        value = _ratio(index.get(("series_async", op, 1)), index.get(("httpx", op, 1)))
        add(f"series_async / httpx, {op}, c=1", value, ">=", 3.0)
    for mode in ("async", "sync"):
        growth = rss.get(mode, {}).get("growth_bytes")
        calls = rss.get(mode, {}).get("calls")
        value = None if growth is None else round(growth / _MB, 3)
        add(f"RSS growth, {mode}, {calls} gets", value, "<", 2.0, "MB")
    deps = imports.get("deps", {}).get("median_ms")
    sync = imports.get("series_sync", {}).get("median_ms")
    value = round(sync / deps, 3) if deps and sync else None
    add("import series_sync / deps stack", value, "<=", 1.2)
    return rows


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def format_table(
    entries: list[dict[str, Any]],
    imports: dict[str, Any],
    rss: dict[str, Any],
    targets: list[dict[str, Any]],
) -> str:
    """Render the whole run as plain text.

    Args:
        entries: Throughput entries with ratios.
        imports: Import-time results.
        rss: RSS results.
        targets: Target rows from :func:`evaluate_targets`.

    Returns:
        The table, ready to print.
    """
    lines = []
    head = f"{'client':<13} {'op':<7} {'width':>5} {'calls/s':>9} {'us/call':>8} "
    lines.append(head + f"{'vs raw':>7} {'vs req':>7} {'vs loop':>7} {'cpu us':>7} {'srv busy':>8}")
    lines.append("-" * len(lines[0]))
    for kind in ("async", "sync"):
        for e in (e for e in entries if e["kind"] == kind):
            width = f"c={e['concurrency']}" if kind == "async" else f"t={e['concurrency']}"
            if e.get("error"):
                row = f"{e['client']:<13} {e['op']:<7} {width:>5}  ERROR: {e['error']}"
                lines.append(row[:160])
                continue
            ratios = [_fmt(e.get(f"vs_{base}"), ".3f") for base in (_ASYNC_BASE, *_SYNC_BASES)]
            lines.append(
                f"{e['client']:<13} {e['op']:<7} {width:>5} {e['calls_per_s']:>9.0f} "
                f"{e['us_per_call']:>8.1f} {ratios[0]:>7} {ratios[1]:>7} {ratios[2]:>7} "
                f"{e['cpu_us_per_call']:>7.1f} {_fmt(e.get('server_busy'), '.0%'):>8}"
            )
        lines.append("")
    lines.append("import time (fresh interpreter, median):")
    for name, result in imports.items():
        shown = result.get("error", "").splitlines()[-1:] or [
            f"{result.get('median_ms', 0):.1f} ms"
        ]
        lines.append(f"  {name:<13} {shown[0]}   ({result['modules']})")
    lines.append("RSS growth after warm-up:")
    for mode, result in rss.items():
        if "error" in result:
            lines.append(f"  {mode:<6} ERROR: {result['error'].splitlines()[-1]}")
        else:
            before, after = result["rss_before_bytes"] / _MB, result["rss_after_bytes"] / _MB
            lines.append(
                f"  {mode:<6} {result['growth_bytes'] / _MB:+.3f} MB over {result['calls']} gets "
                f"({before:.1f} -> {after:.1f} MB)"
            )
    lines.append("")
    lines.append("targets:")
    for t in targets:
        verdict = {True: "MET", False: "MISSED", None: "n/a"}[t["met"]]
        value = _fmt(t["value"], ".3f")
        lines.append(
            f"  {verdict:<6} {t['name']:<44} {value:>7} {t['unit']:<2} "
            f"(target {t['op']} {t['threshold']}{t['unit']})"
        )
    return "\n".join(lines)


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write the results file (pretty, stable key order)."""
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _bars(ax: Any, entries: list[dict[str, Any]], kind: str, clients: tuple[str, ...]) -> None:
    groups = sorted(
        {(e["op"], e["concurrency"]) for e in entries if e["kind"] == kind},
        key=lambda g: (g[0] != "get", g[1]),
    )
    index = _index(entries)
    width = 0.8 / len(clients)
    for i, client in enumerate(clients):
        xs, ys = [], []
        for g, (op, conc) in enumerate(groups):
            entry = index.get((client, op, conc))
            xs.append(g + (i - (len(clients) - 1) / 2) * width)
            ys.append(entry.get("calls_per_s") or 0 if entry else 0)
        bars = ax.bar(xs, ys, width, label=client)
        ax.bar_label(bars, fmt="%.0f", fontsize=7, padding=2)
    prefix = "c" if kind == "async" else "t"
    ax.set_xticks(range(len(groups)), [f"{op}\n{prefix}={conc}" for op, conc in groups])
    ax.set_ylabel("calls/s (higher is better)")
    ax.legend(fontsize=8)


def write_png(
    path: Path, entries: list[dict[str, Any]], imports: dict[str, Any], title: str
) -> None:
    """Draw throughput bars (async, sync) and import medians into one PNG.

    Args:
        path: Where to write.
        entries: Throughput entries.
        imports: Import-time results.
        title: Figure title (machine and load, typically).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 5), gridspec_kw={"width_ratios": [3, 3, 1.4]})
    _bars(axes[0], entries, "async", ("raw_aiohttp", "series_async", "httpx"))
    axes[0].set_title("async: concurrency c")
    _bars(axes[1], entries, "sync", ("requests", "loop_thread", "series_sync"))
    axes[1].set_title("sync: threads t sharing one client")
    names = [n for n in imports if "median_ms" in imports[n]]
    bars = axes[2].bar(names, [imports[n]["median_ms"] for n in names], color="gray")
    axes[2].bar_label(bars, fmt="%.0f ms", fontsize=7, padding=2)
    axes[2].set_title("import time (median)")
    axes[2].set_ylabel("ms (lower is better)")
    axes[2].tick_params(axis="x", labelsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
