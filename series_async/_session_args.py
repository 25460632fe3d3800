"""Request-side checks of ``client.sessions``: custom roles, list filters, "not ``None``"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal, TypeAlias

from ._converter import converter, fold_key
from ._errors import ValidationError
from ._models import CustomRole, RolePermissions, SessionPage, SessionStatus
from ._pipeline import Call
from ._resource import fill_missing
from ._validation import check_bool, check_day, check_int, check_str, check_user_id, show

__all__ = ["StatusName", "list_call", "list_query", "not_none", "roles_body"]

_RESERVED_ROLE_NAMES = frozenset({"host", "cohost", "supervisor"})
_THREE_BOOLS = (bool, bool, bool)
_FILTER_STATUSES = ("upcoming", "ongoing", "completed", "cancelled")
_PAGE_KEY = fold_key("Page")
#: A status ``list`` and ``iterate`` filter on, by value: a type checker catches a typo.
StatusName: TypeAlias = Literal["upcoming", "ongoing", "completed", "cancelled"]
# The converter's hook, looked up once rather than dispatched per role.
_unstructure_role = converter.get_unstructure_hook(CustomRole)


def roles_body(value: Any) -> list[dict[str, Any]]:
    if value is None:
        raise ValidationError(
            "custom_roles", "None is not allowed: pass [] to remove every custom role"
        )
    # A list or tuple passes without the ABC checks (the usual case, and the slow checks).
    if type(value) not in (list, tuple) and (
        isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence)
    ):
        raise ValidationError("custom_roles", "must be a list of CustomRole")
    seen: set[str] = set()
    for index, role in enumerate(value):
        field = f"custom_roles[{index}]"
        if not isinstance(role, CustomRole):
            raise ValidationError(field, f"must be a CustomRole, got {type(role).__name__}")
        name = check_str(f"{field}.name", role.name)
        if name.replace("-", "").replace(" ", "").lower() in _RESERVED_ROLE_NAMES:
            raise ValidationError(
                f"{field}.name", f"{name!r} is reserved (Host, CoHost and Supervisor are built in)"
            )
        if name in seen:
            raise ValidationError(
                f"{field}.name", f"duplicate role name {name!r}: names must be unique"
            )
        seen.add(name)
        check_int(f"{field}.slots", role.slots, low=1, high=10)
        check_int(f"{field}.min_rank", role.min_rank, low=0, high=255)
        permissions = role.permissions
        if not isinstance(permissions, RolePermissions):
            raise ValidationError(f"{field}.permissions", "must be a RolePermissions")
        flags = (
            type(permissions.change_session_status),
            type(permissions.pass_or_fail_attendees),
            type(permissions.modify_attendance),
        )
        if flags != _THREE_BOOLS:  # then name the first flag that is not a bool
            for flag in ("change_session_status", "pass_or_fail_attendees", "modify_attendance"):
                check_bool(f"{field}.permissions.{flag}", getattr(permissions, flag))
    unstructure = _unstructure_role
    return [unstructure(role) for role in value]


def not_none(field: str, value: Any) -> Any:
    if value is None:
        raise ValidationError(field, "None is not a value here: leave it out (UNSET) to keep it")
    return value


def list_query(
    page: int,
    status: SessionStatus | StatusName | None,
    date: date | str | None,
    start: date | str | None,
    end: date | str | None,
    host: int | str | None,
) -> dict[str, str]:
    """The query of ``sessions.list`` (and ``iterate``), checked before any request."""
    query = {"page": str(check_int("page", page, low=1))}
    if status is not None:
        value = status.value if isinstance(status, SessionStatus) else status
        if value not in _FILTER_STATUSES:
            raise ValidationError(
                "status", f"must be one of {', '.join(_FILTER_STATUSES)}, got {show(status)}"
            )
        query["status"] = value
    if date is not None:
        if start is not None or end is not None:
            raise ValidationError(
                "date", "cannot be combined with start/end: give one day or a range"
            )
        query["date"] = check_day("date", date)
    if (start is None) != (end is None):
        raise ValidationError(
            "start" if start is None else "end", "start and end go together: give both"
        )
    if start is not None and end is not None:
        query["start"] = check_day("start", start)
        query["end"] = check_day("end", end)
        if query["start"] > query["end"]:
            raise ValidationError(
                "start", f"must not be after end ({query['start']} > {query['end']})"
            )
    if host is not None:
        query["host"] = check_user_id("host", host)
    return query


def list_call(
    query: dict[str, str], *, walking: bool = False, previous: tuple[str, ...] = ()
) -> Call[SessionPage]:
    """Build the list call; ``walking`` adds iterate's checks against a looping server.

    ``previous`` holds the session ids of the page before, in order (empty on page 1).
    """
    requested = int(query["page"])
    fill_page = fill_missing(Page=query["page"])
    echoed = [True]  # set by prepare on each attempt, read by the check right after

    def prepare(data: dict[str, Any]) -> dict[str, Any]:
        echoed[0] = any(fold_key(k) == _PAGE_KEY for k in data)
        return fill_page(data)

    def same_page(result: SessionPage) -> str | None:
        # A server that ignores ?page= answers page 1 forever: stop the walk.
        if echoed[0]:
            if result.page == requested:
                return None
            return (
                f"asked for page {requested} but the answer is page {result.page}; "
                "stopping the iteration, which would otherwise never end"
            )
        if previous and tuple(s.session_id for s in result.sessions) == previous:
            return (
                f"page {requested} carries no Page echo and repeats the sessions of page "
                f"{requested - 1} (the server seems to ignore ?page=); stopping the "
                "iteration, which would otherwise never end"
            )
        return None

    return Call(
        name="sessions.list",
        method="GET",
        template="/sessions/list",
        model=SessionPage,
        idempotent=True,
        query=query,
        prepare=prepare if walking else fill_page,
        check=same_page if walking else None,
    )
