"""Endpoint logic: create, get, list and update sessions.

Checks run in a fixed order (see ``docs/emulator.md``): tier (403), body or
query validation (400), existence (404), then the business rules.
"""

from __future__ import annotations

import re
from datetime import date, timezone
from typing import Any

import attrs

from series_async.testing._state import (
    SESSION_STATUSES,
    RoleRecord,
    SessionRecord,
    SlotRecord,
    Store,
)
from series_async.testing._wire import (
    ApiError,
    Call,
    JsonObject,
    Missing,
    Reply,
    format_time,
    invalid,
    opt_bool,
    opt_int,
    opt_str,
    opt_time,
    opt_user_id,
    req_int,
    req_str,
)

__all__ = [
    "create_session",
    "get_session",
    "list_sessions",
    "premium_required",
    "render_roles",
    "require_premium",
    "session_or_404",
    "update_session",
]

_RESERVED_ROLE_NAMES = ("host", "cohost", "supervisor")
_PERMISSIONS = ("ChangeSessionStatus", "PassOrFailAttendees", "ModifyAttendance")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_PAGE = re.compile(r"[0-9]{1,10}", re.ASCII)
_MAX_PAGE = 2**31 - 1  # a page number above this is malformed, not past the end
_UPDATABLE = (
    "Title",
    "Description",
    "Host",
    "CoHost",
    "Supervisor",
    "Scheduled",
    "Duration",
    "Claimable",
    "CustomRoles",
)


def premium_required(feature: str) -> ApiError:
    """Build the 403 a free workspace gets for a Premium/Enterprise feature."""
    return ApiError(403, f"{feature} requires a Premium or Enterprise subscription")


def require_premium(store: Store, feature: str) -> None:
    """Raise the tier 403 unless the workspace is premium or enterprise."""
    if store.config.workspace.tier == "free":
        raise premium_required(feature)


def session_or_404(store: Store, session_id: str) -> SessionRecord:
    """Return the session or raise the 404."""
    session = store.sessions.get(session_id)
    if session is None:
        raise ApiError(404, "Session not found")
    return session


def render_roles(roles: tuple[RoleRecord, ...]) -> JsonObject:
    """Render custom roles as the API does: a map keyed by role name."""
    return {
        role.name: {
            "MinRank": role.min_rank,
            "Permissions": {
                "ChangeSessionStatus": role.change_session_status,
                "PassOrFailAttendees": role.pass_or_fail_attendees,
                "ModifyAttendance": role.modify_attendance,
            },
            "Slots": {key: {"Attended": s.attended} for key, s in role.keyed_slots().items()},
        }
        for role in roles
    }


def _render(store: Store, session: SessionRecord, *, full: bool) -> JsonObject:
    out: JsonObject = {
        "SessionId": session.session_id,
        "WorkspaceId": session.workspace_id,
        "Title": session.title,
    }
    if full:
        out["Description"] = session.description
    out["Host"] = session.host
    if full:
        out["CoHost"] = session.co_host
        out["Supervisor"] = session.supervisor
    out.update(
        {
            "Scheduled": format_time(session.scheduled),
            "Delayed": session.delayed,
            "Status": session.status,
            "Claimable": session.claimable,
            "Duration": session.duration,
        }
    )
    if full:
        out["MinHostRank"] = session.min_host_rank
    if session.custom_roles and store.config.workspace.tier != "free":
        out["CustomRoles"] = render_roles(session.custom_roles)
    return out


def _parse_roles(store: Store, value: object) -> tuple[RoleRecord, ...]:
    require_premium(store, "Custom roles")
    if not isinstance(value, list):
        raise invalid("CustomRoles must be an array")
    roles: list[RoleRecord] = []
    for i, item in enumerate(value):
        prefix = f"CustomRoles[{i}]."
        if not isinstance(item, dict):
            raise invalid(f"CustomRoles[{i}] must be an object")
        name = req_str(item, "name", prefix)
        # Compared case-insensitively: "host" would be as confusing as "Host".
        if name.strip().lower() in _RESERVED_ROLE_NAMES:
            raise invalid(f"{prefix}name cannot be Host, CoHost or Supervisor")
        if any(r.name == name for r in roles):
            raise invalid(f"{prefix}name {name!r} is used by more than one role")
        slots = req_int(item, "slots", 1, 10, prefix)
        min_rank = opt_int(item, "minRank", 0, 255, prefix)
        perms = item.get("permissions", {})
        if not isinstance(perms, dict):
            raise invalid(f"{prefix}permissions must be an object")
        flags = {p: opt_bool(perms, p, f"{prefix}permissions.") for p in _PERMISSIONS}
        roles.append(
            RoleRecord(
                name=name,
                min_rank=0 if isinstance(min_rank, Missing) else min_rank,
                change_session_status=flags["ChangeSessionStatus"] is True,
                pass_or_fail_attendees=flags["PassOrFailAttendees"] is True,
                modify_attendance=flags["ModifyAttendance"] is True,
                slots=tuple(SlotRecord() for _ in range(slots)),
            )
        )
    return tuple(roles)


def _read_fields(store: Store, body: JsonObject) -> tuple[dict[str, Any], JsonObject]:
    """Validate the optional session fields; return (record changes, echo)."""
    # Any: the values are validated per field above and feed attrs.evolve(**changes).
    changes: dict[str, Any] = {}
    echo: JsonObject = {}
    text = {"Title": "title", "Description": "description"}
    people = {"Host": "host", "CoHost": "co_host", "Supervisor": "supervisor"}
    for wire, attr in text.items():
        value = opt_str(body, wire)
        if not isinstance(value, Missing):
            if wire == "Title" and not value.strip():
                raise invalid("Title must be a non-empty string")
            changes[attr] = echo[wire] = value
    for wire, attr in people.items():
        user = opt_user_id(body, wire)
        if not isinstance(user, Missing):
            changes[attr] = echo[wire] = user
    scheduled = opt_time(body, "Scheduled")
    if not isinstance(scheduled, Missing):
        changes["scheduled"] = scheduled.astimezone(timezone.utc)
        echo["Scheduled"] = format_time(scheduled)
    duration = opt_int(body, "Duration", 1)
    if not isinstance(duration, Missing):
        changes["duration"] = echo["Duration"] = duration
    claimable = opt_bool(body, "Claimable")
    if not isinstance(claimable, Missing):
        changes["claimable"] = echo["Claimable"] = claimable
    if "CustomRoles" in body:
        roles = _parse_roles(store, body["CustomRoles"])
        changes["custom_roles"] = roles
        echo["CustomRoles"] = render_roles(roles)
    host = changes.get("host")
    if isinstance(host, str) and host not in store.members:
        raise invalid("Host must be a workspace member")
    return changes, echo


def create_session(store: Store, call: Call) -> Reply:
    """POST /sessions/create: 201 with ``sessionId``, the echoed fields, ``createdAt``."""
    body = call.body
    if "CustomRoles" in body:
        require_premium(store, "Custom roles")
    req_str(body, "Title")
    if "Scheduled" not in body:
        raise invalid("Scheduled is required")
    req_int(body, "Duration", 1)
    changes, echo = _read_fields(store, body)
    now = store.now()
    session = SessionRecord(
        session_id=store.new_id("session"),
        workspace_id=store.workspace_id,
        created_at=now,
        updated_at=now,
        **changes,
    )
    store.sessions[session.session_id] = session
    return Reply(201, {"sessionId": session.session_id, **echo, "createdAt": format_time(now)})


def get_session(store: Store, call: Call) -> Reply:
    """GET /sessions/get/{sessionId}: the full session object."""
    session = session_or_404(store, call.params["sessionId"])
    return Reply(200, _render(store, session, full=True))


def _day(query: dict[str, str], name: str) -> date | None:
    text = query.get(name)
    if text is None:
        return None
    try:
        if not _DAY.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise invalid(f"{name} must be a date in YYYY-MM-DD format") from None


def list_sessions(store: Store, call: Call) -> Reply:
    """GET /sessions/list: filters, then a fixed-size page ordered by Scheduled."""
    query = dict(call.query)
    page_text = query.get("page", "1")
    # ASCII digits only ("²".isdigit() is true), and bounded before int() reads them.
    page = int(page_text) if _PAGE.fullmatch(page_text) else 0
    if not 1 <= page <= _MAX_PAGE:
        raise invalid(f"page must be an integer between 1 and {_MAX_PAGE}")
    status = query.get("status")
    if status is not None and status not in SESSION_STATUSES:
        raise invalid(f"status must be one of {', '.join(SESSION_STATUSES)}")
    day, start, end = _day(query, "date"), _day(query, "start"), _day(query, "end")
    if day is not None and (start is not None or end is not None):
        raise invalid("date cannot be combined with start/end")
    if (start is None) != (end is None):
        raise invalid("start and end must be used together")
    if start is not None and end is not None and start > end:
        raise invalid("start must not be after end")
    host = query.get("host")

    def keep(s: SessionRecord) -> bool:
        when = s.scheduled.date()
        return (
            (status is None or s.status == status)
            and (host is None or s.host == host)
            and (day is None or when == day)
            and (start is None or end is None or start <= when <= end)
        )

    # Scheduled is normalised to UTC on the way in, so .date() is the UTC day.
    chosen = sorted(
        (s for s in store.sessions.values() if keep(s)),
        key=lambda s: (s.scheduled, s.created_at),
    )
    size = store.config.workspace.page_size
    window = chosen[(page - 1) * size : page * size]
    return Reply(
        200,
        {
            "WorkspaceId": store.workspace_id,
            "Page": page,
            "Sessions": [_render(store, s, full=False) for s in window],
        },
    )


def update_session(store: Store, call: Call) -> Reply:
    """PATCH /sessions/update/{sessionId}: 200 with ``SessionId``, echo, ``updatedAt``."""
    body = call.body
    if "CustomRoles" in body:
        require_premium(store, "Custom roles")
    if not any(field in body for field in _UPDATABLE):
        raise invalid(f"no updatable field given (one of {', '.join(_UPDATABLE)})")
    changes, echo = _read_fields(store, body)
    session = session_or_404(store, call.params["sessionId"])
    now = store.now()
    # Replace-all: new roles start with every slot vacant, old claims are dropped.
    store.sessions[session.session_id] = attrs.evolve(session, updated_at=now, **changes)
    return Reply(200, {"SessionId": session.session_id, **echo, "updatedAt": format_time(now)})
