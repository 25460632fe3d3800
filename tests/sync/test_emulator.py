"""The sync client against the emulator, every endpoint, over real loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

import series_async
from series_async.testing import SeriesEmulator
from series_sync import (
    UNSET,
    BadRequestError,
    CustomRole,
    NotFoundError,
    RolePermissions,
    SeriesClient,
    SessionStatus,
)

pytestmark = pytest.mark.timeout(30)

HOST = "714760171"  # demo workspace: rank 100
TRAINER = "2143265871"  # rank 50
STAFF = "3020518862"  # rank 20
ROOKIE = "4173392009"  # rank 5
GROUP_ONLY = "5569120347"  # in the group, not the workspace


@pytest.fixture
def client(series_emulator: SeriesEmulator) -> Iterator[SeriesClient]:
    with SeriesClient(series_emulator.api_key, base_url=series_emulator.url) as sync_client:
        yield sync_client


def test_every_endpoint_round_trips(series_emulator: SeriesEmulator, client: SeriesClient) -> None:
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=2)
    info = client.keys.check()
    assert (info.valid, info.workspace_name) == (True, "Demo Training Group")
    assert client.keys.check("sk_test_revoked").valid is False

    created = client.sessions.create(
        title="Sync training",
        scheduled=start,
        duration=45,
        host=HOST,
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
    sid = created.session_id
    session = client.sessions.get(sid)
    assert (session.title, session.duration, session.scheduled) == ("Sync training", 45, start)
    assert session.status is SessionStatus.UPCOMING

    updated = client.sessions.update(sid, title="Sync training II", co_host=UNSET, duration=60)
    assert updated.session_id == sid
    assert series_emulator.state.sessions[sid].title == "Sync training II"

    page = client.sessions.list(status="upcoming")
    assert [s.session_id for s in page.sessions] == [sid]
    assert [s.session_id for s in client.sessions.iterate(host=HOST)] == [sid]

    slot = client.sessions.get(sid).custom_roles["Trainer"].vacant_slot_keys()[0]
    claimed = client.sessions.claim_custom_role(
        sid, user_id=TRAINER, role_name="Trainer", slot_key=slot
    )
    assert claimed.user_id == TRAINER
    assert client.sessions.get(sid).custom_roles["Trainer"].holders() == [TRAINER]
    with pytest.raises(BadRequestError):
        client.sessions.claim_custom_role(sid, user_id=TRAINER, role_name="Trainer", slot_key=slot)
    client.sessions.quit_custom_role(sid, user_id=TRAINER, role_name="Trainer")
    client.sessions.claim_custom_role(sid, user_id=HOST, role_name="Trainer", slot_key=slot)
    removed = client.sessions.remove_custom_role(sid, target_user_id=HOST, role_name="Trainer")
    assert removed.role_name == "Trainer"
    assert client.sessions.get(sid).custom_roles["Trainer"].holders() == []

    attendee = client.attendance.add_attendee(
        sid, user_id=STAFF, username="StaffSky", join_time=start
    )
    assert attendee.user_id == STAFF
    later = client.attendance.update_attendee(
        sid, user_id=STAFF, leave_time=start + timedelta(minutes=30)
    )
    assert later.duration_seconds == 1800
    assert [a.user_id for a in series_emulator.state.attendees] == [STAFF]

    assert client.ranking.promote(ROOKIE, comment="sync").new_rank == 20
    assert client.ranking.demote(ROOKIE).new_rank == 5
    assert client.ranking.set_rank(GROUP_ONLY, 20).new_rank == 20
    assert series_emulator.state.group_ranks[GROUP_ONLY] == 20
    assert [r.action for r in series_emulator.state.ranking_history] == [
        "promote",
        "demote",
        "set-rank",
    ]


def test_errors_are_the_shared_classes(
    series_emulator: SeriesEmulator, client: SeriesClient
) -> None:
    with pytest.raises(series_async.NotFoundError) as caught:
        client.sessions.get("session_missing")
    assert type(caught.value) is NotFoundError
    assert caught.value.status == 404
    (request,) = series_emulator.state.requests
    assert (request.route, request.status, request.applied) == ("sessions.get", 404, False)


def test_iterate_over_many_pages(series_emulator: SeriesEmulator, client: SeriesClient) -> None:
    start = datetime.now(timezone.utc) + timedelta(days=1)
    made = {
        client.sessions.create(title=f"S{n}", scheduled=start, duration=5).session_id
        for n in range(45)
    }
    seen = [s.session_id for s in client.sessions.iterate()]
    assert sorted(seen) == sorted(made)
    lists = [r for r in series_emulator.state.requests if r.route == "sessions.list"]
    assert len(lists) == 4  # 20 + 20 + 5, then an empty page
