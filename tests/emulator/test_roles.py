"""Custom-role slots over real loopback HTTP: claim, quit, remove."""

from __future__ import annotations

import pytest

from series_async.testing import SeriesEmulator

from .conftest import GROUP_ONLY, HOST, ROOKIE, STAFF, TRAINER, TRAINER_ROLE, Api

FREE = {"workspace": {"tier": "free"}, "members": [{"user_id": HOST, "rank": 1}]}
OPEN_ROLE = {"name": "Helper", "slots": 1}


async def _session(api: Api, claimable: bool = True) -> str:
    return await api.create(Claimable=claimable, CustomRoles=[TRAINER_ROLE, OPEN_ROLE])


def _claim(user: str, slot: str = "VACANT_0", role: str = "Trainer") -> dict[str, str]:
    return {"UserId": user, "RoleName": role, "SlotKey": slot}


async def _slots(api: Api, session_id: str, role: str = "Trainer") -> dict[str, object]:
    data = (await api.call("GET", f"/sessions/get/{session_id}")).data
    roles = data["CustomRoles"]
    assert isinstance(roles, dict)
    slots = roles[role]["Slots"]
    assert isinstance(slots, dict)
    return slots


async def test_claim_fills_the_slot_under_the_holder_id(api: Api) -> None:
    session_id = await _session(api)
    answer = await api.call(
        "PATCH", f"/sessions/{session_id}/custom-roles/claim", _claim(TRAINER, "VACANT_1")
    )
    assert answer.status == 200
    assert answer.data == {
        "message": "Successfully claimed Trainer position",
        "SessionId": session_id,
        "RoleName": "Trainer",
        "UserId": TRAINER,
    }
    assert list(await _slots(api, session_id)) == ["VACANT_0", TRAINER]
    second = await api.call(
        "PATCH", f"/sessions/{session_id}/custom-roles/claim", _claim(HOST, "VACANT_0")
    )
    assert second.status == 200
    assert list(await _slots(api, session_id)) == [HOST, TRAINER]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (_claim(TRAINER, "VACANT_9"), 400, "Slot 'VACANT_9' does not exist in the Trainer role"),
        (_claim(TRAINER, "bogus"), 400, "Slot 'bogus' does not exist in the Trainer role"),
        (_claim(HOST, "VACANT_0"), 400, "User already holds a slot in the Trainer role"),
        (_claim(TRAINER, HOST), 400, f"Slot {HOST} is already filled"),
        (_claim(ROOKIE, "VACANT_1"), 403, "User does not meet the minimum rank requirement"),
        (_claim(GROUP_ONLY, "VACANT_1"), 400, "User is not a workspace member"),
        (_claim("42", "VACANT_1"), 400, "User is not a workspace member"),
        (_claim(TRAINER, role="Nope"), 404, "Custom role 'Nope' not found in this session"),
        ({"RoleName": "Trainer", "SlotKey": "VACANT_1"}, 400, "Validation error: UserId is"),
        ({"UserId": TRAINER, "RoleName": "Trainer"}, 400, "Validation error: SlotKey is"),
        ({"UserId": TRAINER, "SlotKey": "VACANT_1"}, 400, "Validation error: RoleName is"),
    ],
)
async def test_claim_rules(api: Api, body: dict[str, str], status: int, message: str) -> None:
    session_id = await _session(api)
    path = f"/sessions/{session_id}/custom-roles/claim"
    assert (await api.call("PATCH", path, _claim(HOST, "VACANT_0"))).status == 200
    answer = await api.call("PATCH", path, body)
    assert answer.status == status
    assert answer.message.startswith(message)
    assert list(await _slots(api, session_id)) == [HOST, "VACANT_1"]  # nothing changed


async def test_claim_is_refused_when_not_claimable_or_closed(
    series_emulator: SeriesEmulator, api: Api
) -> None:
    closed = await _session(api, claimable=False)
    answer = await api.call("PATCH", f"/sessions/{closed}/custom-roles/claim", _claim(TRAINER))
    assert (answer.status, answer.message) == (400, "Session is not claimable")
    done = await _session(api)
    series_emulator.set_session_status(done, "cancelled")
    answer = await api.call("PATCH", f"/sessions/{done}/custom-roles/claim", _claim(TRAINER))
    assert (answer.status, answer.message) == (400, "Session is cancelled")
    missing = await api.call("PATCH", "/sessions/nope/custom-roles/claim", _claim(TRAINER))
    assert (missing.status, missing.message) == (404, "Session not found")


async def test_rank_gained_by_promotion_counts_for_claims(api: Api) -> None:
    session_id = await _session(api)
    path = f"/sessions/{session_id}/custom-roles/claim"
    assert (await api.call("PATCH", path, _claim(STAFF))).status == 403  # rank 20 < 50
    assert (await api.call("POST", f"/ranking/promote/{STAFF}")).status == 200  # -> 50
    assert (await api.call("PATCH", path, _claim(STAFF))).status == 200


async def test_quit_frees_the_slot_back_to_its_vacant_key(api: Api) -> None:
    session_id = await _session(api)
    base = f"/sessions/{session_id}/custom-roles"
    await api.call("PATCH", f"{base}/claim", _claim(HOST, "VACANT_0"))
    await api.call("PATCH", f"{base}/claim", _claim(TRAINER, "VACANT_1"))
    answer = await api.call("PATCH", f"{base}/quit", {"UserId": HOST, "RoleName": "Trainer"})
    assert answer.status == 200
    assert answer.data == {
        "message": "Successfully quit Trainer position",
        "SessionId": session_id,
        "RoleName": "Trainer",
        "UserId": HOST,
    }
    assert list(await _slots(api, session_id)) == ["VACANT_0", TRAINER]
    again = await api.call("PATCH", f"{base}/quit", {"UserId": HOST, "RoleName": "Trainer"})
    assert (again.status, again.message) == (400, "User does not hold a slot in the Trainer role")


async def test_quit_errors(series_emulator: SeriesEmulator, api: Api) -> None:
    session_id = await _session(api)
    base = f"/sessions/{session_id}/custom-roles"
    await api.call("PATCH", f"{base}/claim", _claim(HOST))
    outsider = await api.call("PATCH", f"{base}/quit", {"UserId": "42", "RoleName": "Trainer"})
    assert (outsider.status, outsider.message) == (400, "User is not a workspace member")
    no_role = await api.call("PATCH", f"{base}/quit", {"UserId": HOST, "RoleName": "X"})
    assert no_role.status == 404
    for status in ("completed", "cancelled"):
        series_emulator.set_session_status(session_id, status)
        answer = await api.call("PATCH", f"{base}/quit", {"UserId": HOST, "RoleName": "Trainer"})
        assert (answer.status, answer.message) == (
            400,
            f"Cannot quit a role in a {status} session",
        )
    assert list(await _slots(api, session_id)) == [HOST, "VACANT_1"]


async def test_remove_takes_the_target_out_even_after_the_session_ended(
    series_emulator: SeriesEmulator, api: Api
) -> None:
    session_id = await _session(api)
    base = f"/sessions/{session_id}/custom-roles"
    await api.call("PATCH", f"{base}/claim", _claim(TRAINER, "VACANT_1"))
    series_emulator.set_session_status(session_id, "completed")
    body = {"TargetUserId": TRAINER, "RoleName": "Trainer"}
    answer = await api.call("PATCH", f"{base}/remove", body)
    assert answer.status == 200
    assert answer.data == {
        "message": "Successfully removed user from Trainer position",
        "SessionId": session_id,
        "RoleName": "Trainer",
        "TargetUserId": TRAINER,
    }
    assert list(await _slots(api, session_id)) == ["VACANT_0", "VACANT_1"]
    again = await api.call("PATCH", f"{base}/remove", body)
    assert again.status == 400
    wrong_field = await api.call("PATCH", f"{base}/remove", {"UserId": TRAINER, "RoleName": "T"})
    assert wrong_field.message == "Validation error: TargetUserId is required"


@pytest.mark.series_emulator(config=FREE)
@pytest.mark.parametrize("action", ["claim", "quit", "remove"])
async def test_free_tier_gets_403_on_every_role_endpoint(api: Api, action: str) -> None:
    session_id = await api.create()
    answer = await api.call("PATCH", f"/sessions/{session_id}/custom-roles/{action}", {})
    assert (answer.status, answer.message) == (
        403,
        "Custom roles requires a Premium or Enterprise subscription",
    )
