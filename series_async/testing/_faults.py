"""Fault injection: what can go wrong, where, how often, reproducibly.

A :class:`FaultPlan` is a list of :class:`FaultRule`. For every request the
injector draws exactly one number from a ``random.Random(seed)`` and walks the
rules that match the request's route, adding up their probabilities; the first
rule whose share contains the number fires. One draw per request, always, so
the same seed and the same request sequence give the same faults. Faults
queued with :meth:`FaultInjector.force` fire first, deterministically.

Faults act at the HTTP layer, before authentication, like a proxy or a
crashing worker would. Some fire *before* the endpoint logic runs (the change
is not applied), others *after* it (the change is applied, the caller cannot
tell): see :attr:`FaultKind.after_apply`.
"""

from __future__ import annotations

import enum
import random
import threading
from collections.abc import Iterable

import attrs

__all__ = ["ROUTES", "FaultInjector", "FaultKind", "FaultPlan", "FaultRule"]

ROUTES = (
    "keys.check",
    "sessions.create",
    "sessions.get",
    "sessions.list",
    "sessions.update",
    "sessions.claim_custom_role",
    "sessions.quit_custom_role",
    "sessions.remove_custom_role",
    "attendance.add_attendee",
    "attendance.update_attendee",
    "ranking.promote",
    "ranking.demote",
    "ranking.set_rank",
)
"""Route names, the SDK's method names: what :attr:`FaultRule.routes` refers to."""


class FaultKind(str, enum.Enum):
    """One kind of injected failure."""

    RATE_LIMIT = "rate_limit"
    """429 with ``Retry-After`` and the documented error body. Not applied."""
    HTTP_500 = "http_500"
    """500 with the documented JSON error body. Not applied."""
    HTTP_502 = "http_502"
    """502 with an HTML body, as a gateway sends it. Not applied."""
    HTTP_503 = "http_503"
    """503 with an HTML body and ``Retry-After``. Not applied."""
    DELAY = "delay"
    """Sleep ``delay`` seconds, then answer normally. Applied."""
    DROP_BEFORE = "drop_before"
    """Close the connection without answering. Not applied."""
    DROP_AFTER = "drop_after"
    """Apply the change, then close the connection without answering."""
    TRUNCATED_BODY = "truncated_body"
    """Apply the change, send half the body under the full Content-Length, close."""
    NON_JSON_BODY = "non_json_body"
    """Apply the change, answer its real status with an HTML body."""

    @property
    def after_apply(self) -> bool:
        """Whether the endpoint logic runs (and its change sticks) under this fault."""
        return self in _AFTER


_AFTER = frozenset(
    {FaultKind.DELAY, FaultKind.DROP_AFTER, FaultKind.TRUNCATED_BODY, FaultKind.NON_JSON_BODY}
)


def _probability(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value!r}")


def _non_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value!r}")


def _known_routes(_: object, attribute: attrs.Attribute[frozenset[str]], value: object) -> None:
    assert isinstance(value, frozenset)
    unknown = sorted(str(r) for r in value if r not in ROUTES)
    if unknown:
        raise ValueError(f"unknown route(s) {unknown}; known routes: {', '.join(ROUTES)}")


def _routes(value: Iterable[str] | str | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    return frozenset([value]) if isinstance(value, str) else frozenset(value)


@attrs.frozen(kw_only=True)
class FaultRule:
    """Inject ``kind`` into a share of the requests.

    Args:
        kind: What goes wrong (a :class:`FaultKind` or its string value).
        probability: Share of matching requests hit, 0 to 1.
        routes: Route names (see :data:`ROUTES`) the rule applies to; empty
            means every route.
        retry_after: Seconds sent in ``Retry-After`` by ``RATE_LIMIT`` and
            ``HTTP_503``. Whole numbers are sent as integers; fractions are
            sent as written (not standard HTTP, handy for fast tests).
        delay: Seconds ``DELAY`` sleeps before answering.
    """

    kind: FaultKind = attrs.field(converter=FaultKind)
    probability: float = attrs.field(default=1.0, converter=float, validator=_probability)
    routes: frozenset[str] = attrs.field(
        factory=frozenset, converter=_routes, validator=_known_routes
    )
    retry_after: float = attrs.field(default=1.0, converter=float, validator=_non_negative)
    delay: float = attrs.field(default=0.05, converter=float, validator=_non_negative)

    def matches(self, route: str | None) -> bool:
        """Whether the rule applies to ``route`` (``None``: an unknown path)."""
        return not self.routes or route in self.routes


def _as_rules(value: Iterable[FaultRule]) -> tuple[FaultRule, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class FaultPlan:
    """A set of fault rules; the probabilities matching any one route add up to <= 1."""

    rules: tuple[FaultRule, ...] = attrs.field(default=(), converter=_as_rules)

    def __attrs_post_init__(self) -> None:
        for route in ROUTES:
            total = sum(r.probability for r in self.rules if r.matches(route))
            if total > 1.0 + 1e-9:
                raise ValueError(f"fault probabilities for route {route} add up to {total:g} > 1")

    @classmethod
    def uniform(
        cls,
        rate: float,
        kinds: Iterable[FaultKind | str] = tuple(FaultKind),
        *,
        routes: Iterable[str] | str | None = None,
        retry_after: float = 1.0,
        delay: float = 0.05,
    ) -> FaultPlan:
        """Spread ``rate`` evenly over ``kinds`` (default: every kind).

        Example: ``FaultPlan.uniform(0.2, retry_after=0)`` hits 20 % of the
        requests, each kind equally often.
        """
        chosen = [FaultKind(k) for k in kinds]
        if not chosen:
            raise ValueError("kinds must not be empty")
        share = rate / len(chosen)
        return cls(
            rules=tuple(
                FaultRule(
                    kind=k,
                    probability=share,
                    routes=_routes(routes),
                    retry_after=retry_after,
                    delay=delay,
                )
                for k in chosen
            )
        )


@attrs.define
class _Forced:
    rule: FaultRule
    remaining: int


class FaultInjector:
    """Decides, request by request, which fault (if any) to inject."""

    def __init__(self, plan: FaultPlan | None = None, seed: int | None = None) -> None:
        self.plan = plan or FaultPlan()
        self._rng = random.Random(seed)
        self._forced: list[_Forced] = []
        self._lock = threading.Lock()

    def force(self, rule: FaultRule, times: int = 1) -> None:
        """Queue ``rule`` to fire on the next ``times`` matching requests."""
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._forced.append(_Forced(rule, times))

    def clear(self) -> None:
        """Drop every forced fault still queued."""
        with self._lock:
            self._forced.clear()

    def pick(self, route: str | None) -> FaultRule | None:
        """Return the fault for the next request on ``route``, or ``None``."""
        with self._lock:
            draw = self._rng.random()  # always drawn: keeps the sequence reproducible
            for entry in self._forced:
                if entry.rule.matches(route):
                    entry.remaining -= 1
                    if entry.remaining == 0:
                        self._forced.remove(entry)
                    return entry.rule
            edge = 0.0
            for rule in self.plan.rules:
                if rule.matches(route):
                    edge += rule.probability
                    if draw < edge:
                        return rule
            return None
