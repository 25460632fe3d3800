"""Benchmark series_async and series_sync against raw aiohttp, httpx and requests.

Starts the canned-response server (``bench/server.py``) in its own process, then measures
in one run, best of ``--rounds`` rounds after a warm-up, with clients interleaved round by
round so a burst of machine load hits them all alike:

- async, ``sessions.get`` and ``sessions.create`` at concurrency 1 and 64: raw aiohttp,
  the typed floor (a hand-written client returning the SDK's models, ``_typed_floor.py``),
  ``series_async.SeriesClient`` on the stdlib JSON backend and with the ``speed`` extra's
  orjson, ``httpx.AsyncClient``;
- sync, the same two calls from 1 and 8 threads sharing one client: ``requests.Session``,
  raw aiohttp on a private loop thread through ``run_coroutine_threadsafe`` (the sync
  design's limit), ``series_sync.SeriesClient``;
- import time of ``series_async``, ``series_sync`` and the dependency stack alone;
- RSS growth over ``--rss-calls`` ``sessions.get`` calls, async and sync, in fresh processes;
- start-up of ``series --help`` next to ``python -c pass`` and ``import series_sync``.

Prints a table, checks the targets and writes ``results.json`` and ``results.png`` to
``--out-dir`` (default: this folder). ``--repeat N`` makes N full runs (``results-<i>.json``)
and prints and writes (``summary.json``) the range and verdict of every target over them.
``python bench/run.py --help`` lists the knobs; see ``bench/README.md`` for what each
number means.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
if str(REPO) not in sys.path:
    sys.path.insert(1, str(REPO))  # a fresh clone works without an install

import _report  # noqa: E402 - needs the path set up above
import _scenarios  # noqa: E402
import summarise  # noqa: E402
from _imports import measure_imports  # noqa: E402
from _rss import measure_rss  # noqa: E402
from _startup import format_startup, measure_startup  # noqa: E402
from _throughput import Plan, measure_async, measure_sync  # noqa: E402


def _pin(server_pid: int) -> dict[str, list[int]] | None:
    """Give the server the last CPU and this process (and its later children) the others.

    Opt-in: on the 2-core VM this was built on it did not narrow the round-to-round spread
    (about +-20% either way), and it stops the scheduler from dodging other load.
    """
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None
    os.sched_setaffinity(server_pid, {cpus[-1]})
    os.sched_setaffinity(0, set(cpus[:-1]))
    return {"server": cpus[-1:], "clients": cpus[:-1]}


@contextmanager
def bench_server(*, pin: bool = False) -> Iterator[tuple[str, dict[str, list[int]] | None]]:
    """Run ``server.py`` in a child process for the duration.

    Args:
        pin: Put the server and this process on separate CPUs (Linux, 2+ CPUs).

    Yields:
        The server's base URL and the CPU split (``None`` when not pinned).
    """
    proc = subprocess.Popen(
        [sys.executable, str(BENCH / "server.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"bench server did not start (said {line!r})")
        cpus = _pin(proc.pid) if pin else None
        yield f"http://127.0.0.1:{int(line.split()[1])}", cpus
    finally:
        assert proc.stdin is not None
        proc.stdin.close()  # the server exits when its stdin closes
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def server_stats(base_url: str) -> dict[str, Any]:
    """The server's own counters: requests served, CPU seconds (user, sys, total)."""
    with urllib.request.urlopen(f"{base_url}/__stats", timeout=10) as resp:
        stats: dict[str, Any] = json.load(resp)
    return stats


def server_cpu(base_url: str) -> float:
    """CPU seconds the server process has used so far."""
    return float(server_stats(base_url)["cpu_seconds"])


async def run_async(args: argparse.Namespace, base_url: str) -> list[dict[str, Any]]:
    """Open every async client on one loop and measure each (op, concurrency) group.

    Args:
        args: Parsed command line.
        base_url: The bench server.

    Returns:
        One entry per (client, op, concurrency).
    """
    clients: dict[str, _scenarios.AsyncClientUnderTest] = {}
    failed: dict[str, str] = {}
    for name in _scenarios.ASYNC_CLIENTS:
        try:
            clients[name] = await _scenarios.open_async(name, base_url)
        except Exception as exc:  # e.g. the package is not there yet: report it, go on
            failed[name] = f"{type(exc).__name__}: {exc}"
    entries: list[dict[str, Any]] = []
    try:
        for op in _scenarios.OPS:
            for width in args.concurrency:
                group = await measure_async(
                    clients, failed, op, width, _plan(args), lambda: server_cpu(base_url)
                )
                _progress(group)
                entries += group
    finally:
        for client in clients.values():
            await client.close()
    return entries


def run_sync(args: argparse.Namespace, base_url: str) -> list[dict[str, Any]]:
    """Open every sync client once and measure each (op, threads) group.

    Args:
        args: Parsed command line.
        base_url: The bench server.

    Returns:
        One entry per (client, op, threads).
    """
    clients: dict[str, _scenarios.SyncClientUnderTest] = {}
    failed: dict[str, str] = {}
    for name in _scenarios.SYNC_CLIENTS:
        try:
            clients[name] = _scenarios.open_sync(name, base_url)
        except Exception as exc:
            failed[name] = f"{type(exc).__name__}: {exc}"
    entries: list[dict[str, Any]] = []
    try:
        for op in _scenarios.OPS:
            for threads in args.threads:
                group = measure_sync(
                    clients, failed, op, threads, _plan(args), lambda: server_cpu(base_url)
                )
                _progress(group)
                entries += group
    finally:
        for client in clients.values():
            client.close()
    return entries


def _plan(args: argparse.Namespace) -> Plan:
    return Plan(
        rounds=args.rounds, warmup=args.warmup, round_seconds=args.round_seconds, calls=args.calls
    )


def _progress(group: list[dict[str, Any]]) -> None:
    parts = []
    for e in group:
        shown = "error" if "error" in e else f"{e['calls_per_s']:.0f}/s"
        parts.append(f"{e['client']} {shown}")
    first = group[0]
    label = f"{first['kind']} {first['op']} x{first['concurrency']}"
    print(f"  {label:<18} " + ", ".join(parts), file=sys.stderr, flush=True)


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _versions() -> dict[str, str]:
    from importlib import metadata

    found = {}
    for dist in (
        "aiohttp",
        "attrs",
        "cattrs",
        "tenacity",
        "orjson",
        "httpx",
        "requests",
        "matplotlib",
    ):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "missing"
    return found


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; defaults give a full run of a few minutes on 2 cores."""
    p = argparse.ArgumentParser(
        description="Benchmark series_async / series_sync against raw aiohttp, httpx, requests.",
    )
    p.add_argument("--round-seconds", type=float, default=0.4, help="target length of a round")
    p.add_argument("--calls", type=int, default=None, help="fixed calls per round instead")
    p.add_argument("--warmup", type=int, default=300, help="warm-up calls per client and width")
    p.add_argument("--rounds", type=int, default=10, help="timed rounds; the best one counts")
    p.add_argument("--concurrency", type=int, nargs="+", default=[1, 64], help="async widths")
    p.add_argument("--threads", type=int, nargs="+", default=[1, 8], help="sync thread counts")
    p.add_argument("--import-samples", type=int, default=9, help="interpreters per import")
    p.add_argument("--rss-calls", type=int, default=100_000, help="counted gets for RSS")
    p.add_argument("--rss-warmup", type=int, default=5000, help="gets before the first RSS read")
    p.add_argument("--rss-concurrency", type=int, default=64, help="async RSS calls in flight")
    p.add_argument("--rss-threads", type=int, default=8, help="sync RSS calling threads")
    p.add_argument("--startup-samples", type=int, default=9, help="runs per start-up subject")
    p.add_argument(
        "--skip", nargs="*", default=[], choices=["async", "sync", "imports", "rss", "startup"]
    )
    p.add_argument("--out-dir", type=Path, default=BENCH, help="where results.* are written")
    p.add_argument("--no-png", action="store_true", help="skip the chart (no matplotlib)")
    p.add_argument(
        "--pin", action="store_true", help="pin the server and the clients to separate CPUs"
    )
    p.add_argument(
        "--repeat", type=int, default=1, help="full runs; then the range of every target"
    )
    return p.parse_args(argv)


def run_once(args: argparse.Namespace, name: str = "results") -> dict[str, Any]:
    """One full run: measure, print the table, write ``<name>.json`` (and ``.png``).

    Args:
        args: Parsed command line.
        name: Base name of the files written to ``--out-dir``.

    Returns:
        The run's results (what ``<name>.json`` holds).
    """
    started = time.perf_counter()
    meta: dict[str, Any] = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_before": _loadavg(),
        "versions": _versions(),
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    entries: list[dict[str, Any]] = []
    imports: dict[str, Any] = {}
    rss: dict[str, Any] = {}
    with bench_server(pin=args.pin) as (base_url, cpus):
        meta["cpu_pinning"] = cpus
        print(f"bench server at {base_url}; load {meta['loadavg_before']}", file=sys.stderr)
        if "async" not in args.skip:
            entries += asyncio.run(run_async(args, base_url))
        if "sync" not in args.skip:
            entries += run_sync(args, base_url)
        if "imports" not in args.skip:
            print("  imports ...", file=sys.stderr, flush=True)
            imports = measure_imports(REPO, args.import_samples)
        if "rss" not in args.skip:
            for mode in ("async", "sync"):
                print(f"  rss {mode} ...", file=sys.stderr, flush=True)
                rss[mode] = measure_rss(
                    mode,
                    base_url,
                    calls=args.rss_calls,
                    warmup=args.rss_warmup,
                    workers=args.rss_concurrency if mode == "async" else args.rss_threads,
                    repo=REPO,
                )
        meta["server"] = server_stats(base_url)
    startup: dict[str, Any] = {}
    if "startup" not in args.skip:
        print("  start-up ...", file=sys.stderr, flush=True)
        startup = measure_startup(REPO, args.startup_samples)
    meta["loadavg_after"] = _loadavg()
    meta["wall_seconds"] = round(time.perf_counter() - started, 1)
    _report.add_ratios(entries)
    targets = _report.evaluate_targets(entries, imports, rss)
    print(_report.format_table(entries, imports, rss, targets))
    if startup:
        print(format_startup(startup))
    print(
        f"\nserver: {meta['server']}; load {meta['loadavg_before']} -> {meta['loadavg_after']}; "
        f"{meta['wall_seconds']} s"
    )
    args.out_dir.mkdir(parents=True, exist_ok=True)
    payload = {
        "meta": meta,
        "throughput": entries,
        "imports": imports,
        "rss": rss,
        "targets": targets,
        "startup": startup,
    }
    _report.write_json(args.out_dir / f"{name}.json", payload)
    if not args.no_png and importlib.util.find_spec("matplotlib") is None:
        print(
            "matplotlib is not installed: no results.png (pip install -e '.[bench]')",
            file=sys.stderr,
        )
    elif not args.no_png:
        title = (
            f"series-sdk bench: Python {meta['python']}, {meta['cpus']} CPUs, "
            f"load {meta['loadavg_before']} -> {meta['loadavg_after']}"
        )
        _report.write_png(args.out_dir / f"{name}.png", entries, imports, title)
    print(f"wrote {args.out_dir / f'{name}.json'}", file=sys.stderr)
    return payload


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (``--repeat`` times); print and write the results.

    Returns:
        The exit status.
    """
    args = parse_args(argv)
    if args.repeat < 2:
        run_once(args)
        return 0
    names = [f"results-{run}" for run in range(1, args.repeat + 1)]
    payloads = []
    for run, name in enumerate(names, start=1):
        print(f"run {run} of {args.repeat}", file=sys.stderr, flush=True)
        payloads.append(run_once(args, name))
        print("")
    print(summarise.format_summary(payloads))
    files = [args.out_dir / f"{name}.json" for name in names]
    summarise.write_summary(args.out_dir / "summary.json", files, payloads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
