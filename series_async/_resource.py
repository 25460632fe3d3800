"""The tiny base every API group (``sessions``, ``attendance``...) is built on."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeVar

from ._converter import fold_key
from ._options import RequestOptions
from ._pipeline import Call

__all__ = ["Requester", "Resource", "fill_missing"]

T = TypeVar("T")


def fill_missing(**defaults: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Return a ``Call.prepare`` that adds request-known fields the answer left out.

    Keys are compared with the converter's ``fold_key``.
    """

    def prepare(data: dict[str, Any]) -> dict[str, Any]:
        present = {fold_key(k) for k in data}
        missing = {k: v for k, v in defaults.items() if fold_key(k) not in present}
        return {**data, **missing} if missing else data

    return prepare


class Requester(Protocol):
    """What a resource needs from its client: the options, and a way to send a call."""

    @property
    def options(self) -> RequestOptions:
        """The options the client's calls run under."""
        ...

    def request(self, call: Call[T], /) -> Coroutine[Any, Any, T]:
        """Check the client may call now; return the coroutine that runs ``call``."""
        ...


class Resource:
    """Base of the API groups: sends its calls through the client's :class:`Requester`."""

    def __init__(self, requester: Requester) -> None:
        self._requester = requester

    def _call(self, call: Call[T]) -> Coroutine[Any, Any, T]:
        """Return the coroutine that runs ``call`` (refused at once if the client is closed)."""
        return self._requester.request(call)
