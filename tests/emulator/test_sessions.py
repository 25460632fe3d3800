"""Sessions over real loopback HTTP: create, get, list, update."""

from __future__ import annotations

import pytest

from series_async.testing import SeriesEmulator

from .conftest import HOST, TRAINER, TRAINER_ROLE, Api

FREE = {"workspace": {"tier": "free"}, "members": [{"user_id": HOST, "rank": 1}]}
PAGED = {"workspace": {"page_size": 3}, "members": [{"user_id": HOST, "rank": 1}]}


async def test_create_answers_201_with_lowercase_id_echo_and_created_at(api: Api) -> None:
    answer = await api.call(
        "POST",
        "/sessions/create",
        {
            "Title": "Training Session",
            "Scheduled": "2024-01-20T15:00:00+02:00",
            "Duration": 60,
            "Host": HOST,
            "Claimable": True,
            "CustomRoles": [TRAINER_ROLE],
        },
    )
    assert answer.status == 201
    data = answer.data
    assert str(data["sessionId"]).startswith("session_")
    assert data["Title"] == "Training Session"
    assert data["Scheduled"] == "2024-01-20T13:00:00.000Z"  # normalised to UTC, ms, Z
    assert data["Duration"] == 60
    assert data["Host"] == HOST
    assert data["Claimable"] is True
    assert "Description" not in data  # only what was sent is echoed
    assert data["CustomRoles"] == {
        "Trainer": {
            "MinRank": 50,
            "Permissions": {
                "ChangeSessionStatus": False,
                "PassOrFailAttendees": True,
                "ModifyAttendance": True,
            },
            "Slots": {"VACANT_0": {"Attended": False}, "VACANT_1": {"Attended": False}},
        }
    }
    assert str(data["createdAt"]).endswith("Z")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Title": None}, "Title must be a non-empty string"),
        ({"Title": "  "}, "Title must be a non-empty string"),
        ({"Scheduled": "2024-01-20T15:00:00"}, "Scheduled must be an ISO 8601 date-time"),
        ({"Scheduled": "tomorrow"}, "Scheduled must be an ISO 8601 date-time"),
        ({"Duration": 0}, "Duration must be at least 1"),
        ({"Duration": 1.5}, "Duration must be an integer"),
        ({"Duration": "60"}, "Duration must be an integer"),
        ({"Host": 714760171}, "Host must be a non-empty string"),
        ({"Host": "12ab"}, "Host must be a Roblox user ID"),
        ({"Host": "999"}, "Host must be a workspace member"),
        ({"Claimable": "yes"}, "Claimable must be a boolean"),
        ({"Description": None}, "Description must be a string"),
        ({"CustomRoles": {}}, "CustomRoles must be an array"),
        ({"CustomRoles": [{"slots": 1}]}, "CustomRoles[0].name is required"),
        ({"CustomRoles": [{"name": "host", "slots": 1}]}, "CustomRoles[0].name cannot be Host"),
        ({"CustomRoles": [{"name": "A", "slots": 11}]}, "CustomRoles[0].slots must be between"),
        ({"CustomRoles": [{"name": "A"}]}, "CustomRoles[0].slots is required"),
        (
            {"CustomRoles": [{"name": "A", "slots": 1}, {"name": "A", "slots": 1}]},
            "CustomRoles[1].name 'A' is used by more than one role",
        ),
        (
            {"CustomRoles": [{"name": "A", "slots": 1, "minRank": 256}]},
            "CustomRoles[0].minRank must be between 0 and 255",
        ),
        (
            {"CustomRoles": [{"name": "A", "slots": 1, "permissions": {"ModifyAttendance": 1}}]},
            "CustomRoles[0].permissions.ModifyAttendance must be a boolean",
        ),
    ],
)
async def test_create_refuses_bad_fields_with_400_naming_the_field(
    api: Api, change: dict[str, object], message: str
) -> None:
    body: dict[str, object] = {"Title": "T", "Scheduled": "2024-01-20T15:00:00Z", "Duration": 60}
    body.update(change)
    answer = await api.call("POST", "/sessions/create", body)
    assert answer.status == 400
    assert answer.message.startswith("Validation error: " + message)
    assert api.emulator.state.sessions == {}


@pytest.mark.parametrize("missing", ["Title", "Scheduled", "Duration"])
async def test_create_requires_title_scheduled_duration(api: Api, missing: str) -> None:
    body = {"Title": "T", "Scheduled": "2024-01-20T15:00:00Z", "Duration": 60}
    del body[missing]
    answer = await api.call("POST", "/sessions/create", body)
    assert (answer.status, answer.message) == (400, f"Validation error: {missing} is required")


async def test_create_refuses_a_body_that_is_not_a_json_object(api: Api) -> None:
    bad_json = await api.call("POST", "/sessions/create", raw=b"{nope")
    assert (bad_json.status, bad_json.message) == (
        400,
        "Validation error: request body is not valid JSON",
    )
    array = await api.call("POST", "/sessions/create", [1])
    assert array.message == "Validation error: request body must be a JSON object"


@pytest.mark.series_emulator(config=FREE)
async def test_free_tier_cannot_define_custom_roles(api: Api) -> None:
    answer = await api.call(
        "POST",
        "/sessions/create",
        {"Title": "T", "Scheduled": "2024-01-20T15:00:00Z", "Duration": 5, "CustomRoles": []},
    )
    assert answer.status == 403
    assert "Premium or Enterprise" in answer.message
    session_id = await api.create(Host=HOST)
    update = await api.call(
        "PATCH", f"/sessions/update/{session_id}", {"CustomRoles": [TRAINER_ROLE]}
    )
    assert update.status == 403
    got = await api.call("GET", f"/sessions/get/{session_id}")
    assert "CustomRoles" not in got.data


async def test_get_returns_the_full_pascal_case_session(api: Api) -> None:
    session_id = await api.create(
        Host=HOST, CoHost=TRAINER, Supervisor="1", Description="d", CustomRoles=[TRAINER_ROLE]
    )
    data = (await api.call("GET", f"/sessions/get/{session_id}")).data
    assert data == {
        "SessionId": session_id,
        "WorkspaceId": api.emulator.workspace_id,
        "Title": "Training",
        "Description": "d",
        "Host": HOST,
        "CoHost": TRAINER,
        "Supervisor": "1",
        "Scheduled": "2026-12-01T15:00:00.000Z",
        "Delayed": False,
        "Status": "upcoming",
        "Claimable": False,
        "Duration": 60,
        "MinHostRank": 0,
        "CustomRoles": data["CustomRoles"],
    }
    assert list(data["CustomRoles"]) == ["Trainer"]  # type: ignore[call-overload]


async def test_get_unknown_session_is_404_and_ids_cannot_escape_their_segment(api: Api) -> None:
    await api.create()
    for path in ("/sessions/get/session_nope", "/sessions/get/a%2F..%2Fcreate"):
        answer = await api.call("GET", path)
        assert (answer.status, answer.message) == (404, "Session not found")


async def test_session_without_roles_has_no_custom_roles_key(api: Api) -> None:
    session_id = await api.create()
    assert "CustomRoles" not in (await api.call("GET", f"/sessions/get/{session_id}")).data


async def _titles(api: Api, query: str) -> list[str]:
    answer = await api.call("GET", "/sessions/list" + query)
    assert answer.status == 200, answer.body
    sessions = answer.data["Sessions"]
    assert isinstance(sessions, list)
    return [s["Title"] for s in sessions]


async def test_list_filters_by_status_date_range_and_host(api: Api) -> None:
    await api.create(Title="b", Scheduled="2024-01-15T23:30:00-02:00", Host=HOST)  # 16th UTC
    await api.create(Title="a", Scheduled="2024-01-15T10:00:00Z")
    done = await api.create(Title="c", Scheduled="2024-01-31T10:00:00Z", Host=HOST)
    await api.create(Title="d", Scheduled="2024-02-01T00:00:00Z")
    api.emulator.set_session_status(done, "completed")

    assert await _titles(api, "") == ["a", "b", "c", "d"]  # ordered by Scheduled
    assert await _titles(api, "?date=2024-01-15") == ["a"]
    assert await _titles(api, "?date=2024-01-16") == ["b"]
    assert await _titles(api, "?start=2024-01-01&end=2024-01-31") == ["a", "b", "c"]
    assert await _titles(api, "?start=2024-01-01&end=2024-01-31&status=completed") == ["c"]
    assert await _titles(api, "?status=upcoming") == ["a", "b", "d"]
    assert await _titles(api, f"?host={HOST}") == ["b", "c"]
    assert await _titles(api, "?status=ongoing") == []


async def test_list_items_omit_get_only_fields(api: Api) -> None:
    await api.create(Host=HOST, CoHost=TRAINER)
    answer = await api.call("GET", "/sessions/list?page=1")
    assert answer.data["Page"] == 1
    assert answer.data["WorkspaceId"] == api.emulator.workspace_id
    items = answer.data["Sessions"]
    assert isinstance(items, list)
    (item,) = items
    assert set(item) == {
        "SessionId", "WorkspaceId", "Title", "Host", "Scheduled",
        "Delayed", "Status", "Claimable", "Duration",
    }  # fmt: skip


@pytest.mark.series_emulator(config=PAGED)
async def test_list_pages_have_the_configured_size(api: Api) -> None:
    for day in range(1, 8):
        await api.create(Title=str(day), Scheduled=f"2024-03-0{day}T12:00:00Z")
    assert await _titles(api, "?page=1") == ["1", "2", "3"]
    assert await _titles(api, "?page=3") == ["7"]
    assert await _titles(api, "?page=4") == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?page=0", "page must be an integer between 1 and 2147483647"),
        ("?page=x", "page must be an integer between 1 and 2147483647"),
        ("?status=done", "status must be one of upcoming, ongoing, completed, cancelled"),
        ("?date=2024-1-5", "date must be a date in YYYY-MM-DD format"),
        ("?date=2024-02-30", "date must be a date in YYYY-MM-DD format"),
        ("?date=2024-01-05&start=2024-01-01&end=2024-01-09", "date cannot be combined"),
        ("?start=2024-01-01", "start and end must be used together"),
        ("?end=2024-01-01", "start and end must be used together"),
        ("?start=2024-01-09&end=2024-01-01", "start must not be after end"),
    ],
)
async def test_list_refuses_bad_queries(api: Api, query: str, message: str) -> None:
    answer = await api.call("GET", "/sessions/list" + query)
    assert answer.status == 400
    assert answer.message.startswith("Validation error: " + message)


async def test_update_echoes_changes_and_replaces_all_roles(api: Api) -> None:
    session_id = await api.create(Claimable=True, CustomRoles=[TRAINER_ROLE])
    claim = {"UserId": TRAINER, "RoleName": "Trainer", "SlotKey": "VACANT_0"}
    path = f"/sessions/{session_id}/custom-roles/claim"
    assert (await api.call("PATCH", path, claim)).status == 200

    new_role = {"name": "Trainer", "slots": 3, "minRank": 25}
    answer = await api.call(
        "PATCH",
        f"/sessions/update/{session_id}",
        {"Title": "Advanced", "Duration": 120, "CustomRoles": [new_role]},
    )
    assert answer.status == 200
    assert answer.data["SessionId"] == session_id
    assert answer.data["Title"] == "Advanced"
    assert answer.data["Duration"] == 120
    assert str(answer.data["updatedAt"]).endswith("Z")
    record = api.emulator.state.sessions[session_id]
    (role,) = record.custom_roles
    # The claim on the replaced role is gone, even though the name is the same.
    assert (role.min_rank, role.holders(), len(role.slots)) == (25, [], 3)
    assert record.title == "Advanced"
    assert record.claimable is True  # untouched fields stay

    cleared = await api.call("PATCH", f"/sessions/update/{session_id}", {"CustomRoles": []})
    assert cleared.data["CustomRoles"] == {}
    assert "CustomRoles" not in (await api.call("GET", f"/sessions/get/{session_id}")).data


async def test_update_errors(api: Api) -> None:
    session_id = await api.create()
    path = f"/sessions/update/{session_id}"
    empty = await api.call("PATCH", path, {})
    assert empty.status == 400
    assert empty.message.startswith("Validation error: no updatable field given")
    assert (await api.call("PATCH", path, {"Host": "999"})).message == (
        "Validation error: Host must be a workspace member"
    )
    assert (await api.call("PATCH", path, {"Duration": -1})).status == 400
    missing = await api.call("PATCH", "/sessions/update/session_nope", {"Title": "x"})
    assert (missing.status, missing.message) == (404, "Session not found")


async def test_set_session_status_control(series_emulator: SeriesEmulator, api: Api) -> None:
    session_id = await api.create()
    series_emulator.set_session_status(session_id, "ongoing", delayed=True)
    data = (await api.call("GET", f"/sessions/get/{session_id}")).data
    assert (data["Status"], data["Delayed"]) == ("ongoing", True)
    with pytest.raises(ValueError, match="status must be one of"):
        series_emulator.set_session_status(session_id, "paused")
    with pytest.raises(KeyError):
        series_emulator.set_session_status("session_nope", "ongoing")
