"""The issue's bot scenario end to end: a claim or promote whose answer is lost."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from series_async import (
    APIConnectionError,
    CustomRole,
    RateLimitError,
    SeriesClient,
    SeriesError,
    UnexpectedResponseError,
)
from series_async.testing import SeriesEmulator

from .conftest import ROOKIE, TRAINER

pytestmark = pytest.mark.timeout(20)


async def _session(client: SeriesClient) -> str:
    created = await client.sessions.create(
        title="Shift",
        scheduled=datetime.now(timezone.utc) + timedelta(hours=2),
        duration=30,
        claimable=True,
        custom_roles=[CustomRole(name="Helper", slots=1)],
    )
    return created.session_id


async def test_a_claim_applied_then_dropped_may_have_acted_and_a_reread_tells(
    series_emulator: SeriesEmulator,
) -> None:
    async with SeriesClient(series_emulator.api_key, base_url=series_emulator.url) as client:
        sid = await _session(client)
        series_emulator.inject("drop_after", routes="sessions.claim_custom_role")
        with pytest.raises(APIConnectionError) as info:
            await client.sessions.claim_custom_role(
                sid, user_id=TRAINER, role_name="Helper", slot_key="VACANT_0"
            )
        assert info.value.may_have_acted is True
        session = await client.sessions.get(sid)
    assert session.custom_roles["Helper"].holders() == [TRAINER]  # it did happen
    assert series_emulator.state.applied("sessions.claim_custom_role") == 1


@pytest.mark.parametrize("kind", ["truncated_body", "non_json_body", "http_500", "drop_before"])
async def test_a_promote_whose_answer_is_unclear_may_have_acted(
    series_emulator: SeriesEmulator, kind: str
) -> None:
    # drop_before is not applied, but the client cannot tell it from drop_after.
    series_emulator.inject(kind, routes="ranking.promote")
    async with SeriesClient(series_emulator.api_key, base_url=series_emulator.url) as client:
        with pytest.raises(SeriesError) as info:
            await client.ranking.promote(ROOKIE)
    assert info.value.may_have_acted is True
    if kind == "non_json_body":
        assert isinstance(info.value, UnexpectedResponseError)
    assert len(series_emulator.state.requests) == 1  # never replayed


async def test_a_rate_limited_promote_did_not_act(series_emulator: SeriesEmulator) -> None:
    series_emulator.inject("rate_limit", routes="ranking.promote", retry_after=30)
    async with SeriesClient(
        series_emulator.api_key, base_url=series_emulator.url, max_retries=0
    ) as client:
        with pytest.raises(RateLimitError) as info:
            await client.ranking.promote(ROOKIE)
    assert info.value.may_have_acted is False
    assert info.value.retry_after == 30.0
    assert series_emulator.state.member_ranks[ROOKIE] == 5
