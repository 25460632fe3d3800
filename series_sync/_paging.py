"""Turn a paged async generator into a plain iterator: a plain loop over pages.

Each ``next()`` that needs a new page makes one hop to the loop, which fetches
exactly that page; the items of a page are then handed out without touching
the loop. Nothing is fetched ahead: breaking out after the first item costs
the one request the async iterator makes too.
"""

from __future__ import annotations

import enum
import os
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Literal, TypeVar

from series_async import SeriesError

from . import _runtime as runtime

__all__ = ["iterate_in_pages"]

T = TypeVar("T")


class _End(enum.Enum):
    END = "END"


_END: Literal[_End.END] = _End.END


async def _next_page(pages: AsyncIterator[Sequence[T]]) -> Sequence[T] | _End:
    try:
        return await pages.__anext__()
    except StopAsyncIteration:
        return _END


def _close(pages: AsyncIterator[Sequence[T]], pid: int) -> None:
    """Close a walk left early, on the loop, so its ``finally`` blocks run there."""
    aclose = getattr(pages, "aclose", None)
    if pid != os.getpid():
        # Inherited from the parent across fork: it belongs to the parent's loop.
        runtime.keep_forever(pages)
    elif aclose is None:
        return
    elif runtime.on_loop_thread() or runtime.is_shutting_down():
        # Collected on the loop thread, or at exit: cannot wait here.
        runtime.run_soon(aclose)
    else:
        runtime.run(aclose)


def iterate_in_pages(open_pages: Callable[[], AsyncIterator[Sequence[T]]]) -> Iterator[T]:
    """Yield the items of the pages of ``open_pages()``, one loop hop per page.

    Nothing happens until the first ``next()``. Leaving early (``break``, an
    exception, garbage collection) closes the async generator.

    Raises:
        SeriesError: The iterator was started in a parent process before a fork.
    """
    pages = open_pages()
    pid = os.getpid()
    open_walk = False
    try:
        while True:
            if pid != os.getpid():
                raise SeriesError(
                    "this iterator was started before os.fork(): start a new one in this process"
                )
            # While a step runs the walk is not "open": a step that fails (or is
            # cancelled by Ctrl-C) ends the async generator itself.
            open_walk = False
            page = runtime.run(_next_page, pages)
            if page is _END:
                return
            open_walk = True
            yield from page
    finally:
        if open_walk or pid != os.getpid():
            _close(pages, pid)
