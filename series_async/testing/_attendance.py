"""Endpoint logic: add and update attendees.

``duration`` in the answers is in seconds, computed from the join and leave
times; it is ``null`` while the attendee has no leave time.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from series_async.testing._sessions import require_premium, session_or_404
from series_async.testing._state import AttendeeRecord, Store
from series_async.testing._wire import (
    ApiError,
    Call,
    JsonObject,
    Missing,
    Reply,
    format_time,
    invalid,
    opt_str,
    opt_time,
    req_user_id,
)

__all__ = ["add_attendee", "update_attendee"]

_FEATURE = "Attendance management"


def _time_or_none(value: datetime | None) -> str | None:
    return None if value is None else format_time(value)


def _render(record: AttendeeRecord) -> JsonObject:
    return {
        "UserId": record.user_id,
        "sessionId": record.session_id,
        "JoinTime": format_time(record.join_time),
        "LeaveTime": _time_or_none(record.leave_time),
        "duration": record.duration_seconds,
    }


def _check_order(join: datetime, leave: datetime | None) -> None:
    if leave is not None and leave < join:
        raise invalid("LeaveTime must not be before JoinTime")


def add_attendee(store: Store, call: Call) -> Reply:
    """POST /attendance/add-attendee/{sessionId}: 201 with the new record."""
    require_premium(store, _FEATURE)
    body = call.body
    user = req_user_id(body, "UserId")
    names = {f: opt_str(body, f) for f in ("Username", "DisplayName", "AvatarUrl")}
    join = opt_time(body, "JoinTime")
    # LeaveTime is not in the documented schema but the documented example sends it.
    leave = opt_time(body, "LeaveTime")
    join_time = store.now() if isinstance(join, Missing) else join
    leave_time = None if isinstance(leave, Missing) else leave
    _check_order(join_time, leave_time)
    session = session_or_404(store, call.params["sessionId"])
    if (session.session_id, user) in store.attendees:
        raise ApiError(409, "Attendee already exists in this session; use update-attendee")

    def text(field: str) -> str | None:
        value = names[field]
        return None if isinstance(value, Missing) else value

    record = AttendeeRecord(
        attendee_id=store.new_id("attendee"),
        session_id=session.session_id,
        user_id=user,
        join_time=join_time,
        leave_time=leave_time,
        username=text("Username"),
        display_name=text("DisplayName"),
        avatar_url=text("AvatarUrl"),
    )
    store.attendees[(session.session_id, user)] = record
    return Reply(201, {"attendeeId": record.attendee_id, **_render(record)})


def update_attendee(store: Store, call: Call) -> Reply:
    """POST /attendance/update-attendee/{sessionId}: 200 with times, duration, updatedAt."""
    require_premium(store, _FEATURE)
    body = call.body
    user = req_user_id(body, "UserId")
    join = opt_time(body, "JoinTime")
    leave = opt_time(body, "LeaveTime")
    if isinstance(join, Missing) and isinstance(leave, Missing):
        raise invalid("JoinTime or LeaveTime is required")
    session = session_or_404(store, call.params["sessionId"])
    record = store.attendees.get((session.session_id, user))
    if record is None:
        raise ApiError(404, "Attendee not found in this session")
    join_time = record.join_time if isinstance(join, Missing) else join
    leave_time = record.leave_time if isinstance(leave, Missing) else leave
    _check_order(join_time, leave_time)
    now = store.now()
    record = attrs.evolve(record, join_time=join_time, leave_time=leave_time, updated_at=now)
    store.attendees[(session.session_id, user)] = record
    return Reply(200, {**_render(record), "updatedAt": format_time(now)})
