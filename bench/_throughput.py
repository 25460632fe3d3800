"""Throughput rounds: every client of a kind, per (operation, width), best of N rounds.

For one (op, width) group each client first gets a warm-up batch, which also sizes its
timed rounds (so a slow client does not stretch the run and a fast one is not timed over
a few milliseconds). Then the timed rounds run with the clients interleaved, starting
from a different client each round, so a burst of load from elsewhere on the machine
hits every client alike. The best round counts. Around each timed round the server's CPU
time is read, giving the share of a core the server needed (``server_busy``): proof that
it kept up.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import _scenarios
from _timing import time_async, time_threads

__all__ = ["Plan", "measure_async", "measure_sync"]

Entry = dict[str, Any]


@dataclass(frozen=True)
class Plan:
    """How much to measure.

    Attributes:
        rounds: Timed rounds per client and group; the fastest counts.
        warmup: Warm-up calls per client and group (at least one per worker).
        round_seconds: Target length of one timed round, sized from the warm-up rate.
        calls: Fixed calls per timed round instead (``None``: use ``round_seconds``).
    """

    rounds: int
    warmup: int
    round_seconds: float
    calls: int | None = None

    def warmup_calls(self, width: int) -> int:
        """Warm-up size for ``width`` workers."""
        return max(self.warmup, width)

    def round_calls(self, width: int, warm_calls: int, warm_seconds: float) -> int:
        """Timed-round size from the warm-up's rate (or the fixed count)."""
        if self.calls is not None:
            return self.calls
        rate = warm_calls / warm_seconds if warm_seconds > 0 else 1000.0
        return max(2 * width, int(rate * self.round_seconds))


def _new_group(kind: str, names: tuple[str, ...], op: str, width: int) -> dict[str, Entry]:
    return {
        name: {
            "kind": kind,
            "client": name,
            "op": op,
            "concurrency": width,
            "rounds_s": [],
            "client_cpu_rounds_s": [],
            "server_busy_rounds": [],
        }
        for name in names
    }


def _record(entry: Entry, seconds: float, client_cpu: float, server_cpu: float) -> None:
    """Add one timed round and refresh the entry's best-round figures.

    Args:
        entry: The client's entry in its group.
        seconds: Wall-clock time of the round.
        client_cpu: CPU seconds this process (every thread) used during the round.
        server_cpu: CPU seconds the server process used during the round.
    """
    entry["rounds_s"].append(round(seconds, 6))
    entry["client_cpu_rounds_s"].append(round(client_cpu, 6))
    entry["server_busy_rounds"].append(round(server_cpu / seconds, 3))
    best = min(entry["rounds_s"])
    calls = entry["calls_per_round"]
    entry["best_s"] = best
    entry["calls_per_s"] = round(calls / best, 1)
    entry["us_per_call"] = round(best / calls * 1e6, 2)
    entry["server_busy"] = entry["server_busy_rounds"][entry["rounds_s"].index(best)]
    entry["median_calls_per_s"] = round(calls / statistics.median(entry["rounds_s"]), 1)
    # CPU per call barely moves when other processes steal the cores: the steadier view
    # of what each layer costs (at width 1 it leaves out the time spent waiting).
    entry["cpu_us_per_call"] = round(min(entry["client_cpu_rounds_s"]) / calls * 1e6, 2)


def _order(names: list[str], rnd: int) -> list[str]:
    """Rotate the client order by round number."""
    if not names:
        return names
    shift = rnd % len(names)
    return names[shift:] + names[:shift]


def _failure(exc: BaseException) -> str:
    cause = exc.__cause__
    detail = f" (caused by {type(cause).__name__}: {cause})" if cause else ""
    return f"{type(exc).__name__}: {exc}{detail}"


async def measure_async(
    clients: dict[str, _scenarios.AsyncClientUnderTest],
    failed: dict[str, str],
    op: str,
    width: int,
    plan: Plan,
    server_cpu: Callable[[], float],
) -> list[Entry]:
    """Measure one (op, concurrency) group for every async client.

    Args:
        clients: Open clients by name.
        failed: Clients that could not be opened, with the reason.
        op: ``get`` or ``create``.
        width: Calls in flight.
        plan: Round sizes and counts.
        server_cpu: Reads the server's CPU seconds so far.

    Returns:
        One entry per client of :data:`_scenarios.ASYNC_CLIENTS`.
    """
    group = _new_group("async", _scenarios.ASYNC_CLIENTS, op, width)
    for name, reason in failed.items():
        group[name]["error"] = reason
    for rnd in range(-1, plan.rounds):  # round -1 is the warm-up
        for name in _order(list(clients), rnd):
            entry = group[name]
            if "error" in entry:
                continue
            call = clients[name].ops[op]
            try:
                clients[name].activate()
                if rnd < 0:
                    warm = plan.warmup_calls(width)
                    seconds = await time_async(call, warm, width)
                    entry["calls_per_round"] = plan.round_calls(width, warm, seconds)
                    continue
                gc.collect()  # start every round from the same clean slate
                before, own = server_cpu(), time.process_time()
                seconds = await time_async(call, entry["calls_per_round"], width)
                own = time.process_time() - own
                _record(entry, seconds, own, server_cpu() - before)
            except Exception as exc:  # one broken client must not sink the run
                entry["error"] = _failure(exc)
    return list(group.values())


def measure_sync(
    clients: dict[str, _scenarios.SyncClientUnderTest],
    failed: dict[str, str],
    op: str,
    threads: int,
    plan: Plan,
    server_cpu: Callable[[], float],
) -> list[Entry]:
    """Measure one (op, threads) group for every sync client (one client, many threads).

    Args:
        clients: Open clients by name.
        failed: Clients that could not be opened, with the reason.
        op: ``get`` or ``create``.
        threads: Calling threads sharing each client.
        plan: Round sizes and counts.
        server_cpu: Reads the server's CPU seconds so far.

    Returns:
        One entry per client of :data:`_scenarios.SYNC_CLIENTS`.
    """
    group = _new_group("sync", _scenarios.SYNC_CLIENTS, op, threads)
    for name, reason in failed.items():
        group[name]["error"] = reason
    for rnd in range(-1, plan.rounds):
        for name in _order(list(clients), rnd):
            entry = group[name]
            if "error" in entry:
                continue
            call = clients[name].ops[op]
            try:
                clients[name].activate()
                if rnd < 0:
                    warm = plan.warmup_calls(threads)
                    seconds = time_threads(call, warm, threads)
                    entry["calls_per_round"] = plan.round_calls(threads, warm, seconds)
                    continue
                gc.collect()  # start every round from the same clean slate
                before, own = server_cpu(), time.process_time()
                seconds = time_threads(call, entry["calls_per_round"], threads)
                own = time.process_time() - own
                _record(entry, seconds, own, server_cpu() - before)
            except Exception as exc:
                entry["error"] = _failure(exc)
    return list(group.values())
