"""Attendance over real loopback HTTP: add and update attendees."""

from __future__ import annotations

import pytest

from .conftest import HOST, Api

FREE = {"workspace": {"tier": "free"}, "members": [{"user_id": HOST, "rank": 1}]}
PLAYER = "714760171"


async def test_add_attendee_computes_duration_in_seconds(api: Api) -> None:
    session_id = await api.create()
    answer = await api.call(
        "POST",
        f"/attendance/add-attendee/{session_id}",
        {
            "UserId": PLAYER,
            "Username": "builderman",
            "JoinTime": "2024-01-15T10:30:00Z",
            "LeaveTime": "2024-01-15T11:45:00Z",
        },
    )
    assert answer.status == 201
    data = answer.data
    assert str(data.pop("attendeeId")).startswith("attendee_")
    assert data == {
        "sessionId": session_id,
        "UserId": PLAYER,
        "JoinTime": "2024-01-15T10:30:00.000Z",
        "LeaveTime": "2024-01-15T11:45:00.000Z",
        "duration": 4500,
    }
    (record,) = api.emulator.state.attendees_of(session_id)
    assert (record.username, record.duration_seconds) == ("builderman", 4500)


async def test_add_without_times_joins_now_and_has_no_duration(api: Api) -> None:
    session_id = await api.create()
    answer = await api.call("POST", f"/attendance/add-attendee/{session_id}", {"UserId": "7"})
    assert answer.status == 201
    assert str(answer.data["JoinTime"]).endswith("Z")
    assert (answer.data["LeaveTime"], answer.data["duration"]) == (None, None)


async def test_update_attendee_recomputes_duration(api: Api) -> None:
    session_id = await api.create()
    add = {"UserId": PLAYER, "JoinTime": "2024-01-15T10:30:00Z"}
    await api.call("POST", f"/attendance/add-attendee/{session_id}", add)
    answer = await api.call(
        "POST",
        f"/attendance/update-attendee/{session_id}",
        {"UserId": PLAYER, "JoinTime": "2024-01-15T10:25:00Z", "LeaveTime": "2024-01-15T11:50:00Z"},
    )
    assert answer.status == 200
    data = answer.data
    assert str(data.pop("updatedAt")).endswith("Z")
    assert data == {
        "UserId": PLAYER,
        "sessionId": session_id,
        "JoinTime": "2024-01-15T10:25:00.000Z",
        "LeaveTime": "2024-01-15T11:50:00.000Z",
        "duration": 5100,
    }
    only_leave = await api.call(
        "POST",
        f"/attendance/update-attendee/{session_id}",
        {"UserId": PLAYER, "LeaveTime": "2024-01-15T10:35:00+00:00"},
    )
    assert only_leave.data["duration"] == 600  # JoinTime kept from before


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("add-attendee", {}, 400, "Validation error: UserId is required"),
        ("add-attendee", {"UserId": 7}, 400, "Validation error: UserId must be a non-empty"),
        ("add-attendee", {"UserId": "7", "JoinTime": "noon"}, 400, "Validation error: JoinTime"),
        (
            "add-attendee",
            {
                "UserId": "7",
                "JoinTime": "2024-01-15T11:00:00Z",
                "LeaveTime": "2024-01-15T10:00:00Z",
            },
            400,
            "Validation error: LeaveTime must not be before JoinTime",
        ),
        ("add-attendee", {"UserId": "1"}, 409, "Attendee already exists in this session"),
        ("update-attendee", {"UserId": "7", "LeaveTime": "2024-01-15T11:00:00Z"}, 404, "Attendee"),
        ("update-attendee", {"UserId": "1"}, 400, "Validation error: JoinTime or LeaveTime is"),
        (
            "update-attendee",
            {"UserId": "1", "LeaveTime": "2000-01-01T00:00:00Z"},
            400,
            "Validation error: LeaveTime must not be before JoinTime",
        ),
    ],
)
async def test_attendance_errors(
    api: Api, path: str, body: dict[str, object], status: int, message: str
) -> None:
    session_id = await api.create()
    await api.call("POST", f"/attendance/add-attendee/{session_id}", {"UserId": "1"})
    answer = await api.call("POST", f"/attendance/{path}/{session_id}", body)
    assert answer.status == status
    assert answer.message.startswith(message)
    assert len(api.emulator.state.attendees) == 1


@pytest.mark.parametrize("path", ["add-attendee", "update-attendee"])
async def test_attendance_on_unknown_session_is_404(api: Api, path: str) -> None:
    answer = await api.call(
        "POST",
        f"/attendance/{path}/session_nope",
        {"UserId": "1", "JoinTime": "2024-01-15T10:00:00Z"},
    )
    assert (answer.status, answer.message) == (404, "Session not found")


@pytest.mark.series_emulator(config=FREE)
@pytest.mark.parametrize("path", ["add-attendee", "update-attendee"])
async def test_free_tier_gets_403(api: Api, path: str) -> None:
    session_id = await api.create()
    answer = await api.call("POST", f"/attendance/{path}/{session_id}", {"UserId": "1"})
    assert answer.status == 403
    assert answer.message.startswith("Attendance management requires a Premium")
