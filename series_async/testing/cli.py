"""``series-emulator``: serve the Series API emulator from a shell.

Examples::

    series-emulator                                 # demo workspace on 127.0.0.1:8787
    series-emulator --port 0 --config team.toml     # your workspace, any free port
    series-emulator --fault-rate 0.2 --seed 7       # 20 % faults of every kind
    series-emulator --fault drop_after:0.1@ranking.promote --fault http_503:0.05

Stops cleanly on Ctrl-C (or SIGTERM).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import textwrap
from collections.abc import Sequence

from series_async.testing._config import ConfigError, load_config
from series_async.testing._emulator import SeriesEmulator
from series_async.testing._faults import ROUTES, FaultKind, FaultPlan, FaultRule

__all__ = ["build_parser", "main", "parse_fault", "serve"]

DEFAULT_PORT = 8787
# A server left running for days must not grow without bound; tests use the object API.
_LOG_LIMIT = 10_000


#: What each fault kind does, for ``--help`` ("applied": the change sticks).
_KIND_HELP = {
    FaultKind.RATE_LIMIT: "429 with Retry-After and the error body; not applied",
    FaultKind.HTTP_500: "500 with the JSON error body; not applied",
    FaultKind.HTTP_502: "502 with an HTML body, as a gateway sends it; not applied",
    FaultKind.HTTP_503: "503 with an HTML body and Retry-After; not applied",
    FaultKind.DELAY: "wait --delay seconds, then answer normally; applied",
    FaultKind.DROP_BEFORE: "close the connection without answering; not applied",
    FaultKind.DROP_AFTER: "apply the change, then close without answering",
    FaultKind.TRUNCATED_BODY: "apply the change, send half the body, close",
    FaultKind.NON_JSON_BODY: "apply the change, answer its real status with HTML",
}


def _epilog() -> str:
    width = max(len(kind.value) for kind in FaultKind)
    kinds = "\n".join(
        f"  {kind.value:<{width}}  {_KIND_HELP.get(kind, '')}".rstrip() for kind in FaultKind
    )
    routes = textwrap.fill(f"Routes for --fault: {', '.join(ROUTES)}.", width=78)
    return f"Fault kinds for --fault:\n{kinds}\n\n{routes}"


def parse_fault(text: str, retry_after: float = 1.0, delay: float = 0.05) -> FaultRule:
    """Parse ``KIND[:PROBABILITY][@ROUTE[,ROUTE...]]`` into a :class:`FaultRule`.

    Raises:
        argparse.ArgumentTypeError: The spec is malformed.
    """
    spec, _, routes = text.partition("@")
    kind, _, probability = spec.partition(":")
    try:
        return FaultRule(
            kind=kind.strip(),
            probability=float(probability) if probability else 1.0,
            routes=[r.strip() for r in routes.split(",")] if routes else None,
            retry_after=retry_after,
            delay=delay,
        )
    except ValueError as exc:
        kinds = ", ".join(k.value for k in FaultKind)
        raise argparse.ArgumentTypeError(f"bad --fault {text!r}: {exc} (kinds: {kinds})") from exc


def build_parser(prog: str = "series-emulator") -> argparse.ArgumentParser:
    """Build the command-line parser (``prog``: the name its help and errors show)."""
    parser = argparse.ArgumentParser(
        prog=prog,
        # No prefix matching: "--fault" must never be taken for "--fault-rate".
        allow_abbrev=False,
        description="Serve a local, stateful emulator of the Series API.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port, 0 = any (default: {DEFAULT_PORT})"
    )
    parser.add_argument("--config", help="workspace config, .toml or .json (default: demo)")
    parser.add_argument("--seed", type=int, help="seed for faults and generated ids")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND[:P][@ROUTES]",
        help="inject a fault (repeatable), e.g. http_503:0.1 or drop_after:0.05@ranking.promote",
    )
    parser.add_argument(
        "--fault-rate", type=float, default=0.0, help="share of requests hit by any fault kind"
    )
    parser.add_argument(
        "--retry-after", type=float, default=1.0, help="Retry-After seconds of 429/503 faults"
    )
    parser.add_argument("--delay", type=float, default=0.05, help="seconds of 'delay' faults")
    return parser


async def serve(
    emulator: SeriesEmulator, fault_count: int, stop: asyncio.Event | None = None
) -> None:
    """Serve ``emulator`` and print where, until ``stop`` is set or SIGINT/SIGTERM arrives."""
    async with emulator:
        ws = emulator.config.workspace
        print(f"Series emulator listening on {emulator.url}")
        print(f"  workspace: {ws.name} ({ws.tier}), id {emulator.workspace_id}")
        print(f"  API key:   {emulator.api_key}")
        print(f"  faults:    {fault_count} rule(s)")
        print("Press Ctrl-C to stop.", flush=True)
        stop = stop or asyncio.Event()
        loop = asyncio.get_running_loop()
        # Ctrl-C ends the wait inside the loop, like SIGTERM, so the server shuts down
        # in order: a KeyboardInterrupt raised out of the loop left the connections it
        # was closing half-closed ("unclosed transport" under -X dev on Python 3.10).
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, stop.set)
        await stop.wait()


def main(argv: Sequence[str] | None = None, *, prog: str = "series-emulator") -> int:
    """Run the command; return the exit status (0 after Ctrl-C).

    Args:
        argv: The arguments (default: ``sys.argv[1:]``).
        prog: The command's name in help and messages (``series emulator`` runs this too).
    """
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    try:
        rules = [parse_fault(f, args.retry_after, args.delay) for f in args.fault]
        if args.fault_rate:
            rules += FaultPlan.uniform(
                args.fault_rate, retry_after=args.retry_after, delay=args.delay
            ).rules
        emulator = SeriesEmulator(
            load_config(args.config),
            host=args.host,
            port=args.port,
            faults=FaultPlan(rules=tuple(rules)),
            seed=args.seed,
            request_log_limit=_LOG_LIMIT,
        )
    except (argparse.ArgumentTypeError, ConfigError, ValueError) as exc:
        parser.error(str(exc))
    try:
        asyncio.run(serve(emulator, len(rules)))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"{prog}: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print("Series emulator stopped.")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
