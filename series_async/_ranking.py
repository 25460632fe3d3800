"""``client.ranking``: move members of the linked Roblox group up or down its ranks."""

from __future__ import annotations

from ._models import RankChange
from ._pipeline import Call, encode_segment
from ._resource import Resource
from ._validation import check_int, check_optional_text, check_user_id

__all__ = ["Ranking"]


def _comment_body(comment: str | None) -> dict[str, str] | None:
    return None if comment is None else {"comment": check_optional_text("comment", comment)}


def _one_step(action: str, user_id: int | str, comment: str | None) -> Call[RankChange]:
    # promote and demote differ only in the path; neither is safe to replay.
    uid = check_user_id("user_id", user_id)
    return Call(
        name=f"ranking.{action}",
        method="POST",
        template=f"/ranking/{action}/{{userId}}",
        path_params={"userId": encode_segment("user_id", uid)},
        model=RankChange,
        idempotent=False,
        body=_comment_body(comment),
    )


class Ranking(Resource):
    """Group ranking (``client.ranking``; Premium/Enterprise workspaces).

    The target must be in the workspace's Roblox group; workspace membership
    is not required.
    """

    async def promote(self, user_id: int | str, *, comment: str | None = None) -> RankChange:
        """Move a user up one rank.

        Args:
            user_id: Roblox user id.
            comment: Reason, written to the ranking history.

        Returns:
            The previous and new rank.

        Raises:
            BadRequestError: Already at the highest rank, or above the workspace's
                maximum promotion rank.
            NotFoundError: The user is not in the group.

        Never replayed after a 5xx or timeout (a replay would promote twice)
        unless the policy has ``retry_non_idempotent=True``.
        """
        return await self._call(_one_step("promote", user_id, comment))

    async def demote(self, user_id: int | str, *, comment: str | None = None) -> RankChange:
        """Move a user down one rank.

        Args:
            user_id: Roblox user id.
            comment: Reason, written to the ranking history.

        Returns:
            The previous and new rank.

        Raises:
            BadRequestError: Already at the lowest rank.
            NotFoundError: The user is not in the group.

        Never replayed after a 5xx or timeout unless the policy has
        ``retry_non_idempotent=True``.
        """
        return await self._call(_one_step("demote", user_id, comment))

    async def set_rank(
        self, user_id: int | str, rank: int, *, comment: str | None = None
    ) -> RankChange:
        """Put a user on a given rank (idempotent: safe to retry).

        Args:
            user_id: Roblox user id.
            rank: Target rank number, 0-255; must exist in the group.
            comment: Reason, written to the ranking history.

        Returns:
            The previous and new rank.

        Raises:
            BadRequestError: Already at that rank, or above the maximum promotion rank.
            NotFoundError: The user is not in the group, or the rank does not exist.
        """
        uid = check_user_id("user_id", user_id)
        number = check_int("rank", rank, low=0, high=255)
        call = Call(
            name="ranking.set_rank",
            method="POST",
            template="/ranking/set-rank/{userId}/{rankNumber}",
            path_params={"userId": encode_segment("user_id", uid), "rankNumber": str(number)},
            model=RankChange,
            idempotent=True,
            body=_comment_body(comment),
        )
        return await self._call(call)
