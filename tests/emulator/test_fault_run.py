"""Reliability: SDK calls against the emulator with 20 % injected faults.

The runner lives in ``tests/soak.py`` (shared with ``nox -s soak``). Here:
500 calls one at a time, each checked against the emulator's request log
attempt by attempt; and a 1,000-call concurrent soak (async with 32 in flight,
sync from 8 threads) checked globally.
"""

from __future__ import annotations

import collections

import pytest

from series_async import SeriesClient
from series_async.testing import FaultPlan, SeriesEmulator
from tests.soak import EXPECTED_ERROR, POLICY, Run, duplicated_effects, run_soak

CALLS = 500


@pytest.mark.timeout(120)
async def test_500_calls_with_20_percent_faults() -> None:
    plan = FaultPlan.uniform(0.2, retry_after=0, delay=0.001)
    policy = POLICY
    async with (
        SeriesEmulator(faults=plan, seed=20) as emulator,
        SeriesClient(
            api_key=emulator.api_key, base_url=emulator.url, retry=policy, timeout=5
        ) as client,
    ):
        run = Run(emulator, client)
        for i in range(CALLS):
            await run.one(i)
        state = emulator.state

    faults = collections.Counter(r.fault for r in state.requests if r.fault)
    print(f"\n{len(state.requests)} requests, faults {dict(faults)}, outcomes {dict(run.outcomes)}")
    assert sum(run.outcomes.values()) == CALLS
    assert run.outcomes["ok"] >= CALLS * 0.7
    assert set(faults) == set(EXPECTED_ERROR) | {"delay"}  # every kind was exercised
    assert 0.14 <= sum(faults.values()) / len(state.requests) <= 0.26
    # Global check: each applied non-idempotent request left exactly one trace.
    assert duplicated_effects(state) == []


@pytest.mark.timeout(120)
def test_soak_of_1000_concurrent_calls() -> None:
    report = run_soak(1000)
    print("\n" + report.summary())
    assert report.problems == []
    assert sum(report.outcomes.values()) == 1000
    assert report.outcomes["ok"] >= 700
    assert set(report.faults) == set(EXPECTED_ERROR) | {"delay"}  # every kind was exercised
    # Nothing left open but series_sync's private loop (epoll and its self-pipe),
    # which lives as long as the process.
    assert report.fds[1] <= report.fds[0] + 3


def test_the_soak_reports_warnings_thread_errors_and_asyncio_errors() -> None:
    import logging
    import threading
    import warnings

    from tests.soak import Watch

    def fail() -> None:
        raise RuntimeError("boom")

    with Watch() as watch:
        warnings.warn("unclosed transport", ResourceWarning, stacklevel=1)
        thread = threading.Thread(target=fail)
        thread.start()
        thread.join()
        logging.getLogger("asyncio").error("Task exception was never retrieved")
        logging.getLogger("asyncio").warning("Executing <Task> took 0.2 seconds")  # timing only
    assert watch.seen == [
        "warning ResourceWarning: unclosed transport",
        "thread: RuntimeError('boom')",
        "log asyncio: Task exception was never retrieved",
    ]
