"""The tiny base every API group (``sessions``, ``attendance``...) is built on."""

from __future__ import annotations

from collections.abc import Callable
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

    async def _call(self, call: Call[T]) -> T:
        return await self._client._request(call)
