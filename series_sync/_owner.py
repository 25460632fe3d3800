"""The async client behind one sync client, and the handles the wrappers call through.

Each sync client owns one async client (so one aiohttp session) on the
private loop. After ``os.fork()`` the child's first call builds a fresh async
client from the same arguments; the inherited one is left untouched for good.
When the sync client is garbage-collected without ``close()``, its async
client is closed in the background; anything still open at exit is closed by
the runtime.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Sequence
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar

import attrs

from . import _runtime as runtime
from ._paging import iterate_in_pages

__all__ = ["AsyncClient", "ClientOwner", "Handle"]

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")


class AsyncClient(runtime.AsyncClosable, Protocol):
    """What an owner needs from the async client it wraps."""

    @property
    def closed(self) -> bool:
        """Whether the client was closed."""

    def _set_flavor(self, flavor: str) -> None:
        """Name the driver (``"sync"``) in the User-Agent."""


C = TypeVar("C", bound=AsyncClient)


@attrs.define(eq=False)
class _Slot(Generic[C]):
    """The async client in use and the process it belongs to."""

    client: C
    pid: int


def _release(slot: _Slot[Any]) -> None:
    """Finalizer of a garbage-collected owner: close its client, never block."""
    client = slot.client
    if slot.pid != os.getpid():
        return  # inherited across fork: not ours to close
    if client.closed:
        runtime.unregister(client)
    else:
        runtime.close_soon(client)


class ClientOwner(Generic[C]):
    """Owns the async client of one sync client, one per process.

    Args:
        create: Builds a configured async client. Called once here, so invalid
            arguments raise in the caller's thread, and again in a forked child.
    """

    def __init__(self, create: Callable[[], C]) -> None:
        self._create = create
        client = create()
        self._slot = _Slot(client, os.getpid())
        runtime.register(client)
        finalizer = weakref.finalize(self, _release, self._slot)
        finalizer.atexit = False  # the runtime closes what is left at exit

    @classmethod
    def start(
        cls, client_class: Callable[P, C], /, *args: P.args, **kwargs: P.kwargs
    ) -> ClientOwner[C]:
        """Own ``client_class(*args, **kwargs)``, marked as driven by series_sync."""

        def create() -> C:
            client = client_class(*args, **kwargs)
            client._set_flavor("sync")
            return client

        return cls(create)

    @property
    def client(self) -> C:
        """The async client of the current process."""
        slot = self._slot
        if slot.pid == os.getpid():
            return slot.client
        with runtime.process_lock():
            if slot.pid != os.getpid():
                inherited = slot.client
                runtime.keep_forever(inherited)
                if not inherited.closed:
                    # A closed one is kept: it refuses calls without touching anything.
                    fresh = self._create()
                    runtime.register(fresh)
                    slot.client = fresh
                slot.pid = os.getpid()
            return slot.client

    def derive(
        self, method: Callable[Concatenate[C, P], C], /, *args: P.args, **kwargs: P.kwargs
    ) -> ClientOwner[C]:
        """An owner of ``method(client, ...)``, e.g. ``SeriesClient.with_options``.

        The derived async client shares this one's session and lifetime, so the
        derived owner registers nothing and has nothing to close at exit.
        """
        return _DerivedOwner(self, lambda client: method(client, *args, **kwargs))

    def bind(self, get: Callable[[C], R]) -> Handle[R]:
        """Return a handle on ``get(client)``, e.g. ``lambda client: client.sessions``."""
        return Handle(lambda: get(self.client))

    def close(self) -> None:
        """Close the async client of this process (idempotent)."""
        client = self.client
        if client.closed:
            return
        try:
            runtime.run(client.aclose)
        finally:
            runtime.unregister(client)


class _DerivedOwner(ClientOwner[C]):
    """Owns a client derived from another owner's client (``with_options``).

    Its async client is rebuilt from the parent's only when the parent's was
    replaced (in a forked child); closing it closes nothing shared.
    """

    def __init__(self, parent: ClientOwner[C], make: Callable[[C], C]) -> None:
        # No super().__init__(): nothing to create, register or finalize here.
        self._parent = parent
        self._make = make
        base = parent.client
        self._derived = (base, make(base))  # invalid options raise in the caller's thread

    @property
    def client(self) -> C:
        """The derived async client of the current process."""
        base, derived = self._derived
        current = self._parent.client
        if current is not base:
            with runtime.process_lock():
                base, derived = self._derived
                if current is not base:
                    derived = self._make(current)
                    self._derived = (current, derived)
        return derived

    def close(self) -> None:
        """Stop this derived client (the shared session stays open; idempotent)."""
        client = self.client
        if not client.closed:
            runtime.run(client.aclose)


class Handle(Generic[R]):
    """Reaches one async object (the client or a resource) from sync code.

    Args:
        target: Returns the async object for the current process.
    """

    def __init__(self, target: Callable[[], R]) -> None:
        self._target = target

    @property
    def target(self) -> R:
        """The async object, for the current process."""
        return self._target()

    def call(
        self,
        method: Callable[Concatenate[R, P], Coroutine[Any, Any, T]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``method(target, *args, **kwargs)`` on the loop and return its result."""
        return runtime.run(lambda: method(self._target(), *args, **kwargs))

    def iterate(
        self,
        pages: Callable[Concatenate[R, P], AsyncIterator[Sequence[T]]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Iterator[T]:
        """Walk the pages of ``pages(target, *args, **kwargs)``, one loop hop per page."""
        return iterate_in_pages(lambda: pages(self._target(), *args, **kwargs))
