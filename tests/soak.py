"""The fault soak: mixed SDK calls against the emulator at a fault rate, checked.

One place for the fault runner, used three ways:

- ``tests/emulator/test_fault_run.py`` makes 500 calls one at a time and checks
  every call against the emulator's request log, attempt by attempt
  (:meth:`Run.one`);
- the same test module runs a 1,000-call soak;
- ``nox -s soak`` (``python -X dev -m tests.soak``) runs the 10,000-call soak.

The soak runs the calls concurrently (the async client with 32 in flight,
then a shared sync client from 8 threads), where requests can no longer be
told apart in the log. Its checks are then global: every call ends in its
model or a documented ``SeriesError`` subclass within a time bound; nothing
else escapes; no warning, unraisable exception or asyncio error is reported;
and no non-idempotent call left two traces in the emulator's state (every
create, promote and demote carries a unique tag, every added attendee a unique
user id). It prints the outcome counts, wall time, and the open file
descriptors and RSS before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import os
import random
import resource
import sys
import threading
import time
import warnings
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs

import series_sync
from series_async import (
    APIConnectionError,
    APIStatusError,
    BadRequestError,
    CustomRole,
    InternalServerError,
    RateLimitError,
    RetryPolicy,
    SeriesClient,
    SeriesError,
    UnexpectedResponseError,
)
from series_async.testing import FaultPlan, RequestRecord, SeriesEmulator
from series_async.testing._state import StateSnapshot

# Users of the demo workspace.
HOST = "714760171"  # rank 100
TRAINER = "2143265871"  # rank 50
ROOKIE = "4173392009"  # rank 5
GROUP_ONLY = "5569120347"  # group member only, rank 5

START = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)
NON_IDEMPOTENT = {
    "sessions.create",
    "sessions.claim_custom_role",
    "sessions.quit_custom_role",
    "attendance.add_attendee",
    "ranking.promote",
    "ranking.demote",
}
# Which error a fault on the last attempt must surface as.
EXPECTED_ERROR: dict[str, type[SeriesError] | tuple[type[SeriesError], ...]] = {
    "rate_limit": RateLimitError,
    "http_500": InternalServerError,
    "http_502": InternalServerError,
    "http_503": InternalServerError,
    "drop_before": APIConnectionError,
    "drop_after": APIConnectionError,
    # A 2xx cut short is an unreadable answer; an error status cut short is its own class.
    "truncated_body": (UnexpectedResponseError, APIStatusError),
    "non_json_body": UnexpectedResponseError,
}
# What a concurrent call may end in: the documented classes. A 4xx is expected
# when concurrent calls race on the same session (a slot claimed meanwhile).
DOCUMENTED = (APIConnectionError, APIStatusError, UnexpectedResponseError)
CALL_TIMEOUT = 30.0
POLICY = RetryPolicy(initial_delay=0.001, max_delay=0.01)


def tag(i: int) -> str:
    """The unique mark of call ``i``, left in the state by what it changes."""
    return f"soak call {i}"


class Run:
    """Drives the calls, choosing each one from the emulator's current state."""

    def __init__(self, emulator: SeriesEmulator, client: Any, *, seed: int = 5) -> None:
        self.emulator = emulator
        self.client = client  # a series_async or a series_sync client: same calls
        self.rng = random.Random(seed)
        self.outcomes: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        self._snapshot: StateSnapshot | None = None

    def state(self, i: int, *, fresh: bool) -> StateSnapshot:
        """The emulator's state; under concurrency a copy refreshed every few calls."""
        with self._lock:
            if fresh or self._snapshot is None or i % 16 == 0:
                self._snapshot = self.emulator.state
            return self._snapshot

    def choose(
        self, i: int, *, fresh: bool = True
    ) -> tuple[str, Callable[[], Any], Callable[[object], None]]:
        """Return (route, call, check of a successful result) for call number ``i``."""
        state = self.state(i, fresh=fresh)
        sessions = list(state.sessions.values())
        c = self.client
        kind = i % 10 if sessions else 0
        if kind == 0:
            title = f"session {i}"

            def created(result: object) -> None:
                assert self.emulator.state.sessions[result.session_id].title == title  # type: ignore[attr-defined]

            return "sessions.create", lambda: c.sessions.create(
                title=title, scheduled=START + timedelta(hours=i), duration=30, host=HOST,
                description=tag(i),
                claimable=True, custom_roles=[CustomRole(name="Trainer", slots=1, min_rank=50)],
            ), created  # fmt: skip
        with self._lock:
            session = self.rng.choice(sessions)
        sid = session.session_id
        if kind == 1:
            return "sessions.get", lambda: c.sessions.get(sid), lambda r: _eq(r.session_id, sid)
        if kind == 2:
            return "sessions.list", lambda: c.sessions.list(page=1), lambda r: _eq(r.page, 1)
        if kind == 3:
            title = f"renamed {i}"
            return (
                "sessions.update",
                lambda: c.sessions.update(sid, title=title),
                lambda r: _eq(self.emulator.state.sessions[sid].title, title),
            )
        if kind == 4:
            (role,) = session.custom_roles
            if TRAINER in role.holders():
                return (
                    "sessions.quit_custom_role",
                    lambda: c.sessions.quit_custom_role(sid, user_id=TRAINER, role_name="Trainer"),
                    lambda r: _eq(self.emulator.state.sessions[sid].custom_roles[0].holders(), []),
                )
            if role.holders():  # someone else's claim: the slot is full, free it first
                holder = role.holders()[0]
                return (
                    "sessions.quit_custom_role",
                    lambda: c.sessions.quit_custom_role(sid, user_id=holder, role_name="Trainer"),
                    lambda r: None,
                )
            return (
                "sessions.claim_custom_role",
                lambda: c.sessions.claim_custom_role(
                    sid, user_id=TRAINER, role_name="Trainer", slot_key="VACANT_0"
                ),
                lambda r: _eq(
                    self.emulator.state.sessions[sid].custom_roles[0].holders(), [TRAINER]
                ),
            )
        if kind in (5, 6) or not state.attendees:
            user = str(100_000 + i)
            return (
                "attendance.add_attendee",
                lambda: c.attendance.add_attendee(sid, user_id=user, join_time=START),
                lambda r: _eq(r.user_id, user),
            )
        if kind == 7:
            with self._lock:
                attendee = self.rng.choice(state.attendees)
            leave = START + timedelta(minutes=i)
            return (
                "attendance.update_attendee",
                lambda: c.attendance.update_attendee(
                    attendee.session_id, user_id=attendee.user_id, leave_time=leave
                ),
                lambda r: _eq(r.duration_seconds, i * 60),
            )
        if kind == 8:
            rank = state.member_ranks[ROOKIE]
            if rank < 50:
                return (
                    "ranking.promote",
                    lambda: c.ranking.promote(ROOKIE, comment=tag(i)),
                    lambda r: _eq(
                        self.emulator.state.member_ranks[ROOKIE],
                        r.new_rank,
                    ),
                )
            return (
                "ranking.demote",
                lambda: c.ranking.demote(ROOKIE, comment=tag(i)),
                lambda r: _eq(
                    self.emulator.state.member_ranks[ROOKIE],
                    r.new_rank,
                ),
            )
        with self._lock:
            keys = self.rng.random() < 0.5
        if keys:
            return "keys.check", c.keys.check, lambda r: _eq(r.valid, True)
        target = 20 if state.group_ranks[GROUP_ONLY] != 20 else 50
        return (
            "ranking.set_rank",
            lambda: c.ranking.set_rank(GROUP_ONLY, target),
            lambda r: _eq(self.emulator.state.group_ranks[GROUP_ONLY], target),
        )

    async def one(self, i: int) -> None:
        """Make call ``i`` alone and check it against the emulator's log, attempt by attempt."""
        route, call, check = self.choose(i)
        before = len(self.emulator.state.requests)
        try:
            result = await asyncio.wait_for(call(), timeout=10)
        except SeriesError as exc:
            attempts = self.emulator.state.requests[before:]
            self.check_failure(route, exc, attempts)
            self.outcomes[type(exc).__name__] += 1
        else:
            attempts = self.emulator.state.requests[before:]
            assert attempts[-1].applied, (route, attempts)
            assert attempts[-1].fault in (None, "delay"), (route, attempts)
            check(result)
            self.outcomes["ok"] += 1
        assert all(a.route == route for a in attempts), attempts
        # max_retries=2 gives 3 attempts; aiohttp itself silently resends a GET once
        # when a reused keep-alive connection is closed under it, so GETs may do 6.
        limit = 6 if attempts[0].method == "GET" else 3
        assert 1 <= len(attempts) <= limit, attempts
        if route in NON_IDEMPOTENT:
            assert sum(a.applied for a in attempts) <= 1, (route, attempts)
            # Only a 429 proves the server did nothing: nothing else may be replayed.
            assert all(a.fault == "rate_limit" for a in attempts[:-1]), (route, attempts)

    @staticmethod
    def check_failure(route: str, exc: SeriesError, attempts: tuple[RequestRecord, ...]) -> None:
        last = attempts[-1]
        if last.fault in EXPECTED_ERROR:
            assert isinstance(exc, EXPECTED_ERROR[last.fault]), (route, exc, attempts)
            return
        # set-rank is retried as idempotent, but the API refuses a repeat with a
        # 400 once an earlier attempt (whose answer was lost) set the rank.
        assert route == "ranking.set_rank", (route, exc, attempts)
        assert isinstance(exc, BadRequestError), exc
        assert "already at the specified rank" in exc.message
        assert any(a.applied for a in attempts[:-1]), attempts


def _eq(actual: object, expected: object) -> None:
    assert actual == expected, (actual, expected)


def _eq(actual: object, expected: object) -> None:
    assert actual == expected, (actual, expected)


def duplicated_effects(state: StateSnapshot) -> list[str]:
    """Non-idempotent calls that left more than one trace in the state."""
    problems = []
    for name, marks in (
        ("sessions.create", [s.description for s in state.sessions.values()]),
        ("ranking", [r.comment for r in state.ranking_history]),
        ("attendance.add_attendee", [(a.session_id, a.user_id) for a in state.attendees]),
    ):
        counts = collections.Counter(m for m in marks if m is not None)
        problems += [f"{name}: {mark!r} applied {n} times" for mark, n in counts.items() if n > 1]
    if len(state.sessions) != state.applied("sessions.create"):
        problems.append("sessions.create: state and request log disagree")
    if len(state.attendees) != state.applied("attendance.add_attendee"):
        problems.append("attendance.add_attendee: state and request log disagree")
    ranked = sum(
        state.applied(r) for r in ("ranking.promote", "ranking.demote", "ranking.set_rank")
    )
    if len(state.ranking_history) != ranked:
        problems.append("ranking: state and request log disagree")
    return problems


@attrs.define
class Report:
    """What a soak did and found."""

    calls: int = 0
    outcomes: collections.Counter[str] = attrs.field(factory=collections.Counter)
    problems: list[str] = attrs.field(factory=list)
    faults: collections.Counter[str] = attrs.field(factory=collections.Counter)
    requests: int = 0
    wall: float = 0.0
    fds: tuple[int, int] = (0, 0)
    rss_mb: tuple[float, float] = (0.0, 0.0)
    peak_rss_mb: float = 0.0

    by_mode: dict[str, collections.Counter[str]] = attrs.field(factory=dict)

    def record(self, mode: str, outcome: str, problem: str | None = None) -> None:
        self.outcomes[outcome] += 1
        self.by_mode.setdefault(mode, collections.Counter())[outcome] += 1
        if problem is not None:
            self.problems.append(problem)

    def summary(self) -> str:
        lines = [
            f"{self.calls} calls, {self.requests} requests in {self.wall:.1f} s "
            f"({self.calls / max(self.wall, 1e-9):.0f} calls/s)",
            *(
                f"outcomes ({mode}): " + ", ".join(f"{k} {v}" for k, v in counts.most_common())
                for mode, counts in self.by_mode.items()
            ),
            "faults injected: " + ", ".join(f"{k} {v}" for k, v in sorted(self.faults.items())),
            f"open fds: {self.fds[0]} before, {self.fds[1]} after",
            f"rss: {self.rss_mb[0]:.1f} MB before, {self.rss_mb[1]:.1f} MB after "
            f"(peak {self.peak_rss_mb:.1f} MB)",
            f"problems: {len(self.problems)}",
            *(f"  {p}" for p in self.problems[:20]),
        ]
        return "\n".join(lines)


def _classify(exc: BaseException | None, result: object) -> tuple[str, str | None]:
    if exc is None:
        if not attrs.has(type(result)):
            return "bad result", f"a call returned {type(result).__name__}, not a model"
        return "ok", None
    if isinstance(exc, DOCUMENTED):
        return type(exc).__name__, None
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):
        return "hang", f"a call did not end within {CALL_TIMEOUT}s"
    return "escaped", f"escaped: {type(exc).__name__}: {exc}"


async def soak_async(run: Run, first: int, calls: int, in_flight: int, report: Report) -> None:
    """Make calls ``first .. first+calls-1`` with ``in_flight`` of them at a time."""
    numbers = iter(range(first, first + calls))

    async def worker() -> None:
        for i in numbers:
            _, call, _ = run.choose(i, fresh=False)
            try:
                result = await asyncio.wait_for(call(), CALL_TIMEOUT)
            except BaseException as exc:  # classified, never swallowed silently
                if isinstance(exc, asyncio.CancelledError):
                    raise
                report.record(f"async, {in_flight} in flight", *_classify(exc, None))
            else:
                report.record(f"async, {in_flight} in flight", *_classify(None, result))

    await asyncio.gather(*(worker() for _ in range(in_flight)))


def soak_sync(run: Run, first: int, calls: int, threads: int, report: Report) -> None:
    """Make calls ``first .. first+calls-1`` from ``threads`` threads sharing one client."""
    lock = threading.Lock()
    numbers = iter(range(first, first + calls))

    def worker() -> None:
        while True:
            with lock:
                i = next(numbers, None)
            if i is None:
                return
            _, call, _ = run.choose(i, fresh=False)
            try:
                result = call()
            except Exception as exc:
                outcome = _classify(exc, None)
            else:
                outcome = _classify(None, result)
            with lock:
                report.record(f"sync, {threads} threads", *outcome)

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    deadline = time.monotonic() + CALL_TIMEOUT + calls  # generous; a hang is far beyond it
    for thread in pool:
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            report.record(f"sync, {threads} threads", "hang", "a sync worker thread never finished")


def _fds() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:  # not Linux
        return -1


def _rss_mb() -> float:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return -1.0


class Watch(logging.Handler):
    """Collects warnings, unraisable exceptions and asyncio's error logs during a soak."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Executing ") and " took " in message:
            return  # -X dev's slow-callback note: timing on a busy machine, not a fault
        self.seen.append(f"log {record.name}: {message}")

    def __enter__(self) -> Watch:
        self._hooks = (warnings.showwarning, sys.unraisablehook, threading.excepthook)

        def show(message: Any, category: Any, *_: Any, **__: Any) -> None:
            self.seen.append(f"warning {category.__name__}: {message}")

        warnings.showwarning = show
        sys.unraisablehook = lambda u: self.seen.append(f"unraisable: {u.exc_value!r}")
        threading.excepthook = lambda a: self.seen.append(f"thread: {a.exc_value!r}")
        logging.getLogger("asyncio").addHandler(self)
        self._filters = warnings.catch_warnings()
        self._filters.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *_: object) -> None:
        self._filters.__exit__(None, None, None)
        logging.getLogger("asyncio").removeHandler(self)
        warnings.showwarning, sys.unraisablehook, threading.excepthook = self._hooks


def run_soak(
    calls: int, *, in_flight: int = 32, threads: int = 8, fault_rate: float = 0.2, seed: int = 20
) -> Report:
    """Run a soak: half the calls async, ``in_flight`` at a time; half sync from threads."""
    import gc

    report = Report(calls=calls)
    gc.collect()
    fds_before, rss_before = _fds(), _rss_mb()
    started = time.perf_counter()
    plan = FaultPlan.uniform(fault_rate, retry_after=0, delay=0.001)
    half = calls // 2
    with Watch() as watch, SeriesEmulator(faults=plan, seed=seed) as emulator:

        async def async_half() -> None:
            async with SeriesClient(
                api_key=emulator.api_key, base_url=emulator.url, retry=POLICY, timeout=5
            ) as client:
                await soak_async(Run(emulator, client, seed=seed), 0, half, in_flight, report)

        asyncio.run(async_half())
        with series_sync.SeriesClient(
            api_key=emulator.api_key, base_url=emulator.url, retry=POLICY, timeout=5
        ) as sync_client:
            soak_sync(
                Run(emulator, sync_client, seed=seed + 1), half, calls - half, threads, report
            )
        state = emulator.state
    gc.collect()
    report.wall = time.perf_counter() - started
    report.fds = (fds_before, _fds())
    report.rss_mb = (rss_before, _rss_mb())
    report.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report.requests = len(state.requests)
    report.faults.update(r.fault for r in state.requests if r.fault)
    report.problems += duplicated_effects(state)
    report.problems += watch.seen
    if sum(report.outcomes.values()) != calls:
        report.problems.append(f"{sum(report.outcomes.values())} outcomes for {calls} calls")
    return report


def main(argv: list[str] | None = None) -> int:
    """Run the soak from the command line; exit status 1 on any problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--in-flight", type=int, default=32)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args(argv)
    report = run_soak(
        args.calls,
        in_flight=args.in_flight,
        threads=args.threads,
        fault_rate=args.fault_rate,
        seed=args.seed,
    )
    print(report.summary())
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
