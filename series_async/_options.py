"""What every call of a client runs under, as one immutable value.

A client holds one :class:`RequestOptions`; ``with_options`` makes a client
holding another. The pipeline reads nothing else to decide how a call is sent:
the timeout of an attempt, the retry policy, the key (design §10 adds more).
"""

from __future__ import annotations

import os

import attrs

from ._errors import SeriesError, ValidationError
from ._retry import RetryPolicy
from ._types import UNSET, Timeout, Unset
from ._validation import show

__all__ = ["RequestOptions", "check_api_key", "check_timeout", "resolve_policy"]


def check_api_key(api_key: str | None) -> str:
    """The key given, or ``$SERIES_API_KEY``: a non-empty, sendable header value."""
    key = api_key if api_key is not None else os.environ.get("SERIES_API_KEY") or None
    if key is None:
        raise SeriesError(
            "no API key: pass api_key=... to SeriesClient or set the SERIES_API_KEY "
            "environment variable"
        )
    if not isinstance(key, str) or not key.strip():
        raise ValidationError("api_key", "must be a non-empty string")
    if any(ch.isspace() or not ch.isprintable() for ch in key):
        raise ValidationError("api_key", "must not contain whitespace or control characters")
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        # Not check_encodable: its message would quote a character of the key.
        raise ValidationError("api_key", "contains a lone surrogate: not sendable") from None
    return key


def check_timeout(timeout: float | Timeout | None) -> Timeout:
    """The :class:`Timeout` for a ``timeout=`` argument (seconds or a ``Timeout``)."""
    if timeout is None:
        raise ValidationError(
            "timeout",
            "None would let a call wait forever. Pass seconds (e.g. timeout=30), or "
            "timeout=Timeout(total=None, connect=None, read=None) to disable timeouts on purpose",
        )
    if isinstance(timeout, Timeout):
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise ValidationError("timeout", f"must be seconds or a Timeout, got {show(timeout)}")
    return Timeout(total=timeout, connect=timeout, read=timeout)


def _check_policy(retry: object) -> RetryPolicy:
    if not isinstance(retry, RetryPolicy):
        raise ValidationError("retry", f"must be a RetryPolicy, got {type(retry).__name__}")
    return retry


def resolve_policy(max_retries: int | Unset, retry: RetryPolicy | Unset | None) -> RetryPolicy:
    """The policy for ``max_retries=`` and ``retry=`` given together (constructor rules).

    ``retry`` wins; ``max_retries`` may only repeat its ``max_retries`` (or be
    left at its default of 2 by the constructor).
    """
    if retry is None or retry is UNSET:
        return RetryPolicy() if max_retries is UNSET else RetryPolicy(max_retries=max_retries)
    policy = _check_policy(retry)
    if max_retries not in (UNSET, 2, policy.max_retries):
        raise ValidationError(
            "max_retries", "conflicts with retry=RetryPolicy(...): set max_retries in the policy"
        )
    return policy


@attrs.frozen(kw_only=True)
class RequestOptions:
    """The options every call of one client runs under.

    Attributes:
        api_key: The key sent in the ``apikey`` header (and checked by ``keys.check()``).
        timeout: The limits of one attempt.
        retry: The retry policy of the whole call.
    """

    api_key: str
    timeout: Timeout
    retry: RetryPolicy

    def replace(
        self,
        *,
        api_key: str | Unset = UNSET,
        timeout: float | Timeout | Unset = UNSET,
        max_retries: int | Unset = UNSET,
        retry: RetryPolicy | Unset = UNSET,
    ) -> RequestOptions:
        """These options with the given ones replaced (``with_options`` rules).

        ``max_retries`` alone keeps the rest of the policy; with ``retry`` it
        must agree with it.
        """
        policy = self.retry if retry is UNSET else _check_policy(retry)
        if max_retries is not UNSET:
            if retry is not UNSET and max_retries != policy.max_retries:
                raise ValidationError(
                    "max_retries",
                    "conflicts with retry=RetryPolicy(...): set max_retries in the policy",
                )
            policy = attrs.evolve(policy, max_retries=max_retries)
        if api_key is not UNSET and not isinstance(api_key, str):
            # None would mean "from the environment" to the constructor: not here.
            raise ValidationError("api_key", f"must be a string, got {type(api_key).__name__}")
        return RequestOptions(
            api_key=self.api_key if api_key is UNSET else check_api_key(api_key),
            timeout=self.timeout if timeout is UNSET else check_timeout(timeout),
            retry=policy,
        )
