"""Small shared types: the ``UNSET`` sentinel and the ``Timeout`` value."""

from __future__ import annotations

import enum
import math
from typing import Final, Literal

import attrs

__all__ = ["UNSET", "Timeout", "Unset"]


class Unset(enum.Enum):
    """The type of :data:`UNSET`: "this argument was not given".

    A single-member enum, so type checkers narrow ``x: str | Unset`` after
    ``if x is UNSET``. Distinct from ``None``, which can be a meaningful value.
    """

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> Literal[False]:
        return False


UNSET: Final = Unset.UNSET
"""The "not given" sentinel: the default of arguments that may be left out."""


def _check_seconds(name: str, value: float | None) -> None:
    from ._errors import ValidationError
    from ._validation import show

    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(name, f"must be a number of seconds or None, got {show(value)}")
    try:
        infinite = math.isinf(value)
    except OverflowError:  # an int beyond float's range
        infinite = True
    if infinite:
        # aiohttp cannot schedule an infinite deadline (bare OverflowError on every call).
        raise ValidationError(name, "must be a finite number of seconds; None means no limit")
    if math.isnan(value) or value <= 0:
        raise ValidationError(name, f"must be > 0 seconds, got {show(value)}")


@attrs.frozen(kw_only=True)
class Timeout:
    """Per-attempt time limits, in seconds.

    Each HTTP attempt is bounded by these limits; the whole call, retries and
    sleeps included, is bounded by :attr:`RetryPolicy.total_timeout`.

    Attributes:
        total: Limit for one attempt, from connecting to the last body byte.
        connect: Limit for getting a connection (pool wait plus TCP/TLS connect).
        read: Limit between two reads from the socket.

    A ``None`` field means "no limit for that phase". To disable every limit on
    purpose, pass ``Timeout(total=None, connect=None, read=None)``.
    """

    total: float | None = 60.0
    connect: float | None = 10.0
    read: float | None = 30.0

    def __attrs_post_init__(self) -> None:
        _check_seconds("timeout.total", self.total)
        _check_seconds("timeout.connect", self.connect)
        _check_seconds("timeout.read", self.read)
