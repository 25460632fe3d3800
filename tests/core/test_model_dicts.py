"""Models that lose nothing and travel (design §10): ``extra``, ``to_dict``, ``from_dict``.

The property tests build any model from its attrs fields, then check that it survives
``to_dict`` / ``from_dict`` and ``to_json``, and that a response carrying it (keys in
any of the usual casings, unknown keys at every depth) reads back to the same model,
each unknown key in the ``extra`` of the object it came in.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from series_async import (
    Attendee,
    CreatedSession,
    CustomRole,
    KeyInfo,
    RankChange,
    RoleAssignment,
    RolePermissions,
    RoleSlots,
    Session,
    SessionPage,
    SessionStatus,
    SlotState,
    UpdatedSession,
)
from series_async._converter import converter, fold_key
from series_async._time import format_exact

pytestmark = pytest.mark.timeout(120)

RESPONSES = [Attendee, CreatedSession, KeyInfo, RankChange, RoleAssignment, RolePermissions]
RESPONSES += [RoleSlots, Session, SessionPage, SlotState, UpdatedSession]
MODELS = [*RESPONSES, CustomRole]
# Wire names the converter reads as another field's (aliases): never extra keys here.
ALIASES = {"duration", "attendanceid", "targetuserid"}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1))


def extras_for(model: type) -> st.SearchStrategy[dict[str, Any]]:
    known = {fold_key(a.name) for a in attrs.fields(model)} | ALIASES
    keys = st.text(min_size=1, max_size=10).filter(lambda k: fold_key(k) not in known)
    return st.dictionaries(keys, json_values, max_size=3)


def strategy(tp: Any, model: type) -> st.SearchStrategy[Any]:
    """Any value of the field type ``tp`` of ``model``."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is str:
        return st.text(max_size=10)
    if tp is int:
        return st.integers()
    if tp is bool:
        return st.booleans()
    if tp is datetime:
        return st.builds(lambda m, tz: m.replace(tzinfo=tz), moments, offsets)
    if tp is SessionStatus:
        return st.sampled_from(SessionStatus)
    if origin in (typing.Union, types.UnionType):
        (inner,) = (a for a in args if a is not type(None))
        return st.none() | strategy(inner, model)
    if origin is dict:
        return st.dictionaries(st.text(max_size=10), strategy(args[1], model), max_size=2)
    if origin is list:
        return st.lists(strategy(args[0], model), max_size=2)
    if tp == Mapping[str, Any]:
        return extras_for(model)
    assert attrs.has(tp), tp
    return models(tp)


def models(model: type) -> st.SearchStrategy[Any]:
    return st.builds(
        model, **{a.name: strategy(a.type, model) for a in attrs.fields(model) if a.init}
    )


def to_wire(value: Any, data: st.DataObject) -> Any:
    """``value`` as the API could send it: keys in a drawn casing, extra keys among them."""
    if attrs.has(type(value)):
        wire: dict[str, Any] = {}
        for a in attrs.fields(type(value)):
            if a.name == "extra":
                wire.update(getattr(value, a.name))
                continue
            pascal = "".join(part.title() for part in a.name.split("_"))
            key = data.draw(st.sampled_from([a.name, pascal, pascal[0].lower() + pascal[1:]]))
            wire[key] = to_wire(getattr(value, a.name), data)
        return wire
    if isinstance(value, dict):
        return {k: to_wire(v, data) for k, v in value.items()}
    if isinstance(value, list):
        return [to_wire(v, data) for v in value]
    if isinstance(value, datetime):
        return format_exact(value)
    if isinstance(value, SessionStatus):
        return value.value
    return value


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_model_survives_dict_and_json(model: type, data: st.DataObject) -> None:
    value = data.draw(models(model))
    as_dict = value.to_dict()
    assert model.from_dict(as_dict) == value
    assert json.loads(value.to_json()) == as_dict
    assert model.from_dict(json.loads(value.to_json())) == value


@pytest.mark.parametrize("model", RESPONSES, ids=lambda m: m.__name__)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_unknown_keys_at_any_depth_land_in_their_own_extra(
    model: type, data: st.DataObject
) -> None:
    value = data.draw(models(model))
    assert converter.structure(to_wire(value, data), model) == value


def test_to_dict_writes_attribute_names_utc_timestamps_and_enum_values() -> None:
    plus2 = timezone(timedelta(hours=2))
    session = Session(
        session_id="s1",
        title="Training",
        scheduled=datetime(2026, 12, 1, 17, 0, 0, 123456, tzinfo=plus2),
        status=SessionStatus.ONGOING,
        custom_roles={"T": RoleSlots(min_rank=5, slots={"1": SlotState(attended=True)})},
        extra={"NewField": [1, {"x": None}]},
    )
    assert session.to_dict() == {
        "session_id": "s1",
        "title": "Training",
        "description": None,
        "workspace_id": None,
        "host": None,
        "co_host": None,
        "supervisor": None,
        "scheduled": "2026-12-01T15:00:00.123456Z",
        "delayed": False,
        "status": "ongoing",
        "claimable": False,
        "duration": None,
        "min_host_rank": None,
        "custom_roles": {
            "T": {
                "min_rank": 5,
                "permissions": {
                    "change_session_status": False,
                    "pass_or_fail_attendees": False,
                    "modify_attendance": False,
                    "extra": {},
                },
                "slots": {"1": {"attended": True, "extra": {}}},
                "extra": {},
            }
        },
        "extra": {"NewField": [1, {"x": None}]},
    }
    assert json.loads(session.to_json()) == session.to_dict()


@pytest.mark.parametrize(
    ("when", "text"),
    [
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc), "2026-01-02T03:04:05Z"),
        (datetime(2026, 1, 2, 3, 4, 5, 500000, tzinfo=timezone.utc), "2026-01-02T03:04:05.500Z"),
        (datetime(2026, 1, 2, 3, 4, 5, 7, tzinfo=timezone.utc), "2026-01-02T03:04:05.000007Z"),
    ],
)
def test_timestamps_keep_every_fractional_digit(when: datetime, text: str) -> None:
    assert KeyInfo(valid=True, created_at=when).to_dict()["created_at"] == text


def test_to_dict_is_a_new_dict() -> None:
    session = Session(session_id="s", title="t", extra={"Tags": ["a"]})
    data = session.to_dict()
    data["extra"]["Tags"].append("b")
    assert session.extra == {"Tags": ["a"]}


def test_request_side_models_travel_too() -> None:
    role = CustomRole(
        name="Trainer", slots=2, min_rank=50, permissions=RolePermissions(modify_attendance=True)
    )
    assert role.to_dict() == {
        "name": "Trainer",
        "slots": 2,
        "min_rank": 50,
        "permissions": {
            "change_session_status": False,
            "pass_or_fail_attendees": False,
            "modify_attendance": True,
            "extra": {},
        },
    }
    assert CustomRole.from_dict(role.to_dict()) == role
    helper = CustomRole(name="Helper", slots=1)
    assert CustomRole.from_dict({"name": "Helper", "slots": 1}) == helper


def test_extra_is_never_sent_in_a_request_body() -> None:
    role = CustomRole(name="T", slots=1, permissions=RolePermissions(extra={"Echoed": True}))
    assert converter.unstructure(role) == {
        "name": "T",
        "slots": 1,
        "minRank": 0,
        "permissions": {
            "ChangeSessionStatus": False,
            "PassOrFailAttendees": False,
            "ModifyAttendance": False,
        },
    }


def test_models_with_extra_stay_hashable_where_they_were() -> None:
    assert hash(SlotState(attended=True)) == hash(SlotState(attended=True, extra={}))
    assert len({RolePermissions(), RolePermissions(modify_attendance=True)}) == 2
    assert CustomRole(name="T", slots=1) in {CustomRole(name="T", slots=1)}
