"""Turn an async iterator into a plain iterator, one loop hop per page.

The sync side asks the loop for a *batch*: the next item (waiting for I/O if
needed) plus every following item that is already in memory. An item is in
memory when producing it needs no I/O: its step finishes within one loop
iteration. The first step that does wait on I/O (the request for the next
page) is kept running and awaited by the next batch, so a paged async
iterator costs one hop per page, and the next page is already on its way
while the caller works through the current one.
"""

from __future__ import annotations

import asyncio
import enum
import os
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from typing import Generic, Literal, TypeVar

from series_async import SeriesError

from . import _runtime as runtime

__all__ = ["iterate_in_pages"]

T = TypeVar("T")


class _End(enum.Enum):
    END = "END"


_END: Literal[_End.END] = _End.END


class _Pump(Generic[T]):
    """Lives on the loop: pulls items from the async iterator, a batch at a time."""

    def __init__(self, source: AsyncIterator[T]) -> None:
        self._source = source
        self._pending: asyncio.Task[T | _End] | None = None
        self.pid = os.getpid()
        self.started = False
        self.finished = False

    async def _step(self) -> T | _End:
        try:
            return await self._source.__anext__()
        except StopAsyncIteration:
            return _END

    async def next_batch(self) -> list[T]:
        """Return the next item and all the ready ones after it; ``[]`` at the end."""
        self.started = True
        # The step in flight always sits in _pending, so that aclose() can cancel
        # it whatever the point at which this batch is interrupted.
        step = self._pending or asyncio.ensure_future(self._step())
        self._pending = step
        first = await step
        self._pending = None
        if first is _END:
            self.finished = True
            return []
        batch = [first]
        while True:
            step = self._pending = asyncio.ensure_future(self._step())
            # One turn of the loop lets the step run until it yields an item or
            # blocks on I/O.
            await asyncio.sleep(0)
            if not step.done() or step.cancelled() or step.exception() is not None:
                # Waiting on the next page, or failed: the next batch takes over,
                # so an error surfaces only after this page has been consumed.
                return batch
            self._pending = None
            item = step.result()
            if item is _END:
                self.finished = True
                return batch
            batch.append(item)

    async def aclose(self) -> None:
        """Cancel the step in flight and close the async generator."""
        self.finished = True
        step, self._pending = self._pending, None
        if step is not None:
            step.cancel()
            await asyncio.wait([step])
            if not step.cancelled():
                step.exception()  # retrieved: no "exception was never retrieved" at exit
        if isinstance(self._source, AsyncGenerator):
            await self._source.aclose()


def _close(pump: _Pump[T]) -> None:
    if pump.pid != os.getpid():
        # Inherited from the parent across fork: its task lives on the parent's loop.
        runtime.keep_forever(pump)
    elif not pump.started or pump.finished:
        return
    elif runtime.on_loop_thread() or runtime.is_shutting_down():
        # Collected on the loop thread, or at exit: cannot wait here.
        runtime.run_soon(pump.aclose)
    else:
        runtime.run(pump.aclose)


def iterate_in_pages(open_source: Callable[[], AsyncIterator[T]]) -> Iterator[T]:
    """Yield the items of ``open_source()``, hopping to the loop once per page.

    Nothing happens until the first ``next()``. Leaving early (``break``, an
    exception, garbage collection) closes the async iterator.

    Raises:
        SeriesError: The iterator was started in a parent process before a fork.
    """
    pump = _Pump(open_source())
    try:
        while True:
            if pump.pid != os.getpid():
                raise SeriesError(
                    "this iterator was started before os.fork(): start a new one in this process"
                )
            batch = runtime.run(pump.next_batch)
            if not batch:
                return
            yield from batch
    finally:
        _close(pump)
