"""series_sync: the synchronous twin of ``series_async``, for scripts, cron jobs and notebooks.

``from series_sync import SeriesClient`` gives the same client with the same
methods, minus ``await``. The wrappers are generated from ``series_async`` by
``scripts/gen_sync.py``; each call runs on a private event loop in a daemon
thread. Errors, models, ``UNSET``, ``RetryPolicy`` and ``Timeout`` are the very
same objects as in ``series_async``, so ``except series_async.NotFoundError``
catches what ``series_sync`` raises.
"""

from series_async import (
    DEFAULT_BASE_URL,
    UNSET,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    Attendee,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    CreatedSession,
    CustomRole,
    InternalServerError,
    KeyInfo,
    NotFoundError,
    PermissionDeniedError,
    RankChange,
    RateLimitError,
    RetryPolicy,
    RoleAssignment,
    RolePermissions,
    RoleSlots,
    SeriesError,
    Session,
    SessionPage,
    SessionStatus,
    SlotState,
    Timeout,
    UnexpectedResponseError,
    Unset,
    UnsetType,
    UpdatedSession,
    ValidationError,
    __version__,
)

from ._generated_client import SeriesClient
from ._runtime import SyncInAsyncContextWarning

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "Attendee",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "CreatedSession",
    "CustomRole",
    "DEFAULT_BASE_URL",
    "InternalServerError",
    "KeyInfo",
    "NotFoundError",
    "PermissionDeniedError",
    "RankChange",
    "RateLimitError",
    "RetryPolicy",
    "RoleAssignment",
    "RolePermissions",
    "RoleSlots",
    "SeriesClient",
    "SeriesError",
    "Session",
    "SessionPage",
    "SessionStatus",
    "SlotState",
    "SyncInAsyncContextWarning",
    "Timeout",
    "UNSET",
    "UnexpectedResponseError",
    "Unset",
    "UnsetType",
    "UpdatedSession",
    "ValidationError",
    "__version__",
]

# series_sync's own classes report the package as their module (the shared
# errors and models keep reporting series_async, where they come from).
SeriesClient.__module__ = __name__
SyncInAsyncContextWarning.__module__ = __name__
