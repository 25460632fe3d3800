"""The generated sync client against the fixture: the emulator's own thread keeps
serving while the test thread blocks in a sync call."""

from __future__ import annotations

import pytest

from series_async.testing import SeriesEmulator

from .conftest import ROOKIE, TRAINER

series_sync = pytest.importorskip("series_sync")


def test_sync_client_round_trip(series_emulator: SeriesEmulator) -> None:
    with series_sync.SeriesClient(
        api_key=series_emulator.api_key, base_url=series_emulator.url
    ) as client:
        assert client.keys.check().valid is True
        created = client.sessions.create(
            title="Cron session",
            scheduled="2026-12-01T15:00:00Z",
            duration=45,
            claimable=True,
            custom_roles=[series_sync.CustomRole(name="Trainer", slots=1, min_rank=50)],
        )
        client.sessions.claim_custom_role(
            created.session_id, user_id=TRAINER, role_name="Trainer", slot_key="VACANT_0"
        )
        with pytest.raises(series_sync.BadRequestError, match="already holds a slot"):
            client.sessions.claim_custom_role(
                created.session_id, user_id=TRAINER, role_name="Trainer", slot_key="VACANT_0"
            )
        titles = [s.title for s in client.sessions.iterate()]
        change = client.ranking.promote(ROOKIE)
    assert titles == ["Cron session"]
    assert change.new_rank == 20
    (role,) = series_emulator.state.sessions[created.session_id].custom_roles
    assert role.holders() == [TRAINER]
