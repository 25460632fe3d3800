"""The owner of the async client behind one sync client.

Each sync client owns one async client (so one aiohttp session) on the
private loop; a client made by ``with_options`` owns one derived from it,
sharing its session. The generated wrappers reach the async client through
:attr:`Owner.client` and run its coroutines with :func:`series_sync._runtime.run`:
one loop hop per call.

After ``os.fork()`` the child's first use builds a fresh async client from the
same arguments (a derived one from its parent's fresh client); the inherited
one is left untouched for good. When a sync client is garbage-collected
without ``close()``, its async client is closed in the background; anything
still open at exit is closed by the runtime.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar

import attrs

from series_async import SeriesError
from series_async._client import SeriesClient, driven_by_sync

from . import _runtime as runtime

__all__ = ["AsyncClient", "Owner"]

P = ParamSpec("P")


class AsyncClient(runtime.AsyncClosable, Protocol):
    """What an owner needs from the async client it holds."""

    @property
    def closed(self) -> bool:
        """Whether the client was closed."""


C = TypeVar("C", bound=AsyncClient)


@attrs.define(eq=False)
class _Slot(Generic[C]):
    """The async client in use, the process it belongs to, and its parent's client."""

    client: C
    pid: int
    base: C | None  # the parent owner's client it was derived from; None for a root


def _release(slot: _Slot[Any]) -> None:
    """Finalizer of a garbage-collected root owner: close its client, never block."""
    client = slot.client
    if slot.pid != os.getpid():
        return  # inherited across fork: not ours to close
    if client.closed:
        runtime.unregister(client)
    else:
        runtime.close_soon(client)


class Owner(Generic[C]):
    """Owns the async client of one sync client, one per process.

    A root owner (:meth:`start`) builds its own client and closes it; a derived
    owner (:meth:`derive`) builds its client from its parent's, registers
    nothing and, when closed, closes nothing shared.

    Args:
        build: Builds the async client from the parent's client (``None`` for a
            root). Called here, so invalid arguments raise in the caller's
            thread, and again in a forked child.
        parent: The owner whose client this one's derives from.
    """

    def __init__(self, build: Callable[[C | None], C], parent: Owner[C] | None = None) -> None:
        self._build = build
        self._parent = parent
        base = None if parent is None else parent.client
        self._slot = _Slot(build(base), os.getpid(), base)
        if parent is None:
            runtime.register(self._slot.client)
            finalizer = weakref.finalize(self, _release, self._slot)
            finalizer.atexit = False  # the runtime closes what is left at exit

    @classmethod
    def start(
        cls, client_class: Callable[P, SeriesClient], /, *args: P.args, **kwargs: P.kwargs
    ) -> Owner[SeriesClient]:
        """Own ``client_class(*args, **kwargs)``, marked as driven by series_sync."""
        return Owner(lambda _: driven_by_sync(client_class(*args, **kwargs)))

    def derive(
        self, method: Callable[Concatenate[C, P], C], /, *args: P.args, **kwargs: P.kwargs
    ) -> Owner[C]:
        """An owner of ``method(client, ...)``, e.g. ``SeriesClient.with_options``.

        The derived async client shares this one's session and lifetime.
        """

        def build(base: C | None) -> C:
            assert base is not None  # a derived owner always has a parent
            return method(base, *args, **kwargs)

        return Owner(build, self)

    @property
    def client(self) -> C:
        """The async client of the current process."""
        slot = self._slot
        if slot.pid == os.getpid():
            return slot.client
        return self._renew()

    def _renew(self) -> C:
        """In a forked child: park the inherited client and build this process's own."""
        with runtime.process_lock():
            slot = self._slot
            if slot.pid != os.getpid():
                inherited = slot.client
                runtime.keep_forever(inherited)
                parent = self._parent
                base = None if parent is None else parent.client
                # A closed root is kept: it refuses calls without touching anything.
                # A derived one is rebuilt only if its parent's client was.
                rebuild = not inherited.closed if parent is None else base is not slot.base
                if rebuild:
                    slot.client = self._build(base)
                    if parent is None:
                        runtime.register(slot.client)
                slot.base = base
                slot.pid = os.getpid()
            return slot.client

    def ensure_open(self) -> None:
        """Raise if the client was closed (what ``async with`` checks, without a loop hop).

        Raises:
            SeriesError: The client was closed.
        """
        if self.client.closed:
            raise SeriesError("client is closed: create a new SeriesClient")

    def close(self) -> None:
        """Close this owner's async client in this process (idempotent).

        A derived client only stops making calls: the shared session stays open.
        """
        client = self.client
        if client.closed:
            return
        try:
            runtime.run(client.aclose)
        finally:
            if self._parent is None:
                runtime.unregister(client)
