"""Every documented input rule is checked before any I/O, naming the field and the rule."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timezone
from typing import Any

import pytest

from series_async import UNSET, CustomRole, RolePermissions, SeriesClient, ValidationError
from tests.recorder import Recorder, ok

pytestmark = pytest.mark.timeout(10)

WHEN = datetime(2026, 12, 1, 15, tzinfo=timezone.utc)


def create(**overrides: Any) -> Callable[[SeriesClient], Awaitable[object]]:
    kwargs: dict[str, Any] = {"title": "T", "scheduled": WHEN, "duration": 60, **overrides}
    return lambda c: c.sessions.create(**kwargs)


def role(**overrides: Any) -> CustomRole:
    return CustomRole(**{"name": "Trainer", "slots": 2, **overrides})


CASES: list[tuple[str, Callable[[SeriesClient], Awaitable[object]], str, str]] = [
    ("empty title", create(title=""), "title", "must not be empty"),
    ("blank title", create(title="   "), "title", "must not be empty"),
    ("title not str", create(title=5), "title", "must be a string"),
    ("duration zero", create(duration=0), "duration", "must be an integer >= 1 (minutes), got 0"),
    ("duration bool", create(duration=True), "duration", "must be an integer, got bool"),
    ("duration float", create(duration=1.5), "duration", "must be an integer, got float"),
    (
        "naive scheduled",
        create(scheduled=datetime(2026, 12, 1, 15)),
        "scheduled",
        "naive datetime is ambiguous",
    ),
    ("naive iso", create(scheduled="2026-12-01T15:00:00"), "scheduled", "has no UTC offset"),
    ("garbage iso", create(scheduled="tomorrow"), "scheduled", "not an ISO 8601 date-time"),
    ("scheduled int", create(scheduled=1700000000), "scheduled", "timezone-aware datetime"),
    ("host letters", create(host="abc"), "host", "Roblox user id"),
    ("host zero", create(host=0), "host", "positive Roblox user id"),
    ("host negative str", create(host="-5"), "host", "digit-only"),
    ("co_host bool", create(co_host=True), "co_host", "got bool"),
    ("supervisor float", create(supervisor=1.0), "supervisor", "Roblox user id"),
    ("host unicode digits", create(host="١٢٣"), "host", "digit-only"),
    ("claimable int", create(claimable=1), "claimable", "must be True or False"),
    ("description int", create(description=3), "description", "must be a string"),
    (
        "roles none on update",
        lambda c: c.sessions.update("s", custom_roles=None),
        "custom_roles",
        "pass [] to remove",
    ),
    ("roles not list", create(custom_roles=role()), "custom_roles", "must be a list of CustomRole"),
    (
        "role dict",
        create(custom_roles=[{"name": "x", "slots": 1}]),
        "custom_roles[0]",
        "must be a CustomRole, got dict",
    ),
    ("slots zero", create(custom_roles=[role(slots=0)]), "custom_roles[0].slots", "from 1 to 10"),
    (
        "slots eleven",
        create(custom_roles=[role(slots=11)]),
        "custom_roles[0].slots",
        "from 1 to 10",
    ),
    (
        "min rank high",
        create(custom_roles=[role(min_rank=256)]),
        "custom_roles[0].min_rank",
        "from 0 to 255",
    ),
    (
        "min rank negative",
        create(custom_roles=[role(min_rank=-1)]),
        "custom_roles[0].min_rank",
        "from 0 to 255",
    ),
    ("reserved Host", create(custom_roles=[role(name="Host")]), "custom_roles[0].name", "reserved"),
    (
        "reserved cohost",
        create(custom_roles=[role(name="Co-Host")]),
        "custom_roles[0].name",
        "reserved",
    ),
    (
        "reserved supervisor",
        create(custom_roles=[role(), role(name="supervisor")]),
        "custom_roles[1].name",
        "reserved",
    ),
    (
        "duplicate",
        create(custom_roles=[role(), role()]),
        "custom_roles[1].name",
        "duplicate role name 'Trainer'",
    ),
    (
        "empty role name",
        create(custom_roles=[role(name="")]),
        "custom_roles[0].name",
        "must not be empty",
    ),
    (
        "permission int",
        create(custom_roles=[role(permissions=RolePermissions(modify_attendance=1))]),
        "custom_roles[0].permissions.modify_attendance",
        "True or False",
    ),
    (
        "permissions dict",
        create(custom_roles=[role(permissions={})]),
        "custom_roles[0].permissions",
        "RolePermissions",
    ),
    ("empty session id", lambda c: c.sessions.get(""), "session_id", "non-empty string"),
    ("int session id", lambda c: c.sessions.get(5), "session_id", "non-empty string"),
    ("empty update", lambda c: c.sessions.update("s"), "update", "at least one field"),
    (
        "update title none",
        lambda c: c.sessions.update("s", title=None),
        "title",
        "leave it out (UNSET)",
    ),
    (
        "update host none",
        lambda c: c.sessions.update("s", host=None),
        "host",
        "leave it out (UNSET)",
    ),
    ("update duration", lambda c: c.sessions.update("s", duration=-1), "duration", ">= 1"),
    ("page zero", lambda c: c.sessions.list(page=0), "page", ">= 1"),
    ("page str", lambda c: c.sessions.list(page="2"), "page", "must be an integer"),
    ("bad status", lambda c: c.sessions.list(status="paused"), "status", "must be one of upcoming"),
    (
        "date and start",
        lambda c: c.sessions.list(date="2024-01-01", start="2024-01-01", end="2024-01-02"),
        "date",
        "cannot be combined",
    ),
    ("start alone", lambda c: c.sessions.list(start="2024-01-01"), "end", "go together"),
    ("end alone", lambda c: c.sessions.list(end="2024-01-01"), "start", "go together"),
    (
        "start after end",
        lambda c: c.sessions.list(start="2024-02-01", end="2024-01-01"),
        "start",
        "must not be after end",
    ),
    ("date format", lambda c: c.sessions.list(date="01/15/2024"), "date", "YYYY-MM-DD"),
    (
        "date impossible",
        lambda c: c.sessions.list(date="2024-02-30"),
        "date",
        "not a real calendar day",
    ),
    ("date as datetime", lambda c: c.sessions.list(date=WHEN), "date", "not a datetime"),
    ("list host", lambda c: c.sessions.list(host="me"), "host", "Roblox user id"),
    (
        "slot key",
        lambda c: c.sessions.claim_custom_role("s", user_id=1, role_name="T", slot_key="714760171"),
        "slot_key",
        "VACANT_0",
    ),
    (
        "slot key case",
        lambda c: c.sessions.claim_custom_role("s", user_id=1, role_name="T", slot_key="vacant_0"),
        "slot_key",
        "VACANT_0",
    ),
    (
        "claim user",
        lambda c: c.sessions.claim_custom_role(
            "s", user_id="x", role_name="T", slot_key="VACANT_0"
        ),
        "user_id",
        "Roblox user id",
    ),
    (
        "claim role",
        lambda c: c.sessions.claim_custom_role("s", user_id=1, role_name="", slot_key="VACANT_0"),
        "role_name",
        "must not be empty",
    ),
    (
        "quit user",
        lambda c: c.sessions.quit_custom_role("s", user_id=None, role_name="T"),
        "user_id",
        "Roblox user id",
    ),
    (
        "remove target",
        lambda c: c.sessions.remove_custom_role("s", target_user_id="1a", role_name="T"),
        "target_user_id",
        "Roblox user id",
    ),
    (
        "attendee user",
        lambda c: c.attendance.add_attendee("s", user_id="bob"),
        "user_id",
        "Roblox user id",
    ),
    (
        "attendee naive",
        lambda c: c.attendance.add_attendee("s", user_id=1, join_time=datetime(2024, 1, 1)),
        "join_time",
        "naive",
    ),
    (
        "attendee order",
        lambda c: c.attendance.add_attendee(
            "s", user_id=1, join_time="2024-01-01T10:00:00Z", leave_time="2024-01-01T09:00:00Z"
        ),
        "leave_time",
        "must not be before join_time",
    ),
    (
        "attendee username",
        lambda c: c.attendance.add_attendee("s", user_id=1, username=5),
        "username",
        "must be a string",
    ),
    (
        "update attendee nothing",
        lambda c: c.attendance.update_attendee("s", user_id=1),
        "update_attendee",
        "join_time, leave_time or both",
    ),
    (
        "update attendee unset",
        lambda c: c.attendance.update_attendee("s", user_id=1, join_time=UNSET),
        "update_attendee",
        "join_time, leave_time or both",
    ),
    (
        "update attendee none",
        lambda c: c.attendance.update_attendee("s", user_id=1, leave_time=None),
        "leave_time",
        "timezone-aware",
    ),
    ("promote user", lambda c: c.ranking.promote("abc"), "user_id", "Roblox user id"),
    ("demote comment", lambda c: c.ranking.demote(1, comment=5), "comment", "must be a string"),
    ("rank high", lambda c: c.ranking.set_rank(1, 256), "rank", "from 0 to 255"),
    ("rank negative", lambda c: c.ranking.set_rank(1, -1), "rank", "from 0 to 255"),
    ("rank str", lambda c: c.ranking.set_rank(1, "50"), "rank", "must be an integer"),
    ("check empty key", lambda c: c.keys.check(""), "api_key", "must not be empty"),
]


@pytest.mark.parametrize(("name", "call", "field", "rule"), CASES, ids=[c[0] for c in CASES])
async def test_rule_refused_before_io(
    client: SeriesClient,
    recorder: Recorder,
    name: str,
    call: Callable[[SeriesClient], Awaitable[object]],
    field: str,
    rule: str,
) -> None:
    with pytest.raises(ValidationError) as info:
        await call(client)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.field == field
    assert str(err).startswith(f"{field}: ")
    assert rule in str(err)
    assert recorder.requests == []


async def test_iterate_validates_before_first_request(
    client: SeriesClient, recorder: Recorder
) -> None:
    with pytest.raises(ValidationError, match="start and end go together"):
        async for _ in client.sessions.iterate(start=date(2024, 1, 1)):
            pass
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        ("2026-12-01T15:00:00Z", "2026-12-01T15:00:00Z"),
        ("2026-12-01T15:00:00.000Z", "2026-12-01T15:00:00Z"),
        ("2026-12-01T15:00:00.123456+00:00", "2026-12-01T15:00:00.123Z"),
        ("2026-12-01T10:00:00-05:00", "2026-12-01T15:00:00Z"),
        ("2026-12-01T16:30+0130", "2026-12-01T15:00:00Z"),
        ("2026-12-01 15:00:00z", "2026-12-01T15:00:00Z"),
        (datetime(2026, 12, 1, 15, 0, 0, 5000, tzinfo=timezone.utc), "2026-12-01T15:00:00.005Z"),
    ],
)
async def test_timestamps_sent_as_utc_z(
    client: SeriesClient, recorder: Recorder, value: object, wire: str
) -> None:
    from tests.recorder import ok

    recorder.reply(ok({"sessionId": "s"}))
    await client.sessions.create(title="T", scheduled=value, duration=1)  # type: ignore[arg-type]
    assert recorder.last.json()["Scheduled"] == wire


@pytest.mark.parametrize(
    ("user_id", "rule"),
    [
        (2**53, "up to 2**53-1"),
        (str(2**53), "up to 2**53-1"),
        ("9" * 40, "up to 2**53-1"),
        ("9" * 5000, "up to 2**53-1"),
        ("0", "positive Roblox user id, got '0'"),
        ("000", "positive Roblox user id, got '000'"),
        (0, "positive Roblox user id, got 0"),
        (-(10**5000), "positive Roblox user id, got a large negative number"),
    ],
    ids=["2**53", "'2**53'", "40 digits", "5000 digits", "'0'", "'000'", "0", "-10**5000"],
)
async def test_user_id_one_rule_for_int_and_digit_string(
    client: SeriesClient, recorder: Recorder, user_id: object, rule: str
) -> None:
    # An int and a digit string name the same id: both forms obey the same bounds,
    # whatever their length, and nothing is sent.
    with pytest.raises(ValidationError) as info:
        await client.ranking.promote(user_id)  # type: ignore[arg-type]
    assert info.value.field == "user_id"
    assert rule in str(info.value)
    assert recorder.requests == []


@pytest.mark.parametrize("user_id", [1, "1", 2**53 - 1, str(2**53 - 1), "0000714760171"])
async def test_user_id_in_range_is_sent_as_given(
    client: SeriesClient, recorder: Recorder, user_id: object
) -> None:
    recorder.reply(ok({"UserId": "1", "Action": "promote", "PreviousRank": 1, "NewRank": 2}))
    await client.ranking.promote(user_id)  # type: ignore[arg-type]
    assert [r.path for r in recorder.requests] == [f"/ranking/promote/{user_id}"]
