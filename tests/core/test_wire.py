"""Each of the 14 methods sends exactly the documented request and parses the documented answer."""

from __future__ import annotations

import platform
from datetime import date, datetime, timedelta, timezone

import aiohttp
import pytest

from series_async import (
    UNSET,
    Attendee,
    CreatedSession,
    CustomRole,
    KeyInfo,
    RankChange,
    RoleAssignment,
    RolePermissions,
    SeriesClient,
    Session,
    SessionStatus,
    UpdatedSession,
    __version__,
)
from tests.conftest import API_KEY
from tests.recorder import Recorder, ok

# Every test twice: with the stdlib JSON backend and with orjson (the speed extra).
pytestmark = [pytest.mark.timeout(10), pytest.mark.usefixtures("json_backend")]

SESSION = {
    "SessionId": "session_1234567890_abc12345678",
    "WorkspaceId": "workspace_abc123",
    "Title": "Training Session",
    "Host": "714760171",
    "CoHost": "123456789",
    "Supervisor": "987654321",
    "Scheduled": "2024-01-20T15:00:00.000Z",
    "Delayed": False,
    "Status": "upcoming",
    "Claimable": True,
    "Duration": 60,
    "MinHostRank": 50,
    "CustomRoles": {
        "Trainer": {
            "MinRank": 25,
            "Permissions": {
                "ChangeSessionStatus": False,
                "PassOrFailAttendees": True,
                "ModifyAttendance": True,
            },
            "Slots": {"714760171": {"Attended": False}, "VACANT_1": {"Attended": False}},
        }
    },
}

RANK_CHANGE = {
    "UserId": "714760171",
    "Action": "promote",
    "PreviousRank": 5,
    "PreviousRole": "Trainee",
    "NewRank": 20,
    "NewRole": "Junior Staff",
    "WorkspaceId": "a7d5339a-5531-4336-99c6-6f3249c9ac20",
}

UA = (
    f"series-sdk/{__version__} python/{platform.python_version_tuple()[0]}."
    f"{platform.python_version_tuple()[1]} aiohttp/{aiohttp.__version__} async"
)


def assert_headers(recorder: Recorder, *, body: bool, auth: bool = True) -> None:
    headers = recorder.last.headers
    assert headers["User-Agent"] == UA
    assert headers["Accept"] == "application/json"
    if auth:
        assert headers["apikey"] == API_KEY
    else:
        assert "apikey" not in headers
    if body:
        assert headers["Content-Type"] == "application/json"
    else:
        assert recorder.last.body == b""


async def test_create_sends_documented_body_and_parses_answer(
    client: SeriesClient, recorder: Recorder
) -> None:
    recorder.reply(
        ok(
            {
                "sessionId": "session_abc123",
                "Title": "Training Session",
                "Host": "714760171",
                "Scheduled": "2026-12-01T15:00:00Z",
                "Duration": 60,
                "createdAt": "2024-01-15T10:30:00Z",
            },
            status=201,
        )
    )
    created = await client.sessions.create(
        title="Training Session",
        scheduled=datetime(2026, 12, 1, 16, 0, tzinfo=timezone(timedelta(hours=1))),
        duration=60,
        description="Weekly",
        host=714760171,
        co_host="123456789",
        supervisor=987654321,
        claimable=True,
        custom_roles=[
            CustomRole(
                name="Trainer",
                slots=2,
                min_rank=50,
                permissions=RolePermissions(pass_or_fail_attendees=True),
            )
        ],
    )
    req = recorder.last
    assert (req.method, req.raw_path, req.query) == ("POST", "/sessions/create", {})
    assert_headers(recorder, body=True)
    assert req.json() == {
        "Title": "Training Session",
        "Scheduled": "2026-12-01T15:00:00Z",
        "Duration": 60,
        "Description": "Weekly",
        "Host": "714760171",
        "CoHost": "123456789",
        "Supervisor": "987654321",
        "Claimable": True,
        "CustomRoles": [
            {
                "name": "Trainer",
                "slots": 2,
                "minRank": 50,
                "permissions": {
                    "ChangeSessionStatus": False,
                    "PassOrFailAttendees": True,
                    "ModifyAttendance": False,
                },
            }
        ],
    }
    assert created == CreatedSession(
        session_id="session_abc123",
        title="Training Session",
        host="714760171",
        scheduled=datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc),
        duration=60,
        created_at=datetime(2024, 1, 15, 10, 30, tzinfo=timezone.utc),
    )


async def test_create_sends_only_given_fields(client: SeriesClient, recorder: Recorder) -> None:
    recorder.reply(ok({"sessionId": "s1"}, status=201))
    created = await client.sessions.create(
        title="T", scheduled="2026-12-01T15:00:00.250+02:00", duration=1
    )
    assert recorder.last.json() == {
        "Title": "T",
        "Scheduled": "2026-12-01T13:00:00.250Z",
        "Duration": 1,
    }
    assert created.session_id == "s1"
    assert created.title is None


async def test_get_parses_full_session(client: SeriesClient, recorder: Recorder) -> None:
    recorder.reply(ok(SESSION))
    session = await client.sessions.get("session_1234567890_abc12345678")
    assert recorder.last.method == "GET"
    assert recorder.last.raw_path == "/sessions/get/session_1234567890_abc12345678"
    assert_headers(recorder, body=False)
    assert session.session_id == "session_1234567890_abc12345678"
    assert session.workspace_id == "workspace_abc123"
    assert (session.host, session.co_host, session.supervisor) == (
        "714760171",
        "123456789",
        "987654321",
    )
    assert session.scheduled == datetime(2024, 1, 20, 15, 0, tzinfo=timezone.utc)
    assert session.status is SessionStatus.UPCOMING
    assert (session.delayed, session.claimable, session.duration, session.min_host_rank) == (
        False,
        True,
        60,
        50,
    )
    trainer = session.custom_roles["Trainer"]
    assert trainer.min_rank == 25
    assert trainer.permissions == RolePermissions(
        pass_or_fail_attendees=True, modify_attendance=True
    )
    assert trainer.holders() == ["714760171"]
    assert trainer.vacant_slot_keys() == ["VACANT_1"]


async def test_list_sends_only_given_query_and_parses_page(
    client: SeriesClient, recorder: Recorder
) -> None:
    listed = {k: v for k, v in SESSION.items() if k not in ("CoHost", "Supervisor", "MinHostRank")}
    recorder.reply(ok({"WorkspaceId": "workspace_abc123", "Page": 2, "Sessions": [listed]}))
    page = await client.sessions.list(
        page=2, status=SessionStatus.COMPLETED, start=date(2024, 1, 1), end="2024-01-31", host=7
    )
    req = recorder.last
    assert (req.method, req.raw_path) == ("GET", "/sessions/list")
    assert req.query == {
        "page": "2",
        "status": "completed",
        "start": "2024-01-01",
        "end": "2024-01-31",
        "host": "7",
    }
    assert_headers(recorder, body=False)
    assert page.page == 2
    assert page.workspace_id == "workspace_abc123"
    assert [s.session_id for s in page.sessions] == [SESSION["SessionId"]]
    assert page.sessions[0].co_host is None


async def test_list_date_filter_and_default_page(client: SeriesClient, recorder: Recorder) -> None:
    recorder.reply(ok({"Sessions": []}))
    page = await client.sessions.list(date="2024-01-15")
    assert recorder.last.query == {"page": "1", "date": "2024-01-15"}
    assert page.page == 1  # filled from the request when the answer omits it
    assert page.sessions == []


async def test_iterate_walks_pages_until_empty(client: SeriesClient, recorder: Recorder) -> None:
    def page(n: int, ids: list[str]) -> dict[str, object]:
        return {"Page": n, "Sessions": [{**SESSION, "SessionId": i} for i in ids]}

    recorder.reply(ok(page(1, ["a", "b"])), ok(page(2, ["c"])), ok(page(3, [])))
    seen = [s.session_id async for s in client.sessions.iterate(status="upcoming")]
    assert seen == ["a", "b", "c"]
    assert [r.query for r in recorder.requests] == [
        {"page": "1", "status": "upcoming"},
        {"page": "2", "status": "upcoming"},
        {"page": "3", "status": "upcoming"},
    ]


async def test_iterate_stops_fetching_on_early_break(
    client: SeriesClient, recorder: Recorder
) -> None:
    recorder.reply(ok({"Page": 1, "Sessions": [SESSION, SESSION]}))
    async for session in client.sessions.iterate():
        assert isinstance(session, Session)
        break
    assert len(recorder.requests) == 1


async def test_update_sends_only_set_fields(client: SeriesClient, recorder: Recorder) -> None:
    recorder.reply(
        ok({"sessionId": "session_abc123", "Title": "New", "updatedAt": "2024-01-15T11:00:00Z"})
    )
    updated = await client.sessions.update(
        "session_abc123", title="New", duration=120, custom_roles=[], co_host=UNSET
    )
    req = recorder.last
    assert (req.method, req.raw_path) == ("PATCH", "/sessions/update/session_abc123")
    assert_headers(recorder, body=True)
    assert req.json() == {"Title": "New", "Duration": 120, "CustomRoles": []}
    assert updated == UpdatedSession(
        session_id="session_abc123",
        title="New",
        updated_at=datetime(2024, 1, 15, 11, 0, tzinfo=timezone.utc),
    )


async def test_update_every_field(client: SeriesClient, recorder: Recorder) -> None:
    recorder.reply(ok({}))  # an answer without an id still gives the id we sent
    updated = await client.sessions.update(
        "s1",
        title="T",
        description="",
        host=1,
        co_host=2,
        supervisor="3",
        scheduled="2026-01-01T00:00:00Z",
        duration=5,
        claimable=False,
        custom_roles=[CustomRole(name="Helper", slots=10)],
    )
    assert recorder.last.json() == {
        "Title": "T",
        "Description": "",
        "Host": "1",
        "CoHost": "2",
        "Supervisor": "3",
        "Scheduled": "2026-01-01T00:00:00Z",
        "Duration": 5,
        "Claimable": False,
        "CustomRoles": [
            {
                "name": "Helper",
                "slots": 10,
                "minRank": 0,
                "permissions": {
                    "ChangeSessionStatus": False,
                    "PassOrFailAttendees": False,
                    "ModifyAttendance": False,
                },
            }
        ],
    }
    assert updated.session_id == "s1"


@pytest.mark.parametrize(
    ("action", "kwargs", "body", "answer"),
    [
        (
            "claim",
            {"user_id": 714760171, "role_name": "Trainer", "slot_key": "VACANT_0"},
            {"UserId": "714760171", "RoleName": "Trainer", "SlotKey": "VACANT_0"},
            {
                "message": "Successfully claimed Trainer position",
                "SessionId": "session_abc123",
                "RoleName": "Trainer",
                "UserId": "714760171",
            },
        ),
        (
            "quit",
            {"user_id": "714760171", "role_name": "Trainer"},
            {"UserId": "714760171", "RoleName": "Trainer"},
            {
                "message": "Successfully quit Trainer position",
                "SessionId": "session_abc123",
                "RoleName": "Trainer",
                "UserId": "714760171",
            },
        ),
        (
            "remove",
            {"target_user_id": 714760171, "role_name": "Trainer"},
            {"TargetUserId": "714760171", "RoleName": "Trainer"},
            {
                "message": "Successfully removed user from Trainer position",
                "SessionId": "session_abc123",
                "RoleName": "Trainer",
                "TargetUserId": "714760171",
            },
        ),
    ],
)
async def test_custom_role_calls(
    client: SeriesClient,
    recorder: Recorder,
    action: str,
    kwargs: dict[str, object],
    body: dict[str, str],
    answer: dict[str, str],
) -> None:
    recorder.reply(ok(answer))
    method = getattr(client.sessions, f"{action}_custom_role")
    result = await method("session_abc123", **kwargs)
    req = recorder.last
    assert (req.method, req.raw_path) == (
        "PATCH",
        f"/sessions/session_abc123/custom-roles/{action}",
    )
    assert_headers(recorder, body=True)
    assert req.json() == body
    assert result == RoleAssignment(
        session_id="session_abc123",
        role_name="Trainer",
        user_id="714760171",
        message=answer["message"],
    )


async def test_add_attendee(client: SeriesClient, recorder: Recorder) -> None:
    recorder.reply(
        ok(
            {
                "attendeeId": "attendee_12345",
                "sessionId": "session_xyz789",
                "UserId": "714760171",
                "JoinTime": "2024-01-15T10:30:00Z",
                "LeaveTime": "2024-01-15T11:45:00Z",
                "duration": 4500,
            },
            status=201,
        )
    )
    attendee = await client.attendance.add_attendee(
        "session_xyz789",
        user_id=714760171,
        username="builderman",
        display_name="Builder",
        avatar_url="https://example.invalid/a.png",
        join_time="2024-01-15T10:30:00Z",
        leave_time=datetime(2024, 1, 15, 11, 45, tzinfo=timezone.utc),
    )
    req = recorder.last
    assert (req.method, req.raw_path) == ("POST", "/attendance/add-attendee/session_xyz789")
    assert_headers(recorder, body=True)
    assert req.json() == {
        "UserId": "714760171",
        "Username": "builderman",
        "DisplayName": "Builder",
        "AvatarUrl": "https://example.invalid/a.png",
        "JoinTime": "2024-01-15T10:30:00Z",
        "LeaveTime": "2024-01-15T11:45:00Z",
    }
    assert attendee == Attendee(
        attendee_id="attendee_12345",
        session_id="session_xyz789",
        user_id="714760171",
        join_time=datetime(2024, 1, 15, 10, 30, tzinfo=timezone.utc),
        leave_time=datetime(2024, 1, 15, 11, 45, tzinfo=timezone.utc),
        duration_seconds=4500,
    )


async def test_update_attendee(client: SeriesClient, recorder: Recorder) -> None:
    recorder.reply(
        ok(
            {
                "UserId": "714760171",
                "sessionId": "session_xyz789",
                "JoinTime": "2024-01-15T10:25:00Z",
                "LeaveTime": "2024-01-15T11:50:00Z",
                "duration": 5100,
                "updatedAt": "2024-01-15T12:00:00Z",
            }
        )
    )
    attendee = await client.attendance.update_attendee(
        "session_xyz789", user_id="714760171", leave_time="2024-01-15T11:50:00Z"
    )
    req = recorder.last
    assert (req.method, req.raw_path) == ("POST", "/attendance/update-attendee/session_xyz789")
    assert_headers(recorder, body=True)
    assert req.json() == {"UserId": "714760171", "LeaveTime": "2024-01-15T11:50:00Z"}
    assert attendee.duration_seconds == 5100
    assert attendee.attendee_id is None
    assert attendee.updated_at == datetime(2024, 1, 15, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("call", "path", "action"),
    [
        (
            lambda c: c.ranking.promote(714760171, comment="Passed"),
            "/ranking/promote/714760171",
            "promote",
        ),
        (
            lambda c: c.ranking.demote("714760171", comment="Passed"),
            "/ranking/demote/714760171",
            "demote",
        ),
        (
            lambda c: c.ranking.set_rank(714760171, 50, comment="Passed"),
            "/ranking/set-rank/714760171/50",
            "set-rank",
        ),
    ],
)
async def test_ranking_calls(
    client: SeriesClient, recorder: Recorder, call: object, path: str, action: str
) -> None:
    recorder.reply(ok({**RANK_CHANGE, "Action": action}))
    change = await call(client)  # type: ignore[operator]
    req = recorder.last
    assert (req.method, req.raw_path) == ("POST", path)
    assert_headers(recorder, body=True)
    assert req.json() == {"comment": "Passed"}
    assert change == RankChange(
        user_id="714760171",
        action=action,
        previous_rank=5,
        previous_role="Trainee",
        new_rank=20,
        new_role="Junior Staff",
        workspace_id="a7d5339a-5531-4336-99c6-6f3249c9ac20",
    )


async def test_ranking_without_comment_sends_no_body(
    client: SeriesClient, recorder: Recorder
) -> None:
    recorder.reply(ok(RANK_CHANGE))
    await client.ranking.promote(714760171)
    assert_headers(recorder, body=False)
    assert "Content-Type" not in recorder.last.headers


async def test_check_key_puts_key_in_path_not_header(
    client: SeriesClient, recorder: Recorder
) -> None:
    recorder.reply(
        ok(
            {
                "valid": True,
                "workspaceId": "a7d5339a-5531-4336-99c6-6f3249c9ac20",
                "workspaceName": "My Organization",
                "status": "active",
                "createdAt": "2024-01-01T00:00:00Z",
                "lastUsed": "2024-01-05T11:30:00Z",
                "rateLimitRemaining": 8542,
                "rateLimitReset": "2024-01-05T13:00:00Z",
            }
        )
    )
    info = await client.keys.check()
    req = recorder.last
    assert (req.method, req.raw_path) == ("GET", f"/basic/check-key/{API_KEY}")
    assert_headers(recorder, body=False, auth=False)
    assert info == KeyInfo(
        valid=True,
        status="active",
        workspace_id="a7d5339a-5531-4336-99c6-6f3249c9ac20",
        workspace_name="My Organization",
        created_at=datetime(2024, 1, 1, tzinfo=timezone.utc),
        last_used=datetime(2024, 1, 5, 11, 30, tzinfo=timezone.utc),
        rate_limit_remaining=8542,
        rate_limit_reset=datetime(2024, 1, 5, 13, 0, tzinfo=timezone.utc),
    )


async def test_check_other_key_invalid_is_not_an_error(
    client: SeriesClient, recorder: Recorder
) -> None:
    recorder.reply(
        ok({"valid": False, "status": "inactive", "message": "API key is inactive or invalid"})
    )
    info = await client.keys.check("sk_other/../x")
    assert recorder.last.raw_path == "/basic/check-key/sk_other%2F..%2Fx"
    assert info.valid is False
    assert info.message == "API key is inactive or invalid"


@pytest.mark.parametrize(
    ("session_id", "raw"),
    [
        ("a/../b", "a%2F..%2Fb"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("x?y#z", "x%3Fy%23z"),
        ("100%", "100%25"),
        ("sp ace", "sp%20ace"),
        ("ünï", "%C3%BCn%C3%AF"),
    ],
)
async def test_path_ids_are_encoded_as_one_segment(
    client: SeriesClient, recorder: Recorder, session_id: str, raw: str
) -> None:
    recorder.reply(ok({**SESSION, "SessionId": session_id}))
    await client.sessions.get(session_id)
    assert recorder.last.raw_path == f"/sessions/get/{raw}"
    await client.attendance.update_attendee(session_id, user_id=1, join_time="2024-01-01T00:00:00Z")
    assert recorder.last.raw_path == f"/attendance/update-attendee/{raw}"
