"""What OpenTelemetry costs a call (design §12): CPU per ``sessions.get`` in three setups.

- ``absent``: the ``otel`` extra not installed (its import blocked in that process);
- ``no_provider``: installed, but the application set no tracer provider;
- ``recording``: an SDK ``TracerProvider`` recording every span (batch processor, an
  exporter that drops them: the SDK's own cost, not a backend's).

Each setup runs in its own fresh interpreter (the extra is looked for, and a provider is
set, once per process) against the canned-response server of ``bench/server.py``, one
call at a time, and reports the client process's CPU time (user + system, the batch
processor's thread included) per call, best of ``--rounds`` rounds after a warm-up. The
setups are run in turn ``--repeat`` times, so a burst of machine load hits them alike;
the best of all counts. Within each process, every round is paired with one where the
SDK's OpenTelemetry is switched off ("paired off"): the difference between the two is
the per-call cost itself, free of what differs from one process to the next (the
modules loaded, memory layout, the machine's load at the time). "Tracing only" is the
SDK's tracing work for one call with no I/O at all (what the pipeline asks of its
per-call watch), the cost with the least noise.

    python bench/otel_cost.py                # table on stdout
    python bench/otel_cost.py --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SETUPS = ("absent", "no_provider", "recording")
API_KEY = "sk_bench_0123456789abcdef"

_BLOCK_OTEL = """
import sys

class _NoOtel:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "opentelemetry":
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None

sys.meta_path.insert(0, _NoOtel())
"""


def _record_everything() -> None:
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        SpanExporter,
        SpanExportResult,
    )

    class Drop(SpanExporter):
        def export(self, spans: Any) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(Drop()))
    trace.set_tracer_provider(provider)


async def _measure(url: str, calls: int, warmup: int, rounds: int) -> dict[bool, list[float]]:
    """CPU seconds per call, by round: with the SDK's OpenTelemetry on, and off.

    The rounds alternate between the two (in turn first) in this one process (the "off" ones set the
    SDK's private ``_observe._otel`` to ``None``, as if the extra were absent), so the
    pair shows the per-call cost free of what differs from process to process.
    """
    from server import SESSION_ID

    from series_async import SeriesClient, _observe

    per_call: dict[bool, list[float]] = {True: [], False: []}
    async with SeriesClient(API_KEY, base_url=url) as client:
        otel = _observe._otel
        for _ in range(warmup):
            await client.sessions.get(SESSION_ID)
        for round_ in range(rounds):
            for on in (True, False) if round_ % 2 == 0 else (False, True):
                _observe._otel = otel if on else None
                started = time.process_time()
                for _ in range(calls):
                    await client.sessions.get(SESSION_ID)
                per_call[on].append((time.process_time() - started) / calls)
        _observe._otel = otel
    return per_call


def _watch_only(url: str, calls: int, rounds: int) -> float:
    """CPU seconds of the tracing work of one successful call alone, without any I/O.

    What the pipeline asks of its watch for a one-attempt call: make it, enter it,
    an attempt, its headers, its answer, exit.
    """
    from series_async import _observe

    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(calls):
            watch = _observe.watch("sessions.get", "GET", "/sessions/get/{sessionId}", url)
            with watch:
                watch.attempt()
                watch.headers()
                watch.answered(200)
        best = min(best, (time.process_time() - started) / calls)
    return best


def child(setup: str, url: str, calls: int, warmup: int, rounds: int) -> dict[str, Any]:
    """Measure one setup in this process (started fresh by :func:`run_setup`)."""
    if setup == "recording":
        _record_everything()
    per_call = asyncio.run(_measure(url, calls, warmup, rounds))
    watch_only = _watch_only(url, calls * 10, rounds)
    loaded = sorted(m for m in sys.modules if m.split(".")[0] == "opentelemetry")
    return {
        "setup": setup,
        "best_us": min(per_call[True]) * 1e6,
        "paired_off_us": min(per_call[False]) * 1e6,
        "watch_only_us": watch_only * 1e6,
        "otel_modules": len(loaded),
    }


def run_setup(setup: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run one setup in a fresh interpreter and return what it measured."""
    program = (
        (_BLOCK_OTEL if setup == "absent" else "")
        + f"import sys\nsys.path.insert(0, {str(BENCH)!r})\nsys.path.insert(1, {str(REPO)!r})\n"
        + "import json, otel_cost\n"
        + f"print(json.dumps(otel_cost.child({setup!r}, {url!r}, {args.calls}, "
        + f"{args.warmup}, {args.rounds})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{setup}: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (``--help`` lists it)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--calls", type=int, default=2000, help="calls per timed round")
    p.add_argument("--warmup", type=int, default=300, help="calls before the first round")
    p.add_argument("--rounds", type=int, default=5, help="timed rounds per process")
    p.add_argument("--repeat", type=int, default=3, help="processes per setup, in turn")
    p.add_argument("--json", type=Path, default=None, help="also write the results here")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run every setup ``--repeat`` times in turn; print (and write) the best of each."""
    args = parse_args(argv)
    sys.path.insert(0, str(BENCH))
    from run import bench_server

    best: dict[str, dict[str, Any]] = {}
    with bench_server() as (url, _):
        for _ in range(args.repeat):
            for setup in SETUPS:
                result = run_setup(setup, url, args)
                if setup not in best or result["best_us"] < best[setup]["best_us"]:
                    best[setup] = result
    base = best["absent"]["best_us"]
    header = ("setup", "CPU/call", "vs absent", "paired off", "tracing only", "otel modules")
    print("{:<12} {:>10} {:>10} {:>11} {:>13} {:>13}".format(*header))
    for setup in SETUPS:
        row = best[setup]
        print(
            f"{setup:<12} {row['best_us']:>8.1f}us {row['best_us'] / base:>9.2f}x "
            f"{row['paired_off_us']:>9.1f}us {row['watch_only_us']:>11.2f}us "
            f"{row['otel_modules']:>13}"
        )
    if args.json is not None:
        args.json.write_text(json.dumps([best[s] for s in SETUPS], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
