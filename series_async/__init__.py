"""series-sdk: the async-first Python SDK for the Series API.

``from series_async import SeriesClient`` for asyncio code; ``series_sync`` is
the generated synchronous twin with the same methods.
"""

import attrs as _attrs

from ._client import DEFAULT_BASE_URL, SeriesClient
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SeriesError,
    UnexpectedResponseError,
    ValidationError,
)
from ._models import (
    Attendee,
    CreatedSession,
    CustomRole,
    KeyInfo,
    RankChange,
    RoleAssignment,
    RolePermissions,
    RoleSlots,
    Session,
    SessionPage,
    SessionStatus,
    SlotState,
    UpdatedSession,
)
from ._retry import RetryPolicy
from ._types import UNSET, Timeout, Unset
from ._version import __version__

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
    "Timeout",
    "UNSET",
    "UnexpectedResponseError",
    "Unset",
    "UpdatedSession",
    "ValidationError",
    "__version__",
]

# Public classes report the package as their module, so tracebacks and reprs
# say ``series_async.NotFoundError`` (the name users import), not the private
# module that happens to define it. An attrs class's string annotations are
# resolved first, while its defining module can still be found from it.
for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type):
        if _attrs.has(_value):
            _attrs.resolve_types(_value)
        _value.__module__ = __name__
del _attrs, _name, _value
