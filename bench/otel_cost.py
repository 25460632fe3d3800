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
the best of all counts.

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


async def _measure(url: str, calls: int, warmup: int, rounds: int) -> list[float]:
    from server import SESSION_ID

    from series_async import SeriesClient

    per_call: list[float] = []
    async with SeriesClient(API_KEY, base_url=url) as client:
        for _ in range(warmup):
            await client.sessions.get(SESSION_ID)
        for _ in range(rounds):
            started = time.process_time()
            for _ in range(calls):
                await client.sessions.get(SESSION_ID)
            per_call.append((time.process_time() - started) / calls)
    return per_call


def child(setup: str, url: str, calls: int, warmup: int, rounds: int) -> dict[str, Any]:
    """Measure one setup in this process (started fresh by :func:`run_setup`)."""
    if setup == "recording":
        _record_everything()
    per_call = asyncio.run(_measure(url, calls, warmup, rounds))
    loaded = sorted(m for m in sys.modules if m.split(".")[0] == "opentelemetry")
    return {"setup": setup, "best_us": min(per_call) * 1e6, "otel_modules": len(loaded)}


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
    print(f"{'setup':<12} {'CPU/call':>10} {'vs absent':>10} {'otel modules':>13}")
    for setup in SETUPS:
        row = best[setup]
        print(
            f"{setup:<12} {row['best_us']:>8.1f}us {row['best_us'] / base:>9.2f}x "
            f"{row['otel_modules']:>13}"
        )
    if args.json is not None:
        args.json.write_text(json.dumps([best[s] for s in SETUPS], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
