"""Testing your own bot code against the Series emulator with the pytest fixture.

Run with ``pytest examples/emulator_bot_test.py`` once ``series-sdk`` is
installed: the ``series_emulator`` fixture comes from the SDK's pytest plugin.
"""

from __future__ import annotations

import pytest

from series_async import APIConnectionError, CustomRole, PermissionDeniedError, SeriesClient
from series_async.testing import SeriesEmulator

# The code under test: what a bot command would do.


async def sign_up_as_trainer(client: SeriesClient, session_id: str, user_id: str) -> str:
    """Claim the first free Trainer slot; return a message for the chat."""
    session = await client.sessions.get(session_id)
    vacant = session.custom_roles["Trainer"].vacant_slot_keys()
    if not vacant:
        return "Sorry, every Trainer slot is taken."
    try:
        await client.sessions.claim_custom_role(
            session_id, user_id=user_id, role_name="Trainer", slot_key=vacant[0]
        )
    except PermissionDeniedError:
        return "You need a higher rank to train."
    return "You are a Trainer for this session!"


# The tests: a fresh emulator per test, over real HTTP on loopback.

WORKSPACE: dict[str, object] = {
    "workspace": {"tier": "premium"},
    "ranks": [{"rank": 1, "name": "Member"}, {"rank": 50, "name": "Trainer"}],
    "members": [
        {"user_id": "1001", "rank": 50, "username": "alice"},
        {"user_id": "1002", "rank": 1, "username": "bob"},
    ],
}


@pytest.fixture
def series_emulator_config() -> dict[str, object]:
    """Every test in this file runs against this workspace."""
    return WORKSPACE


async def _session(client: SeriesClient) -> str:
    created = await client.sessions.create(
        title="Training",
        scheduled="2030-01-01T18:00:00Z",
        duration=60,
        claimable=True,
        custom_roles=[CustomRole(name="Trainer", slots=1, min_rank=50)],
    )
    return created.session_id


async def test_a_senior_member_gets_the_slot(series_emulator: SeriesEmulator) -> None:
    async with SeriesClient(series_emulator.api_key, base_url=series_emulator.url) as client:
        session_id = await _session(client)
        reply = await sign_up_as_trainer(client, session_id, "1001")
    assert reply == "You are a Trainer for this session!"
    (role,) = series_emulator.state.sessions[session_id].custom_roles
    assert role.holders() == ["1001"]


async def test_a_junior_member_is_told_why(series_emulator: SeriesEmulator) -> None:
    async with SeriesClient(series_emulator.api_key, base_url=series_emulator.url) as client:
        session_id = await _session(client)
        reply = await sign_up_as_trainer(client, session_id, "1002")
    assert reply == "You need a higher rank to train."


async def test_a_flaky_network_does_not_double_book(series_emulator: SeriesEmulator) -> None:
    async with SeriesClient(series_emulator.api_key, base_url=series_emulator.url) as client:
        session_id = await _session(client)
        # The claim is applied, then the connection drops before the answer.
        series_emulator.inject("drop_after", routes="sessions.claim_custom_role")
        with pytest.raises(APIConnectionError):
            await sign_up_as_trainer(client, session_id, "1001")
    # The SDK did not blindly replay the claim: it was applied exactly once.
    assert series_emulator.state.applied("sessions.claim_custom_role") == 1
