"""series_sync: the synchronous twin of ``series_async``, for scripts, cron jobs and notebooks.

``from series_sync import SeriesClient`` gives the same client with the same
methods, minus ``await``. The wrappers are generated from ``series_async`` by
``scripts/gen_sync.py``; each call runs on a private event loop in a daemon
thread. Errors, models, ``UNSET``, ``RetryPolicy`` and ``Timeout`` are the very
same objects as in ``series_async``, so ``except series_async.NotFoundError``
catches what ``series_sync`` raises.

The names are resolved on first use (PEP 562): ``import series_sync`` alone
costs next to nothing, so the ``series`` command line, which lives in this
package, can print its help without loading aiohttp. The first attribute
access (``from series_sync import SeriesClient``) imports the SDK as before.
"""

from __future__ import annotations

import importlib

# Not typing.TYPE_CHECKING: importing typing would double the cost of this module.
TYPE_CHECKING = False
if TYPE_CHECKING:
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
    "UpdatedSession",
    "ValidationError",
    "__version__",
]

# Where each name lives; every other name of __all__ is series_async's own object.
# series_sync's own classes report the package as their module (the shared
# errors and models keep reporting series_async, where they come from).
_OWN = {"SeriesClient": "._generated_client", "SyncInAsyncContextWarning": "._runtime"}

if not TYPE_CHECKING:  # type checkers see the imports above, and no catch-all attribute

    def __getattr__(name: str) -> object:
        if name not in __all__:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        module = importlib.import_module(_OWN.get(name, "series_async"), __name__)
        value = getattr(module, name)
        if name in _OWN:
            value.__module__ = __name__
        globals()[name] = value  # later lookups are plain global reads
        return value

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(__all__))
