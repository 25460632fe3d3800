"""RSS growth over many ``sessions.get`` calls, measured in a fresh child process.

A fresh process keeps earlier benchmarks' freed memory from hiding a leak. The child
warms up (connection pool, caches, lazily built converter hooks), collects garbage, reads
its resident set size, makes the counted calls while sampling RSS every tenth of the
way, collects again and reads the final size. Run as a script it prints one JSON object.

Usage (normally started by ``run.py``)::

    python bench/_rss.py async --base-url http://127.0.0.1:PORT --calls 100000
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import _scenarios
from _timing import time_async, time_threads

__all__ = ["main", "measure_rss", "rss_bytes"]


def rss_bytes() -> int:
    """Current resident set size of this process in bytes (peak RSS off Linux)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _steps(calls: int, parts: int = 10) -> list[int]:
    step = max(1, calls // parts)
    sizes = [step] * (calls // step)
    if calls % step:
        sizes.append(calls % step)
    return sizes


def _report(warmup: int, calls: int, before: int, samples: list[int], after: int) -> dict[str, Any]:
    return {
        "warmup_calls": warmup,
        "calls": calls,
        "rss_before_bytes": before,
        "rss_after_bytes": after,
        "growth_bytes": after - before,
        "samples_bytes": samples,
    }


async def _run_async(base_url: str, calls: int, warmup: int, concurrency: int) -> dict[str, Any]:
    client = await _scenarios.open_async("series_async", base_url)
    client.activate()
    get = client.ops["get"]
    try:
        await time_async(get, warmup, concurrency)
        gc.collect()
        before = rss_bytes()
        samples = []
        for size in _steps(calls):
            await time_async(get, size, concurrency)
            samples.append(rss_bytes())
        gc.collect()
        after = rss_bytes()
    finally:
        await client.close()
    return _report(warmup, calls, before, samples, after)


def _run_sync(base_url: str, calls: int, warmup: int, threads: int) -> dict[str, Any]:
    client = _scenarios.open_sync("series_sync", base_url)
    client.activate()
    get = client.ops["get"]
    try:
        time_threads(get, warmup, threads)
        gc.collect()
        before = rss_bytes()
        samples = []
        for size in _steps(calls):
            time_threads(get, size, threads)
            samples.append(rss_bytes())
        gc.collect()
        after = rss_bytes()
    finally:
        client.close()
    return _report(warmup, calls, before, samples, after)


def measure_rss(
    mode: str, base_url: str, *, calls: int, warmup: int, workers: int, repo: Path
) -> dict[str, Any]:
    """Run the RSS measurement for ``mode`` ("async" or "sync") in a child process.

    Args:
        mode: ``async`` (series_async, ``workers`` coroutines) or ``sync`` (series_sync,
            ``workers`` threads sharing one client).
        base_url: The bench server.
        calls: Counted ``sessions.get`` calls.
        warmup: Calls made before the first reading.
        workers: Concurrency (async) or thread count (sync).
        repo: Repository root, put on the child's ``PYTHONPATH``.

    Returns:
        The child's report, plus ``concurrency``; or ``{"error": ...}`` if it failed.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(repo), env.get("PYTHONPATH")]))
    argv = [sys.executable, str(Path(__file__).resolve()), mode, "--base-url", base_url]
    argv += ["--calls", str(calls), "--warmup", str(warmup), "--workers", str(workers)]
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=False, timeout=600)
    if out.returncode != 0:
        return {"error": out.stderr.strip()[-2000:] or f"exit status {out.returncode}"}
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["concurrency"] = workers
    return result


def main(argv: list[str] | None = None) -> None:
    """Child entry point: measure and print one JSON line."""
    parser = argparse.ArgumentParser(description="RSS growth child process")
    parser.add_argument("mode", choices=["async", "sync"])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--warmup", type=int, default=5_000)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args(argv)
    if args.mode == "async":
        result = asyncio.run(_run_async(args.base_url, args.calls, args.warmup, args.workers))
    else:
        result = _run_sync(args.base_url, args.calls, args.warmup, args.workers)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
