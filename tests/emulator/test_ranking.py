"""Ranking over real loopback HTTP: promote, demote, set-rank."""

from __future__ import annotations

import pytest

from series_async.testing import SeriesEmulator

from .conftest import GROUP_ONLY, HOST, ROOKIE, STAFF, TRAINER, Api

NO_LADDER = {"members": [{"user_id": HOST, "rank": 7}]}
FREE = {
    "workspace": {"tier": "free"},
    "ranks": [{"rank": 1, "name": "A"}, {"rank": 2, "name": "B"}],
    "members": [{"user_id": HOST, "rank": 1}],
}


async def test_promote_moves_one_step_up_the_ladder(api: Api) -> None:
    answer = await api.call(
        "POST", f"/ranking/promote/{ROOKIE}", {"comment": "Passed training evaluation"}
    )
    assert answer.status == 200
    assert answer.data == {
        "UserId": ROOKIE,
        "Action": "promote",
        "PreviousRank": 5,
        "PreviousRole": "Trainee",
        "NewRank": 20,
        "NewRole": "Junior Staff",
        "WorkspaceId": api.emulator.workspace_id,
    }
    state = api.emulator.state
    assert state.member_ranks[ROOKIE] == 20
    assert state.group_ranks[ROOKIE] == 20
    (entry,) = state.ranking_history
    assert (entry.action, entry.comment, entry.workspace_member) == (
        "promote",
        "Passed training evaluation",
        True,
    )


async def test_demote_moves_one_step_down(api: Api) -> None:
    answer = await api.call("POST", f"/ranking/demote/{STAFF}")
    assert answer.status == 200
    assert (answer.data["PreviousRank"], answer.data["NewRank"]) == (20, 5)
    assert (answer.data["Action"], answer.data["NewRole"]) == ("demote", "Trainee")


async def test_group_only_user_is_ranked_without_becoming_a_member(api: Api) -> None:
    answer = await api.call("POST", f"/ranking/set-rank/{GROUP_ONLY}/50", {"comment": "x"})
    assert answer.status == 200
    assert (answer.data["Action"], answer.data["NewRole"]) == ("set-rank", "Senior Staff")
    state = api.emulator.state
    assert state.group_ranks[GROUP_ONLY] == 50
    assert GROUP_ONLY not in state.member_ranks
    assert state.ranking_history[-1].workspace_member is False


async def test_max_promotion_rank_caps_upward_moves_only(api: Api) -> None:
    promote = await api.call("POST", f"/ranking/promote/{HOST}")  # 100 -> 200 > cap 100
    assert (promote.status, promote.message) == (
        400,
        "Cannot promote beyond rank 100 (Max. Promotion Rank limit)",
    )
    jump = await api.call("POST", f"/ranking/set-rank/{TRAINER}/200")
    assert (jump.status, jump.message) == (
        400,
        "Cannot promote beyond rank 100 (Max. Promotion Rank limit)",
    )
    assert (await api.call("POST", f"/ranking/set-rank/{TRAINER}/100")).status == 200
    assert api.emulator.state.member_ranks[TRAINER] == 100


@pytest.mark.series_emulator(
    config={
        "workspace": {"max_promotion_rank": 255},
        "ranks": [{"rank": 1, "name": "Low"}, {"rank": 9, "name": "High"}],
        "members": [{"user_id": "1", "rank": 9}, {"user_id": "2", "rank": 1}],
    }
)
async def test_ends_of_the_ladder(api: Api) -> None:
    top = await api.call("POST", "/ranking/promote/1")
    assert (top.status, top.message) == (
        400,
        "Validation error: User is already at the highest rank",
    )
    bottom = await api.call("POST", "/ranking/demote/2")
    assert (bottom.status, bottom.message) == (
        400,
        "Validation error: User is already at the lowest rank",
    )


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        (f"/ranking/set-rank/{STAFF}/256", 400, "Validation error: RankNumber must be a valid"),
        (f"/ranking/set-rank/{STAFF}/-1", 400, "Validation error: RankNumber must be a valid"),
        (f"/ranking/set-rank/{STAFF}/abc", 400, "Validation error: RankNumber must be a valid"),
        (f"/ranking/set-rank/{STAFF}/20", 400, "Validation error: User is already at the spec"),
        (f"/ranking/set-rank/{STAFF}/42", 404, "Rank 42 not found in the group"),
        ("/ranking/set-rank/999/50", 404, "User is not a member of the group"),
        ("/ranking/promote/999", 404, "User is not a member of the group"),
        ("/ranking/demote/999", 404, "User is not a member of the group"),
        ("/ranking/promote/abc", 400, "Validation error: userId must be a Roblox user ID"),
    ],
)
async def test_ranking_errors(api: Api, path: str, status: int, message: str) -> None:
    answer = await api.call("POST", path)
    assert answer.status == status
    assert answer.message.startswith(message)
    assert api.emulator.state.ranking_history == ()


async def test_comment_must_be_a_string(api: Api) -> None:
    answer = await api.call("POST", f"/ranking/promote/{ROOKIE}", {"comment": 5})
    assert (answer.status, answer.message) == (400, "Validation error: comment must be a string")


@pytest.mark.series_emulator(config=NO_LADDER)
@pytest.mark.parametrize("path", ["/ranking/promote/", "/ranking/demote/"])
async def test_no_ladder_configured(api: Api, path: str) -> None:
    answer = await api.call("POST", path + HOST)
    assert (answer.status, answer.message) == (
        400,
        "Validation error: No roles configured in workspace",
    )


@pytest.mark.series_emulator(config=FREE)
@pytest.mark.parametrize("path", ["promote/1", "demote/1", "set-rank/1/2"])
async def test_free_tier_gets_403(series_emulator: SeriesEmulator, api: Api, path: str) -> None:
    answer = await api.call("POST", f"/ranking/{path}")
    assert (answer.status, answer.message) == (
        403,
        "Ranking management requires a Premium or Enterprise subscription",
    )
