"""Endpoint logic: promote, demote and set-rank on the group's rank ladder.

The target must be in the Roblox group; workspace membership is optional.
Members get their stored rank updated and a disciplinary record, group-only
users only a history entry (the ``workspace_member`` flag of the record).
"""

from __future__ import annotations

from series_async.testing._sessions import require_premium
from series_async.testing._state import RankingRecord, Store
from series_async.testing._wire import ApiError, Call, Reply, invalid, opt_str

__all__ = ["demote", "promote", "set_rank"]

_FEATURE = "Ranking management"


def _target(store: Store, call: Call) -> tuple[str, str | None]:
    """Run the shared checks; return (user id, comment)."""
    require_premium(store, _FEATURE)
    user = call.params["userId"]
    if not user.isascii() or not user.isdigit():
        raise invalid("userId must be a Roblox user ID (digits only)")
    comment = opt_str(call.body, "comment")
    if not store.config.ranks:
        raise invalid("No roles configured in workspace")
    return user, comment if isinstance(comment, str) else None


def _current_rank(store: Store, user: str) -> int:
    rank = store.group.get(user)
    if rank is None:
        raise ApiError(404, "User is not a member of the group")
    return rank


def _cap_error(store: Store) -> ApiError:
    cap = store.config.workspace.max_promotion_rank
    return ApiError(400, f"Cannot promote beyond rank {cap} (Max. Promotion Rank limit)")


def _apply(
    store: Store, user: str, action: str, previous: int, new: int, comment: str | None
) -> Reply:
    member = user in store.members
    store.group[user] = new
    if member:
        store.members[user] = new
    store.history.append(
        RankingRecord(
            user_id=user,
            action=action,
            previous_rank=previous,
            new_rank=new,
            workspace_member=member,
            comment=comment,
            at=store.now(),
        )
    )
    return Reply(
        200,
        {
            "UserId": user,
            "Action": action,
            "PreviousRank": previous,
            "PreviousRole": store.rank_name(previous),
            "NewRank": new,
            "NewRole": store.rank_name(new),
            "WorkspaceId": store.workspace_id,
        },
    )


def _step(store: Store, call: Call, up: bool) -> Reply:
    user, comment = _target(store, call)
    current = _current_rank(store, user)
    ladder = [r.rank for r in store.config.ranks]
    # The user's rank is always on the ladder (the config enforces it), but
    # stepping by comparison keeps this right even if it were not.
    if up:
        higher = [r for r in ladder if r > current]
        if not higher:
            raise invalid("User is already at the highest rank")
        if higher[0] > store.config.workspace.max_promotion_rank:
            raise _cap_error(store)
        return _apply(store, user, "promote", current, higher[0], comment)
    lower = [r for r in ladder if r < current]
    if not lower:
        raise invalid("User is already at the lowest rank")
    return _apply(store, user, "demote", current, lower[-1], comment)


def promote(store: Store, call: Call) -> Reply:
    """POST /ranking/promote/{userId}: one step up the ladder."""
    return _step(store, call, up=True)


def demote(store: Store, call: Call) -> Reply:
    """POST /ranking/demote/{userId}: one step down the ladder."""
    return _step(store, call, up=False)


def set_rank(store: Store, call: Call) -> Reply:
    """POST /ranking/set-rank/{userId}/{rankNumber}: jump to an existing rank."""
    require_premium(store, _FEATURE)
    text = call.params["rankNumber"]
    # Length first: int() of 5,000 digits raises instead of answering.
    if len(text) > 3 or not text.isascii() or not text.isdigit() or int(text) > 255:
        raise invalid("RankNumber must be a valid integer between 0 and 255")
    new = int(text)
    user, comment = _target(store, call)
    current = _current_rank(store, user)
    if store.rank_name(new) is None:
        raise ApiError(404, f"Rank {new} not found in the group")
    if new == current:
        raise invalid("User is already at the specified rank")
    # The cap limits promotions only: moving down from above it is allowed.
    if new > current and new > store.config.workspace.max_promotion_rank:
        raise _cap_error(store)
    return _apply(store, user, "set-rank", current, new, comment)
