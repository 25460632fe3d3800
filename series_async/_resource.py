"""The tiny base every API group (``sessions``, ``attendance``...) is built on."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from ._converter import fold_key
from ._pipeline import Call

if TYPE_CHECKING:
    from ._client import SeriesClient

__all__ = ["Resource", "fill_missing"]

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


class Resource:
    """Base of the API groups: holds the client whose pipeline sends the calls."""

    def __init__(self, client: SeriesClient) -> None:
        self._client = client

    def _call(self, call: Call[T]) -> Coroutine[Any, Any, T]:
        """Check the client may call now; return the pipeline's coroutine for ``call``.

        Not a coroutine itself: the method awaiting it awaits the pipeline directly,
        one coroutine frame fewer on every call.
        """
        client = self._client
        client._bind()
        return client._pipeline.run(call)
