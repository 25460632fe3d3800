"""Timing loops: N calls at a given concurrency (coroutines) or thread count.

Each function returns wall-clock seconds for the whole batch; the caller turns that into
calls/s. Work is split evenly so every worker stays busy until the end, and the clock
starts only once all workers are ready (threads wait on a barrier).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable

__all__ = ["split", "time_async", "time_threads"]


def split(total: int, workers: int) -> list[int]:
    """Share ``total`` calls among ``workers`` as evenly as possible.

    Args:
        total: Calls to make.
        workers: Coroutines or threads making them.

    Returns:
        One count per worker (workers with nothing to do are dropped).
    """
    base, extra = divmod(total, workers)
    shares = [base + (1 if i < extra else 0) for i in range(workers)]
    return [share for share in shares if share]


async def time_async(call: Callable[[], Awaitable[object]], calls: int, concurrency: int) -> float:
    """Await ``call()`` ``calls`` times with ``concurrency`` calls in flight.

    Args:
        call: One complete client call.
        calls: Total number of calls.
        concurrency: Coroutines calling in a loop (1 means strictly sequential).

    Returns:
        Elapsed wall-clock seconds.
    """

    async def worker(count: int) -> None:
        for _ in range(count):
            await call()

    shares = split(calls, concurrency)
    start = time.perf_counter()
    if len(shares) == 1:
        await worker(shares[0])
    else:
        await asyncio.gather(*(worker(share) for share in shares))
    return time.perf_counter() - start


def time_threads(call: Callable[[], object], calls: int, threads: int) -> float:
    """Call ``call()`` ``calls`` times from ``threads`` threads sharing it.

    Args:
        call: One complete client call (the client behind it is shared).
        calls: Total number of calls.
        threads: Calling threads (1 means the current thread does all of them).

    Returns:
        Elapsed wall-clock seconds.

    Raises:
        RuntimeError: A worker thread's call failed (the first error is chained).
    """
    shares = split(calls, threads)
    if len(shares) == 1:
        start = time.perf_counter()
        for _ in range(shares[0]):
            call()
        return time.perf_counter() - start

    barrier = threading.Barrier(len(shares) + 1)
    errors: list[BaseException] = []

    def worker(count: int) -> None:
        barrier.wait()
        try:
            for _ in range(count):
                call()
        except BaseException as exc:  # reported to the caller below
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(share,), daemon=True) for share in shares]
    for thread in pool:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} worker thread(s) failed") from errors[0]
    return elapsed
