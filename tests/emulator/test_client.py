"""The async SeriesClient against the emulator over real loopback HTTP.

Every endpoint, and every error status the docs list, through the public SDK:
if the client and the emulator disagree on the wire, these tests say so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import pytest

from series_async import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    CustomRole,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RolePermissions,
    SeriesClient,
    SessionStatus,
)
from series_async.testing import SeriesEmulator

from .conftest import GROUP_ONLY, HOST, ROOKIE, STAFF, TRAINER

START = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)
TRAINER_ROLE = CustomRole(
    name="Trainer",
    slots=2,
    min_rank=50,
    permissions=RolePermissions(pass_or_fail_attendees=True),
)
FREE = {
    "workspace": {"tier": "free"},
    "ranks": [{"rank": 1, "name": "A"}, {"rank": 2, "name": "B"}],
    "members": [{"user_id": HOST, "rank": 1}],
}


@pytest.fixture
async def client(series_emulator: SeriesEmulator) -> AsyncIterator[SeriesClient]:
    async with SeriesClient(api_key=series_emulator.api_key, base_url=series_emulator.url) as c:
        yield c


async def _session(client: SeriesClient, **extra: object) -> str:
    created = await client.sessions.create(
        title="Training", scheduled=START, duration=60, host=HOST, claimable=True,
        custom_roles=[TRAINER_ROLE], **extra,  # type: ignore[arg-type]
    )  # fmt: skip
    return created.session_id


async def test_keys_check(client: SeriesClient, series_emulator: SeriesEmulator) -> None:
    info = await client.keys.check()
    assert info.valid is True
    assert info.status == "active"
    assert info.workspace_id == series_emulator.workspace_id
    assert info.workspace_name == "Demo Training Group"
    bad = await client.keys.check("sk_nope")
    assert (bad.valid, bad.status, bad.message) == (
        False,
        "inactive",
        "API key is inactive or invalid",
    )


async def test_create_get_list_update(
    client: SeriesClient, series_emulator: SeriesEmulator
) -> None:
    created = await client.sessions.create(
        title="Training", scheduled=START, duration=60, host=HOST, description="Basics",
        co_host=TRAINER, supervisor=int(STAFF), claimable=False, custom_roles=[TRAINER_ROLE],
    )  # fmt: skip
    assert created.title == "Training"
    assert created.scheduled == START
    assert created.custom_roles is not None
    assert created.custom_roles["Trainer"].vacant_slot_keys() == ["VACANT_0", "VACANT_1"]
    assert created.created_at is not None

    session = await client.sessions.get(created.session_id)
    assert session.session_id == created.session_id
    assert (session.host, session.co_host, session.supervisor) == (HOST, TRAINER, STAFF)
    assert session.status is SessionStatus.UPCOMING
    assert session.scheduled == START
    assert session.custom_roles["Trainer"].min_rank == 50
    assert session.custom_roles["Trainer"].permissions.pass_or_fail_attendees is True

    page = await client.sessions.list(status="upcoming", date=START.date().isoformat())
    assert [s.session_id for s in page.sessions] == [created.session_id]
    assert page.page == 1

    updated = await client.sessions.update(
        created.session_id, title="Advanced", duration=120, custom_roles=[]
    )
    assert (updated.session_id, updated.title, updated.duration) == (
        created.session_id,
        "Advanced",
        120,
    )
    record = series_emulator.state.sessions[created.session_id]
    assert (record.title, record.duration, record.custom_roles) == ("Advanced", 120, ())


async def test_iterate_walks_every_page(series_emulator: SeriesEmulator) -> None:
    config = {"workspace": {"page_size": 2}, "members": [{"user_id": HOST, "rank": 1}]}
    async with (
        SeriesEmulator(config) as emulator,
        SeriesClient(api_key=emulator.api_key, base_url=emulator.url) as client,
    ):
        for day in range(5):
            await client.sessions.create(
                title=f"s{day}", scheduled=START + timedelta(days=day), duration=30
            )
        titles = [s.title async for s in client.sessions.iterate()]
        assert titles == ["s0", "s1", "s2", "s3", "s4"]


async def test_claim_quit_remove(client: SeriesClient, series_emulator: SeriesEmulator) -> None:
    sid = await _session(client)
    claim = await client.sessions.claim_custom_role(
        sid, user_id=int(TRAINER), role_name="Trainer", slot_key="VACANT_1"
    )
    assert (claim.session_id, claim.role_name, claim.user_id) == (sid, "Trainer", TRAINER)
    assert claim.message == "Successfully claimed Trainer position"
    session = await client.sessions.get(sid)
    assert session.custom_roles["Trainer"].holders() == [TRAINER]
    assert session.custom_roles["Trainer"].vacant_slot_keys() == ["VACANT_0"]

    quit_ = await client.sessions.quit_custom_role(sid, user_id=TRAINER, role_name="Trainer")
    assert quit_.message == "Successfully quit Trainer position"
    await client.sessions.claim_custom_role(
        sid, user_id=HOST, role_name="Trainer", slot_key="VACANT_0"
    )
    removed = await client.sessions.remove_custom_role(
        sid, target_user_id=HOST, role_name="Trainer"
    )
    assert (removed.user_id, removed.role_name) == (HOST, "Trainer")
    assert removed.message == "Successfully removed user from Trainer position"
    (role,) = series_emulator.state.sessions[sid].custom_roles
    assert role.holders() == []


async def test_attendance(client: SeriesClient) -> None:
    sid = await _session(client)
    added = await client.attendance.add_attendee(
        sid, user_id=STAFF, username="StaffSky", join_time="2024-01-15T10:30:00Z",
        leave_time=datetime(2024, 1, 15, 11, 45, tzinfo=timezone.utc),
    )  # fmt: skip
    assert (added.session_id, added.user_id, added.duration_seconds) == (sid, STAFF, 4500)
    assert added.attendee_id is not None
    updated = await client.attendance.update_attendee(
        sid, user_id=STAFF, join_time="2024-01-15T10:25:00+00:00"
    )
    assert updated.duration_seconds == 4800
    assert updated.updated_at is not None
    assert updated.leave_time == datetime(2024, 1, 15, 11, 45, tzinfo=timezone.utc)


async def test_ranking(client: SeriesClient, series_emulator: SeriesEmulator) -> None:
    up = await client.ranking.promote(ROOKIE, comment="Passed training evaluation")
    assert (up.action, up.previous_rank, up.new_rank, up.new_role) == (
        "promote",
        5,
        20,
        "Junior Staff",
    )
    assert up.workspace_id == series_emulator.workspace_id
    down = await client.ranking.demote(int(ROOKIE))
    assert (down.action, down.new_rank, down.new_role) == ("demote", 5, "Trainee")
    jump = await client.ranking.set_rank(GROUP_ONLY, 50, comment="Reinstated")
    assert (jump.action, jump.previous_rank, jump.new_rank) == ("set-rank", 5, 50)
    history = series_emulator.state.ranking_history
    assert [(h.action, h.comment) for h in history] == [
        ("promote", "Passed training evaluation"),
        ("demote", None),
        ("set-rank", "Reinstated"),
    ]


async def test_documented_400s(client: SeriesClient, series_emulator: SeriesEmulator) -> None:
    sid = await _session(client)
    with pytest.raises(BadRequestError, match="Host must be a workspace member") as info:
        await client.sessions.create(title="T", scheduled=START, duration=5, host="42")
    assert (info.value.status, info.value.code) == (400, 400)
    await client.sessions.claim_custom_role(
        sid, user_id=HOST, role_name="Trainer", slot_key="VACANT_0"
    )
    cases = [
        (TRAINER, "VACANT_0", "already filled"),
        (HOST, "VACANT_1", "already holds a slot"),
        (GROUP_ONLY, "VACANT_1", "not a workspace member"),
    ]
    for user, slot, message in cases:
        with pytest.raises(BadRequestError, match=message):
            await client.sessions.claim_custom_role(
                sid, user_id=user, role_name="Trainer", slot_key=slot
            )
    await client.sessions.update(sid, claimable=False)
    with pytest.raises(BadRequestError, match="Session is not claimable"):
        await client.sessions.claim_custom_role(
            sid, user_id=TRAINER, role_name="Trainer", slot_key="VACANT_1"
        )
    with pytest.raises(BadRequestError, match="does not hold a slot"):
        await client.sessions.quit_custom_role(sid, user_id=TRAINER, role_name="Trainer")
    series_emulator.set_session_status(sid, "completed")
    with pytest.raises(BadRequestError, match="completed session"):
        await client.sessions.quit_custom_role(sid, user_id=HOST, role_name="Trainer")
    with pytest.raises(BadRequestError, match="not a workspace member"):
        await client.sessions.remove_custom_role(sid, target_user_id="42", role_name="Trainer")
    with pytest.raises(BadRequestError, match=r"Cannot promote beyond rank 100"):
        await client.ranking.promote(HOST)
    with pytest.raises(BadRequestError, match="already at the specified rank"):
        await client.ranking.set_rank(TRAINER, 50)
    await client.ranking.set_rank(GROUP_ONLY, 1)
    with pytest.raises(BadRequestError, match="already at the lowest rank"):
        await client.ranking.demote(GROUP_ONLY)


async def test_documented_403s(client: SeriesClient) -> None:
    sid = await _session(client)
    with pytest.raises(PermissionDeniedError, match="minimum rank") as info:
        await client.sessions.claim_custom_role(
            sid, user_id=ROOKIE, role_name="Trainer", slot_key="VACANT_0"
        )
    assert info.value.status == 403


@pytest.mark.series_emulator(config=FREE)
async def test_free_tier_403s(client: SeriesClient) -> None:
    with pytest.raises(PermissionDeniedError, match="Premium or Enterprise"):
        await client.sessions.create(
            title="T", scheduled=START, duration=5, custom_roles=[TRAINER_ROLE]
        )
    sid = (await client.sessions.create(title="T", scheduled=START, duration=5)).session_id
    calls = [
        client.sessions.update(sid, custom_roles=[TRAINER_ROLE]),
        client.sessions.claim_custom_role(sid, user_id=HOST, role_name="R", slot_key="VACANT_0"),
        client.sessions.quit_custom_role(sid, user_id=HOST, role_name="R"),
        client.sessions.remove_custom_role(sid, target_user_id=HOST, role_name="R"),
        client.attendance.add_attendee(sid, user_id=HOST),
        client.attendance.update_attendee(sid, user_id=HOST, leave_time=START),
        client.ranking.promote(HOST),
        client.ranking.demote(HOST),
        client.ranking.set_rank(HOST, 2),
    ]
    for call in calls:
        with pytest.raises(PermissionDeniedError, match="requires a Premium or Enterprise"):
            await call


async def test_documented_404s(client: SeriesClient) -> None:
    sid = await _session(client)
    with pytest.raises(NotFoundError, match="Session not found"):
        await client.sessions.get("session_nope")
    with pytest.raises(NotFoundError, match="Session not found"):
        await client.sessions.get("a/../b")
    with pytest.raises(NotFoundError, match="Session not found"):
        await client.sessions.update("session_nope", title="x")
    with pytest.raises(NotFoundError, match="Session not found"):
        await client.sessions.claim_custom_role(
            "session_nope", user_id=HOST, role_name="Trainer", slot_key="VACANT_0"
        )
    with pytest.raises(NotFoundError, match="Custom role 'Nope' not found"):
        await client.sessions.quit_custom_role(sid, user_id=HOST, role_name="Nope")
    with pytest.raises(NotFoundError, match="Custom role 'Nope' not found"):
        await client.sessions.remove_custom_role(sid, target_user_id=HOST, role_name="Nope")
    with pytest.raises(NotFoundError, match="Attendee not found"):
        await client.attendance.update_attendee(sid, user_id=HOST, leave_time=START)
    with pytest.raises(NotFoundError, match="User is not a member of the group"):
        await client.ranking.promote("999")
    with pytest.raises(NotFoundError, match="Rank 42 not found"):
        await client.ranking.set_rank(HOST, 42)


async def test_duplicate_attendee_is_409(client: SeriesClient) -> None:
    sid = await _session(client)
    await client.attendance.add_attendee(sid, user_id=HOST)
    with pytest.raises(ConflictError, match="Attendee already exists") as info:
        await client.attendance.add_attendee(sid, user_id=HOST)
    assert info.value.status == 409


async def test_401s(series_emulator: SeriesEmulator) -> None:
    for key in ("sk_wrong", "sk_test_revoked"):
        async with SeriesClient(api_key=key, base_url=series_emulator.url) as client:
            with pytest.raises(AuthenticationError) as info:
                await client.sessions.list()
            assert info.value.status == 401
            assert key not in str(info.value)
            assert key not in repr(info.value)
            assert (await client.keys.check()).valid is False


@pytest.mark.series_emulator(
    config={"api_keys": [{"key": "sk_small", "rate_limit": 2, "rate_limit_window": 3600}]}
)
async def test_429_with_retry_after_beyond_the_policy(series_emulator: SeriesEmulator) -> None:
    async with SeriesClient(api_key="sk_small", base_url=series_emulator.url) as client:
        await client.sessions.list()
        await client.sessions.list()
        with pytest.raises(RateLimitError) as info:
            await client.sessions.list()  # Retry-After ~3600 s > max_retry_after: no sleep
    assert info.value.status == 429
    assert info.value.retry_after is not None
    assert info.value.retry_after > 3000
    assert series_emulator.state.requests[-1].status == 429
