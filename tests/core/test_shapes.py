"""Hooks generated per key shape read every object exactly as the folding path does.

The converter compiles, for each key shape a response model meets, a cattrs function that
reads the raw keys directly (series_async/_hooks.py); the folding path (copy the object
under folded keys, then read) is the reference. Fuzzed objects mixing spellings, nulls,
wrong types, aliases, duplicate spellings and unknown keys must give both the same model,
or the same error.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import series_async._hooks
from series_async import (
    Attendee,
    CreatedSession,
    KeyInfo,
    RankChange,
    RoleAssignment,
    RolePermissions,
    RoleSlots,
    Session,
    SessionPage,
    SlotState,
    UpdatedSession,
)
from series_async._converter import fold_key, make_converter

pytestmark = pytest.mark.timeout(60)

SHAPED = make_converter(shapes=1_000_000)  # never runs out of generated hooks
FOLDED = make_converter(shapes=0)  # never generates one

MODELS = [Attendee, CreatedSession, KeyInfo, RankChange, RoleAssignment, RoleSlots, Session]
MODELS += [SessionPage, UpdatedSession]
ALIASES = ["duration", "Duration", "attendanceId", "AttendanceID", "targetUserId", "TargetUserId"]


def spellings(name: str) -> list[str]:
    pascal = "".join(part.title() for part in name.split("_"))
    return [name, pascal, pascal[0].lower() + pascal[1:], fold_key(name), name.upper()]


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 300),
    st.sampled_from(["42", "-7", "x", "", "upcoming", "cancelled", "weird"]),
    st.sampled_from(["2024-01-20T15:00:00.000Z", "2024-01-20T15:00:00", "2024-01-20 15:00"]),
    st.sampled_from(["not a time", "2024-13-40T99:00:00Z"]),
    st.floats(allow_nan=False, width=16),
)
roles = st.dictionaries(
    st.sampled_from(["Trainer", "Helper"]),
    st.fixed_dictionaries(
        {},
        optional={
            "MinRank": st.integers(0, 255) | st.none() | st.just("5"),
            "Permissions": st.none()
            | st.dictionaries(
                st.sampled_from(["ChangeSessionStatus", "modifyAttendance", "Other"]),
                st.booleans() | st.integers(0, 1),
                max_size=3,
            ),
            "Slots": st.none()
            | st.dictionaries(
                st.sampled_from(["VACANT_0", "714760171"]),
                st.fixed_dictionaries({"Attended": st.booleans() | st.none() | st.just(1)}),
                max_size=2,
            ),
        },
    ),
    max_size=2,
)
values = st.one_of(scalars, roles, st.lists(scalars, max_size=2))


@st.composite
def wire_objects(draw: st.DrawFn, model: type) -> dict[str, Any]:
    keys: list[str] = []
    for field in attrs.fields(model):
        keys += draw(st.lists(st.sampled_from(spellings(field.name)), max_size=2))
    keys += draw(st.lists(st.sampled_from([*ALIASES, "Unknown", "extra_key"]), max_size=2))
    keys = draw(st.permutations(keys))
    obj: dict[str, Any] = {}
    for key in keys:
        obj[key] = draw(values)
    return obj


def outcome(converter: Any, obj: dict[str, Any], model: type) -> tuple[str, Any]:
    try:
        return "ok", converter.structure(obj, model)
    except Exception as exc:  # compared by class and text
        return "error", (type(exc), str(exc))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@settings(max_examples=100)
@given(data=st.data())
def test_shaped_hooks_agree_with_folding(model: type, data: st.DataObject) -> None:
    obj = data.draw(wire_objects(model))
    shaped = outcome(SHAPED, obj, model)
    assert shaped == outcome(FOLDED, obj, model)
    assert shaped == outcome(SHAPED, obj, model)  # the second time, from the compiled hook


def test_the_documented_session_takes_a_generated_hook() -> None:
    data = {
        "SessionId": "s1",
        "Title": "Training",
        "Status": "upcoming",
        "Delayed": None,
        "CustomRoles": {
            "T": {"MinRank": 3, "Permissions": None, "Slots": {"1": {"Attended": True}}}
        },
    }
    hook = SHAPED.get_structure_hook(Session)
    first = hook(data, Session)
    assert first == FOLDED.structure(data, Session)
    assert first.delayed is False  # null for a defaulted field is its default
    assert first.custom_roles["T"].permissions.modify_attendance is False
    assert hook(data, Session) == first


def test_a_hostile_server_cannot_make_it_compile_forever(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[type] = []
    generate = series_async._hooks.make_dict_structure_fn

    def counting(cl: type, *args: Any, **kwargs: Any) -> Any:
        compiled.append(cl)
        return generate(cl, *args, **kwargs)

    monkeypatch.setattr(series_async._hooks, "make_dict_structure_fn", counting)
    converter = make_converter(shapes=3)
    for n in range(10):  # ten shapes: an unknown key named differently each time
        data = {"SessionId": "s", "Title": "t", f"Extra{n}": n}
        assert converter.structure(data, Session) == FOLDED.structure(data, Session)
    assert compiled == [Session] * 3
    converter.structure({"SessionId": "s", "Title": "t", "Extra0": 0}, Session)
    assert compiled == [Session] * 3  # a known shape reuses its function


@pytest.mark.parametrize("model", [SlotState, RolePermissions])
def test_an_interned_value_is_never_confused_with_an_equal_number(model: type) -> None:
    hook = make_converter().get_structure_hook(model)
    key = fold_key(attrs.fields(model)[0].name)
    assert hook({key: True}, model) is hook({key: True}, model)  # shared, from the cache
    for impostor in (1, 1.0):  # == True, with True's hash
        with pytest.raises(TypeError, match="expected true or false, got a number"):
            hook({key: impostor}, model)


def test_a_str_subclass_timestamp_reads_as_before() -> None:
    class Text(str):
        pass

    data = {"SessionId": "s", "Title": "t", "Scheduled": Text("2024-01-20T15:00:00Z")}
    for converter in (SHAPED, FOLDED):
        scheduled = converter.structure(data, Session).scheduled
        assert scheduled is not None
        assert scheduled.isoformat() == "2024-01-20T15:00:00+00:00"
