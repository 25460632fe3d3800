"""The retry policy (public) and the tenacity loop that applies it to one call."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from typing import TypeVar

import attrs
import tenacity

from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    RateLimitError,
    SeriesError,
    UnexpectedResponseError,
    ValidationError,
)
from ._validation import show

__all__ = ["RetryPolicy", "retry_after_failure", "start_deadline", "time_left"]

T = TypeVar("T")

logger = logging.getLogger("series")

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
# What is left of total_timeout below which an attempt counts as having used it up
# (a timer may fire a clock tick early).
_SPENT = 1e-3

# Indirection so tests can swap in a fake clock without touching real time.
_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


def _non_negative(name: str) -> Callable[[object, attrs.Attribute[float], float], None]:
    def check(_: object, __: attrs.Attribute[float], value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            raise ValidationError(name, f"must be a number, got {show(value)}")
        if value < 0:
            raise ValidationError(name, f"must be >= 0, got {show(value)}")

    return check


def _check_max_retries(_: object, __: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError("max_retries", f"must be an integer >= 0, got {show(value)}")


def _check_total(_: object, __: attrs.Attribute[float | None], value: float | None) -> None:
    if value is None:
        return
    _non_negative("total_timeout")(_, __, value)  # type: ignore[arg-type]
    if value == 0:
        raise ValidationError("total_timeout", "must be > 0 seconds, or None for no overall limit")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How failed calls are retried.

    Retried: HTTP 429, 500, 502, 503 and 504, connection errors and timeouts,
    and, for idempotent calls only, a 2xx whose body cannot be read at all.
    Calls that are not idempotent (create, claim/quit/remove a custom role,
    add an attendee, promote, demote) are retried only when the server provably
    did not act: on a 429, or when the connection failed before the request was
    sent. Set ``retry_non_idempotent=True`` to retry them like the others.

    Attributes:
        max_retries: Retries after the first attempt (0 disables retrying).
        initial_delay: First backoff delay in seconds; doubles each retry.
        max_delay: Cap on one backoff delay.
        jitter: Randomise each delay between 0 and its exponential value.
        max_retry_after: A ``Retry-After`` longer than this (seconds) is not
            waited for: ``RateLimitError`` is raised at once with ``retry_after`` set.
        total_timeout: Bound on the whole call, attempts and sleeps included;
            ``None`` for no overall bound (each attempt is still bounded by the
            client's ``timeout``).
        retry_non_idempotent: Also replay non-idempotent calls after a 5xx or a
            timeout. Only safe when a duplicated action is acceptable.
    """

    max_retries: int = attrs.field(default=2, validator=_check_max_retries)
    initial_delay: float = attrs.field(default=0.5, validator=_non_negative("initial_delay"))
    max_delay: float = attrs.field(default=8.0, validator=_non_negative("max_delay"))
    jitter: bool = True
    max_retry_after: float = attrs.field(default=60.0, validator=_non_negative("max_retry_after"))
    total_timeout: float | None = attrs.field(default=None, validator=_check_total)
    retry_non_idempotent: bool = False

    def should_retry(self, exc: BaseException, *, idempotent: bool) -> bool:
        """Decide whether the failure ``exc`` of a call may be retried."""
        if isinstance(exc, UnexpectedResponseError):
            # A 2xx that cannot be read (a proxy's error page, a deploy in progress)
            # is retried like a 5xx, but only when a replay is harmless: a 2xx means
            # the server acted, so retry_non_idempotent does not apply. JSON of the
            # wrong shape, or a status outside 100-599, would only come back again.
            return exc.unreadable and idempotent and 200 <= exc.status < 300
        if isinstance(exc, APIStatusError):
            if exc.status not in RETRYABLE_STATUSES:
                return False
            hint = getattr(exc, "retry_after", None)
            if hint is not None and hint > self.max_retry_after:
                return False  # asked to wait longer than we are willing to
            if isinstance(exc, RateLimitError):
                return True  # a 429 means the server did nothing: safe for every call
            return idempotent or self.retry_non_idempotent
        if isinstance(exc, APIConnectionError):
            if not getattr(exc, "_retryable", True):
                return False
            return idempotent or self.retry_non_idempotent or not getattr(exc, "_sent", True)
        return False

    def backoff(self) -> tenacity.wait.wait_base:
        """The exponential backoff (tenacity) used when no ``Retry-After`` applies."""
        if self.jitter:
            return tenacity.wait_random_exponential(
                multiplier=self.initial_delay, max=self.max_delay
            )
        return tenacity.wait_exponential(multiplier=self.initial_delay, max=self.max_delay)


def _attempt_may_have_acted(exc: BaseException | None) -> bool:
    """Whether the failed attempt ``exc`` may have reached the API and acted."""
    if isinstance(exc, UnexpectedResponseError):
        # The API said yes in words we cannot read, or answered with a status of
        # unknown meaning (outside 100-599).
        return 200 <= exc.status < 300 or not 100 <= exc.status <= 599
    if isinstance(exc, APIStatusError):
        return exc.status >= 500
    if isinstance(exc, APIConnectionError):
        return bool(getattr(exc, "_sent", True))
    if isinstance(exc, SeriesError):
        return bool(getattr(exc, "_sent", False))  # e.g. the client closed mid-call
    return False


def _status_of(exc: BaseException | None) -> str:
    if isinstance(exc, APIStatusError):
        return str(exc.status)
    if isinstance(exc, UnexpectedResponseError):
        return f"an unreadable {exc.status} answer"
    return type(exc).__name__


def start_deadline(policy: RetryPolicy) -> float | None:
    """The loop time by which the whole call must end (``total_timeout``), or ``None``."""
    if policy.total_timeout is None:
        return None
    return asyncio.get_running_loop().time() + policy.total_timeout


def time_left(deadline: float | None) -> float | None:
    """Seconds left before ``deadline``, or ``None`` without one."""
    return None if deadline is None else deadline - asyncio.get_running_loop().time()


async def retry_after_failure(
    first_failure: SeriesError,
    attempt: Callable[[float | None], Awaitable[T]],
    *,
    policy: RetryPolicy,
    idempotent: bool,
    read_only: bool,
    method: str,
    template: str,
    deadline: float | None,
) -> T:
    """Carry on after the first attempt of a call failed: retry it under ``policy``.

    The first attempt runs in the pipeline, with nothing of this module around it:
    most calls succeed at once, so the retry machinery (tenacity, the backoff, the
    ``may_have_acted`` bookkeeping) is only set up here, after a first failure.

    Sets ``may_have_acted`` on the error it raises for a call that changes
    state once any attempt of it may have reached the API without a clear answer.

    Args:
        first_failure: What the first attempt raised.
        attempt: One more try of the call; receives the seconds left before
            ``total_timeout`` (or ``None``) to bound itself.
        policy: The retry policy.
        idempotent: Whether replaying the call is harmless.
        read_only: The call changes nothing (``may_have_acted`` stays ``False``).
        method: HTTP method, for logs.
        template: Path template (never the real path: it may hold the key), for logs.
        deadline: From :func:`start_deadline`, taken before the first attempt.

    Returns:
        The first successful attempt's result.

    Raises:
        SeriesError: The last failure, or ``APITimeoutError`` when ``total_timeout``
            runs out.
    """
    if read_only:
        return await _run(
            first_failure, attempt, policy, idempotent, method, template, deadline, acted=None
        )
    acted: list[bool] = [False]
    try:
        return await _run(
            first_failure, attempt, policy, idempotent, method, template, deadline, acted=acted
        )
    except SeriesError as exc:
        # Sticky over the whole call: once an attempt may have acted, whatever
        # ends the call (a 4xx echo of that success, a later timeout, a closed
        # client) leaves the caller unsure, and must say so.
        if acted[0] or _attempt_may_have_acted(exc):
            exc.may_have_acted = True
        raise


async def _run(
    first: SeriesError,
    attempt: Callable[[float | None], Awaitable[T]],
    policy: RetryPolicy,
    idempotent: bool,
    method: str,
    template: str,
    deadline: float | None,
    *,
    acted: list[bool] | None,
) -> T:
    """The retry loop; records in ``acted[0]`` whether an attempt may have acted."""
    if policy.max_retries == 0 or not policy.should_retry(first, idempotent=idempotent):
        raise first
    first_failure: SeriesError | None = first
    loop = asyncio.get_running_loop()

    def remaining() -> float | None:
        return None if deadline is None else deadline - loop.time()

    backoff = policy.backoff()

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hint = getattr(exc, "retry_after", None)
        if hint is not None:
            return max(0.0, float(hint))
        return float(backoff(state))

    async def before_sleep(state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        delay = state.upcoming_sleep
        left = remaining()
        if left is not None and left <= _SPENT:
            # The attempt itself used the budget up: no wait is to blame.
            said = f" ({exc.message})" if isinstance(exc, SeriesError) else ""
            raise APITimeoutError(
                f"total_timeout of {policy.total_timeout}s ran out during attempt "
                f"{state.attempt_number}{said}",
                method=method,
                url=template,
            ) from exc
        if left is not None and delay >= left:
            if isinstance(exc, RateLimitError) or (
                isinstance(exc, SeriesError) and getattr(exc, "retry_after", None) is not None
            ):
                # The API said how long to wait (or that we are rate limited) and
                # that wait does not fit the budget: its own error, retry_after
                # included, tells the caller more than a timeout would.
                raise exc
            raise APITimeoutError(
                f"total_timeout of {policy.total_timeout}s would run out during the "
                f"{delay:.2f}s wait before retry {state.attempt_number}",
                method=method,
                url=template,
            ) from exc
        logger.info(
            "Retrying %s %s after %s: attempt %d of %d in %.2fs",
            method,
            template,
            _status_of(exc),
            state.attempt_number + 1,
            policy.max_retries + 1,
            delay,
        )

    async def sleep(seconds: float) -> None:
        await _sleep(seconds)

    if acted is not None and _attempt_may_have_acted(first_failure):
        acted[0] = True

    async def replay_then_attempt() -> T:
        nonlocal first_failure
        if first_failure is not None:
            failure, first_failure = first_failure, None
            raise failure
        try:
            return await attempt(remaining())
        except SeriesError as exc:
            if acted is not None and _attempt_may_have_acted(exc):
                acted[0] = True
            raise

    retrying = tenacity.AsyncRetrying(
        stop=tenacity.stop_after_attempt(policy.max_retries + 1),
        wait=wait,
        retry=tenacity.retry_if_exception(lambda e: policy.should_retry(e, idempotent=idempotent)),
        before_sleep=before_sleep,
        sleep=sleep,
        reraise=True,
    )
    return await retrying(replay_then_attempt)
