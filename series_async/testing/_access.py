"""API keys: header authentication, the per-key rate limit, and check-key.

The rate limit is a fixed window per key: ``rate_limit`` requests per
``rate_limit_window`` seconds, then 429 with ``Retry-After`` until the window
ends. check-key neither counts against the quota nor is refused by it, so it
can always report the quota left.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from datetime import timedelta

from series_async.testing._config import ApiKeyConfig
from series_async.testing._state import Store
from series_async.testing._wire import ApiError, Reply, format_time

__all__ = ["RateLimited", "authenticate", "check_key", "consume_quota", "touch"]


class RateLimited(ApiError):
    """The 429 of the per-key rate limit, with the seconds to wait."""

    def __init__(self, retry_after: int, limit: int, window: float) -> None:
        super().__init__(
            429, f"Rate limit exceeded: {limit} requests per {window:g} seconds for this API key"
        )
        self.retry_after = retry_after


def authenticate(store: Store, headers: Mapping[str, str]) -> ApiKeyConfig:
    """Return the key of a request, from ``apikey`` or else ``x-api-key``.

    Raises:
        ApiError: 401 when the header is missing, the key unknown or inactive.
    """
    key = headers.get("apikey") or headers.get("x-api-key")
    if not key:
        raise ApiError(401, "Missing API key: send it in the apikey or x-api-key header")
    config = store.keys.get(key)
    if config is None:
        raise ApiError(401, "Invalid API key")
    if not config.active:
        raise ApiError(401, "API key is inactive")
    return config


def _window(store: Store, key: ApiKeyConfig, now: float) -> tuple[float, int]:
    start, count = store.windows.get(key.key, (now, 0))
    if now - start >= key.rate_limit_window:
        start, count = now, 0
    return start, count


def consume_quota(store: Store, key: ApiKeyConfig) -> None:
    """Count one request against the key's window.

    Raises:
        RateLimited: The window's quota is used up.
    """
    if key.rate_limit is None:
        return
    now = time.monotonic()
    start, count = _window(store, key, now)
    if count >= key.rate_limit:
        wait = math.ceil(start + key.rate_limit_window - now)
        raise RateLimited(max(wait, 1), key.rate_limit, key.rate_limit_window)
    store.windows[key.key] = (start, count + 1)


def touch(store: Store, key: str) -> None:
    """Record that ``key`` was just used (check-key reports it as ``lastUsed``)."""
    store.last_used[key] = store.now()


def check_key(store: Store, key: str) -> Reply:
    """GET /basic/check-key/{apiKey}: always 200; ``valid: false`` if unusable."""
    config = store.keys.get(key)
    if config is None or not config.active:
        return Reply(
            200,
            {"valid": False, "status": "inactive", "message": "API key is inactive or invalid"},
        )
    last = store.last_used.get(key)
    remaining: int | None = None
    reset: str | None = None
    if config.rate_limit is not None:
        now = time.monotonic()
        start, count = _window(store, config, now)
        remaining = config.rate_limit - count
        left = start + config.rate_limit_window - now
        reset = format_time(store.now() + timedelta(seconds=left))
    touch(store, key)
    return Reply(
        200,
        {
            "valid": True,
            "workspaceId": store.workspace_id,
            "workspaceName": store.config.workspace.name,
            "status": "active",
            "createdAt": format_time(store.started_at),
            "lastUsed": None if last is None else format_time(last),
            "rateLimitRemaining": remaining,
            "rateLimitReset": reset,
        },
    )
