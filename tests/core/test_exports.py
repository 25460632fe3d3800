"""The public surface: every contract name importable from the top level, and __all__ honest."""

from __future__ import annotations

import series_async

CONTRACT = {
    "SeriesClient", "SeriesError", "ValidationError", "APIConnectionError", "APITimeoutError",
    "UnexpectedResponseError", "APIStatusError", "BadRequestError", "AuthenticationError",
    "PermissionDeniedError", "NotFoundError", "ConflictError", "RateLimitError",
    "InternalServerError", "CustomRole", "RolePermissions", "Session", "SessionStatus",
    "RoleSlots", "SlotState", "SessionPage", "CreatedSession", "UpdatedSession",
    "RoleAssignment", "Attendee", "RankChange", "KeyInfo", "UNSET", "RetryPolicy", "Timeout",
}  # fmt: skip


def test_contract_names_exported() -> None:
    assert set(series_async.__all__) >= CONTRACT
    for name in series_async.__all__:
        assert getattr(series_async, name) is not None


def test_all_is_sorted_and_complete() -> None:
    public = {
        name
        for name, value in vars(series_async).items()
        if name.isidentifier() and not name.startswith("_") and not getattr(value, "__file__", None)
    }
    assert public | {"__version__"} == set(series_async.__all__)
    assert series_async.__all__ == sorted(
        series_async.__all__, key=lambda n: (n.startswith("_"), n)
    )


def test_version() -> None:
    from importlib.metadata import version

    assert series_async.__version__ == version("series-sdk")
