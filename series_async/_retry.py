"""The retry policy (public), the rules of one call's tenacity loop, and ``fast_retries``."""

from __future__ import annotations

import asyncio
import logging
import math
import threading
from collections.abc import Callable

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

__all__ = [
    "RetryPolicy",
    "fast_retries",
    "may_have_acted",
    "retrying",
    "start_deadline",
    "time_left",
]

logger = logging.getLogger("series")

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
# What is left of total_timeout below which an attempt counts as having used it up
# (a timer may fire a clock tick early).
_SPENT = 1e-3


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
        """Decide whether the failed attempt ``exc`` of a call may be retried.

        Reads only what the error declares where it was made: the status and
        the server's ``retry_after`` (status translation), whether a body was
        ``unreadable`` (decoding), whether the request was ``sent`` and whether
        another attempt could go differently (transport).
        """
        if isinstance(exc, UnexpectedResponseError):
            # A 2xx that cannot be read (a proxy's error page, a deploy in progress)
            # is retried like a 5xx, but only when a replay is harmless: a 2xx means
            # the server acted, so retry_non_idempotent does not apply. JSON of the
            # wrong shape, or a status outside 100-599, would only come back again.
            return exc.unreadable and idempotent and 200 <= exc.status < 300
        if isinstance(exc, APIStatusError):
            if exc.status not in RETRYABLE_STATUSES:
                return False
            if exc.retry_after is not None and exc.retry_after > self.max_retry_after:
                return False  # asked to wait longer than we are willing to
            if isinstance(exc, RateLimitError):
                return True  # a 429 means the server did nothing: safe for every call
            return idempotent or self.retry_non_idempotent
        if isinstance(exc, APIConnectionError):
            if not exc.retryable:
                return False
            return idempotent or self.retry_non_idempotent or not exc.sent
        return False

    def backoff(self) -> tenacity.wait.wait_base:
        """The exponential backoff (tenacity) used when no ``Retry-After`` applies."""
        if self.jitter:
            return tenacity.wait_random_exponential(
                multiplier=self.initial_delay, max=self.max_delay
            )
        return tenacity.wait_exponential(multiplier=self.initial_delay, max=self.max_delay)


def may_have_acted(exc: BaseException) -> bool:
    """Whether the failed attempt ``exc`` may have reached the API and acted."""
    if isinstance(exc, UnexpectedResponseError):
        # The API said yes in words we cannot read, or answered with a status of
        # unknown meaning (outside 100-599).
        return 200 <= exc.status < 300 or not 100 <= exc.status <= 599
    if isinstance(exc, APIStatusError):
        return exc.status >= 500
    if isinstance(exc, APIConnectionError):
        return exc.sent
    return False


def _status_of(exc: BaseException | None) -> str:
    if isinstance(exc, APIStatusError):
        return str(exc.status)
    if isinstance(exc, UnexpectedResponseError):
        return f"an unreadable {exc.status} answer"
    return type(exc).__name__


def _sent(exc: BaseException | None) -> bool:
    """Whether the attempt that failed with ``exc`` may have reached the API."""
    return not isinstance(exc, APIConnectionError) or exc.sent


def start_deadline(policy: RetryPolicy) -> float | None:
    """The loop time by which the whole call must end (``total_timeout``), or ``None``."""
    if policy.total_timeout is None:
        return None
    return asyncio.get_running_loop().time() + policy.total_timeout


def time_left(deadline: float | None) -> float | None:
    """Seconds left before ``deadline``, or ``None`` without one."""
    return None if deadline is None else deadline - asyncio.get_running_loop().time()


def retrying(
    policy: RetryPolicy,
    *,
    idempotent: bool,
    method: str,
    template: str,
    deadline: float | None,
    on_retry: Callable[[int, float, BaseException | None], None] | None = None,
) -> tenacity.AsyncRetrying:
    """The tenacity loop of one call: stop, wait, retry and before-sleep rules.

    Args:
        policy: The retry policy.
        idempotent: Whether replaying the call is harmless.
        method: HTTP method, for logs.
        template: Path template (never the real path: it may hold the key), for logs.
        deadline: From :func:`start_deadline`, taken before the first attempt.
        on_retry: Told of each retry once decided: the failed attempt's number
            (from 1), the wait decided before the next one, and its error.
    """
    backoff = policy.backoff()

    def wait(state: tenacity.RetryCallState) -> float:
        # The server's own Retry-After wins over the policy's backoff.
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, APIStatusError) and exc.retry_after is not None:
            return exc.retry_after
        return float(backoff(state))

    def before_sleep(state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        delay = state.upcoming_sleep
        left = time_left(deadline)
        if left is not None and left <= _SPENT:
            # The attempt itself used the budget up: no wait is to blame.
            said = f" ({exc.message})" if isinstance(exc, SeriesError) else ""
            raise APITimeoutError(
                f"total_timeout of {policy.total_timeout}s ran out during attempt "
                f"{state.attempt_number}{said}",
                method=method,
                url=template,
                sent=_sent(exc),
            ) from exc
        if left is not None and delay >= left:
            if isinstance(exc, APIStatusError) and (
                isinstance(exc, RateLimitError) or exc.retry_after is not None
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
                sent=_sent(exc),  # as far as the attempt that failed got
            ) from exc
        logger.info(
            "Retrying %s %s after %s: attempt %d of %d in %.2fs",
            method,
            template,
            _status_of(exc),
            state.attempt_number + 1,
            policy.max_retries + 1,
            delay,
            extra={"series_attempt": state.attempt_number, "series_wait_s": delay},
        )
        if on_retry is not None:
            on_retry(state.attempt_number, delay, exc)

    return tenacity.AsyncRetrying(
        stop=tenacity.stop_after_attempt(policy.max_retries + 1),
        wait=wait,
        retry=tenacity.retry_if_exception(lambda e: policy.should_retry(e, idempotent=idempotent)),
        before_sleep=before_sleep,
        sleep=_sleep,
        reraise=True,
    )


# How many fast_retries() blocks are open, in any thread.
_fast_blocks = 0
_fast_lock = threading.Lock()


async def _sleep(seconds: float) -> None:
    """The wait before a retry: ``seconds``, or none while :func:`fast_retries` is on."""
    await asyncio.sleep(0 if _fast_blocks else seconds)


class fast_retries:  # a class named like a function, as contextlib.suppress
    """Make every retry wait of every client last 0 s while the block is open.

    A context manager for sync and async code (``with`` or ``async with``),
    nestable, and process-wide: while any block is open, in any thread, every
    client's waits (backoff and ``Retry-After`` alike) are skipped, the sync
    twin's loop thread included. The number, order and rules of attempts are
    unchanged, and every decision and log line still uses the wait that would
    have applied (a ``Retry-After`` above ``max_retry_after``, or one that does
    not fit ``total_timeout``, still raises at once).

    ::

        with fast_retries():
            client.sessions.get(sid)  # an injected 503 is retried at once
    """

    def __enter__(self) -> None:
        global _fast_blocks  # noqa: PLW0603 - the process-wide switch is the point
        with _fast_lock:
            _fast_blocks += 1

    def __exit__(self, *exc_info: object) -> None:
        global _fast_blocks  # noqa: PLW0603
        with _fast_lock:
            _fast_blocks -= 1

    async def __aenter__(self) -> None:
        self.__enter__()

    async def __aexit__(self, *exc_info: object) -> None:
        self.__exit__()
