"""Tolerant parsing: casing variants, timestamps, unknown fields and values; model rules."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

from series_async import (
    Attendee,
    CreatedSession,
    CustomRole,
    RankChange,
    RoleAssignment,
    RoleSlots,
    Session,
    SessionPage,
    SessionStatus,
    SlotState,
    UpdatedSession,
    ValidationError,
)
from series_async._converter import converter, make_converter
from series_async._time import parse_timestamp

UTC = timezone.utc


@pytest.mark.parametrize("key", ["SessionId", "sessionId", "sessionID", "session_id", "SESSIONID"])
def test_session_id_casing_variants(key: str) -> None:
    assert converter.structure({key: "s1", "Title": "T"}, Session).session_id == "s1"
    assert converter.structure({key: "s1"}, CreatedSession).session_id == "s1"
    assert converter.structure({key: "s1"}, UpdatedSession).session_id == "s1"


def test_other_casing_variants() -> None:
    data = {
        "userId": "1",
        "ACTION": "demote",
        "previous_rank": 20,
        "NewRank": 5,
        "newRole": "Trainee",
    }
    change = converter.structure(data, RankChange)
    assert (
        change.user_id,
        change.action,
        change.previous_rank,
        change.new_rank,
        change.new_role,
    ) == (
        "1",
        "demote",
        20,
        5,
        "Trainee",
    )
    attendee = converter.structure(
        {
            "SessionId": "s",
            "userId": 7,
            "AttendeeId": "a",
            "Duration": 60,
            "joinTime": "2024-01-01T00:00:00Z",
        },
        Attendee,
    )
    assert (attendee.user_id, attendee.attendee_id, attendee.duration_seconds) == ("7", "a", 60)
    assignment = converter.structure(
        {"sessionId": "s", "roleName": "T", "targetUserId": "9"}, RoleAssignment
    )
    assert assignment.user_id == "9"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-20T15:00:00Z", datetime(2024, 1, 20, 15, tzinfo=UTC)),
        ("2024-01-20T15:00:00.000Z", datetime(2024, 1, 20, 15, tzinfo=UTC)),
        ("2024-01-20T15:00:00.5Z", datetime(2024, 1, 20, 15, 0, 0, 500000, tzinfo=UTC)),
        ("2024-01-20T15:00:00.123456789Z", datetime(2024, 1, 20, 15, 0, 0, 123456, tzinfo=UTC)),
        ("2024-01-20T15:00:00+00:00", datetime(2024, 1, 20, 15, tzinfo=UTC)),
        ("2024-01-20T17:00:00+02", datetime(2024, 1, 20, 15, tzinfo=UTC)),
        ("2024-01-20T15:00:00", datetime(2024, 1, 20, 15, tzinfo=UTC)),
        ("2024-01-20T15:00", datetime(2024, 1, 20, 15, tzinfo=UTC)),
    ],
)
def test_response_timestamps(text: str, expected: datetime) -> None:
    parsed = converter.structure(
        {"SessionId": "s", "Title": "t", "Scheduled": text}, Session
    ).scheduled
    assert parsed == expected
    assert parsed is not None
    assert parsed.utcoffset() is not None


def test_timestamp_keeps_offset() -> None:
    parsed = parse_timestamp("2024-01-20T17:00:00+02:00", assume_utc=False)
    assert parsed.utcoffset() == timedelta(hours=2)
    with pytest.raises(ValueError, match="no UTC offset"):
        parse_timestamp("2024-01-20T17:00:00", assume_utc=False)


def test_unknown_fields_and_status_do_not_crash() -> None:
    session = converter.structure(
        {"SessionId": "s", "Title": "t", "Status": "paused", "NewField": {"x": 1}, "Delayed": None},
        Session,
    )
    assert session.status is SessionStatus.UNKNOWN
    assert session.delayed is False
    assert session.custom_roles == {}
    assert SessionStatus("ongoing") is SessionStatus.ONGOING


def test_role_map_keys_are_not_folded() -> None:
    session = converter.structure(
        {
            "SessionId": "s",
            "Title": "t",
            "CustomRoles": {
                "Lead_Trainer": {
                    "Slots": {"VACANT_10": {}, "VACANT_2": {"Attended": True}, "55": {}}
                }
            },
        },
        Session,
    )
    role = session.custom_roles["Lead_Trainer"]
    assert role.vacant_slot_keys() == ["VACANT_2", "VACANT_10"]
    assert role.holders() == ["55"]
    assert role.slots["VACANT_2"] == SlotState(attended=True)


def test_custom_roles_echoed_as_request_array() -> None:
    created = converter.structure(
        {"sessionId": "s", "CustomRoles": [{"name": "Helper", "slots": 3, "minRank": 5}]},
        CreatedSession,
    )
    assert created.custom_roles is not None
    helper = created.custom_roles["Helper"]
    assert helper.min_rank == 5
    assert helper.vacant_slot_keys() == ["VACANT_0", "VACANT_1", "VACANT_2"]


def test_custom_roles_null_means_none() -> None:
    session = converter.structure({"SessionId": "s", "Title": "t", "CustomRoles": None}, Session)
    assert session.custom_roles == {}


def test_models_are_frozen_and_keyword_only() -> None:
    role = CustomRole(name="Trainer", slots=2)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        role.slots = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        CustomRole("Trainer", 2)  # type: ignore[misc]
    assert RoleSlots().vacant_slot_keys() == []


def test_make_converter_builds_an_independent_converter() -> None:
    other = make_converter()
    assert other is not converter
    assert other.structure({"sessionId": "s"}, CreatedSession) == CreatedSession(session_id="s")


def test_description_is_read_back() -> None:
    data = {"SessionId": "s", "Title": "t", "Description": "Bring a mic"}
    assert converter.structure(data, Session).description == "Bring a mic"
    assert converter.structure({"SessionId": "s", "Title": "t"}, Session).description is None


def test_unmapped_fields_are_kept_in_extra_under_their_wire_names() -> None:
    session = converter.structure(
        {
            "SessionId": "s",
            "Title": "t",
            "NewField": {"x": [1, None]},
            "CustomRoles": {
                "T": {"MinRank": 1, "Badge": "gold", "Slots": {"1": {"Attended": True, "At": 5}}},
            },
        },
        Session,
    )
    assert session.extra == {"NewField": {"x": [1, None]}}
    role = session.custom_roles["T"]
    assert role.extra == {"Badge": "gold"}
    assert role.slots["1"].extra == {"At": 5}
    assert role.permissions.extra == {}
    page = converter.structure({"Page": 1, "Sessions": [], "Total": 0}, SessionPage)
    assert page.extra == {"Total": 0}


def test_known_fields_and_aliases_never_land_in_extra() -> None:
    attendee = converter.structure(
        {"SessionId": "s", "UserId": "1", "Duration": 60, "attendanceId": "a"}, Attendee
    )
    assert (attendee.duration_seconds, attendee.attendee_id, attendee.extra) == (60, "a", {})
    with pytest.raises(ValueError, match="expected an integer, got a string that"):
        converter.structure({"SessionId": "s", "Title": "t", "Duration": "soon"}, Session)


@pytest.mark.parametrize(
    ("model", "data", "field", "rule"),
    [
        (
            Session,
            {"session_id": "s", "title": "t", "delayed": "false"},
            "delayed",
            "expected true or false, got a string",
        ),
        (Session, {"title": "t"}, "session_id", "is required"),
        (Session, {"session_id": None, "title": "t"}, "session_id", "expected a string, got null"),
        (
            Session,
            {"session_id": "s", "title": "t", "duration": 1.5},
            "duration",
            "expected an integer, got a number",
        ),
        (
            Session,
            {"session_id": "s", "title": "t", "duration": True},
            "duration",
            "expected an integer, got a boolean",
        ),
        (Session, {"session_id": "s", "title": ["t"]}, "title", "expected a string, got an array"),
        (Session, {"session_id": "s", "title": {}}, "title", "expected a string, got an object"),
        (
            Session,
            {"session_id": "s", "title": "t", "scheduled": "soon"},
            "scheduled",
            "not an ISO 8601 date-time: 'soon'",
        ),
        (
            Session,
            {"session_id": "s", "title": "t", "extra": []},
            "extra",
            "expected an object, got an array",
        ),
        (
            Session,
            {"session_id": "s", "title": "t", "custom_roles": {"T": {"min_rank": "x"}}},
            "custom_roles['T'].min_rank",
            "expected an integer, got a string that is not one",
        ),
        (
            RoleSlots,
            {"slots": {"1": {"attended": 1}}},
            "slots['1'].attended",
            "expected true or false, got a number",
        ),
        (
            SessionPage,
            {"page": 1, "sessions": [{"session_id": "a", "title": "t"}, {"session_id": "b"}]},
            "sessions[1].title",
            "is required",
        ),
        (CustomRole, {"name": "T", "extra": {}}, "data", "'extra': not a field of CustomRole"),
        (
            CustomRole,
            {"name": "T", "slots": 1, "min_rnak": 3},
            "data",
            "'min_rnak': not a field of CustomRole",
        ),
        (
            CustomRole,
            {"name": "T", "slots": 1, "permissions": {"modify_attendance": "yes"}},
            "permissions.modify_attendance",
            "expected true or false, got a string",
        ),
        (Session, ["s"], "data", "expected an object for Session, got list"),
    ],
)
def test_from_dict_applies_the_response_rules_and_names_the_field(
    model: type[Session], data: Any, field: str, rule: str
) -> None:
    with pytest.raises(ValidationError) as info:
        model.from_dict(data)
    assert (info.value.field, str(info.value)) == (field, f"{field}: {rule}")


def test_from_dict_accepts_what_a_response_may_spell_otherwise() -> None:
    session = Session.from_dict({"SessionId": 42, "title": "t", "duration": "60"})
    assert (session.session_id, session.duration) == ("42", 60)
    assert Session.from_dict({**session.to_dict(), "Later": 1}).extra == {"Later": 1}
