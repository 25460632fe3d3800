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


def test_exported_members_report_the_package_as_their_module() -> None:
    # Like httpx's test_exported_members: tracebacks and reprs show the name
    # users import (series_async.NotFoundError), never a private module.
    import series_sync

    classes = [getattr(series_async, n) for n in series_async.__all__]
    classes = [c for c in classes if isinstance(c, type)]
    assert len(classes) >= 30
    for cls in classes:
        assert cls.__module__ == "series_async", cls
    for name in series_sync.__all__:
        value = getattr(series_sync, name)
        if not isinstance(value, type):
            continue
        expected = "series_async" if getattr(series_async, name, None) is value else "series_sync"
        assert value.__module__ == expected, name
    assert series_sync.SeriesClient.__module__ == "series_sync"
    assert series_sync.SyncInAsyncContextWarning.__module__ == "series_sync"


def test_tracebacks_name_the_public_module() -> None:
    import traceback

    err = series_async.NotFoundError("Session not found", status=404)
    line = traceback.format_exception_only(type(err), err)[-1]
    assert line == "series_async.NotFoundError: HTTP 404: Session not found\n"
    assert repr(series_async.SessionStatus.UPCOMING).startswith("<SessionStatus.")


def test_models_still_parse_after_the_module_rename() -> None:
    # attrs types are resolved before __module__ changes; cattrs must still find them.
    from series_async._converter import converter

    session = converter.structure(
        {"SessionId": "s1", "Title": "T", "Scheduled": "2026-01-01T00:00:00Z"},
        series_async.Session,
    )
    assert session.scheduled is not None
    assert session.scheduled.year == 2026
