"""Turning SDK errors into replies a Discord bot can send.

The function below is what a ``/claim`` slash command of a discord.py or hikari
bot would call; every documented failure becomes a friendly sentence instead
of a traceback. Run it against the emulator to see each reply:

    python examples/bot_replies.py
"""

from __future__ import annotations

import asyncio
import math
from datetime import datetime, timedelta, timezone

from series_async import (
    APIConnectionError,
    BadRequestError,
    CustomRole,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SeriesClient,
    SeriesError,
    ValidationError,
)
from series_async.testing import SeriesEmulator


async def claim_reply(client: SeriesClient, session_id: str, user_id: str, role: str) -> str:
    """Claim the first vacant slot of ``role`` for ``user_id`` and say how it went."""
    try:
        session = await client.sessions.get(session_id)
        roles = session.custom_roles
        if role not in roles:
            return f"This session has no {role} role."
        vacant = roles[role].vacant_slot_keys()
        if not vacant:
            return f"Every {role} slot is taken."
        await client.sessions.claim_custom_role(
            session_id, user_id=user_id, role_name=role, slot_key=vacant[0]
        )
    except SeriesError as exc:
        if exc.may_have_acted:
            # The answer was lost but the claim may have gone through: look, don't guess.
            return await recheck_reply(client, session_id, user_id, role)
        return failure_reply(exc)
    return f"You're a {role} now!"


async def recheck_reply(client: SeriesClient, session_id: str, user_id: str, role: str) -> str:
    """Say what really happened to a claim whose answer was lost."""
    try:
        session = await client.sessions.get(session_id)
    except SeriesError:
        return "Series is not answering; check the session in a minute before trying again."
    slots = session.custom_roles.get(role)
    if slots is not None and user_id in slots.holders():
        return f"You're a {role} now!"
    return "That didn't go through, please try again."


def failure_reply(exc: SeriesError) -> str:
    """A reply for a claim that certainly did not happen."""
    if isinstance(exc, ValidationError):
        return f"That doesn't look right: {exc}"
    if isinstance(exc, NotFoundError):
        return "I can't find that session any more."
    if isinstance(exc, PermissionDeniedError):
        return f"You can't take that role: {exc.message}"
    if isinstance(exc, BadRequestError):
        return f"Not possible right now: {exc.message}"
    if isinstance(exc, RateLimitError):
        # Rounded up: "try again in 0s" would invite a retry that is refused again.
        wait = f" in {math.ceil(exc.retry_after)}s" if exc.retry_after is not None else " later"
        return f"Series is busy, try again{wait}."
    if isinstance(exc, APIConnectionError):
        return "Series can't be reached right now, try again in a minute."
    return "Something went wrong talking to Series."


async def main() -> None:
    async with SeriesEmulator() as emu:
        ranked = sorted(emu.config.members, key=lambda m: m.rank)
        low, high = ranked[0].user_id, ranked[-1].user_id
        async with SeriesClient(emu.api_key, base_url=emu.url) as client:
            created = await client.sessions.create(
                title="Shift",
                scheduled=datetime.now(timezone.utc) + timedelta(hours=2),
                duration=30,
                claimable=True,
                custom_roles=[CustomRole(name="Helper", slots=1, min_rank=ranked[-1].rank)],
            )
            sid = created.session_id
            print("low rank :", await claim_reply(client, sid, low, "Helper"))
            print("high rank:", await claim_reply(client, sid, high, "Helper"))
            print("again    :", await claim_reply(client, sid, high, "Helper"))
            print("no role  :", await claim_reply(client, sid, high, "Pilot"))
            print("bad id   :", await claim_reply(client, "session_gone", high, "Helper"))
            second = await client.sessions.create(
                title="Shift 2",
                scheduled=datetime.now(timezone.utc) + timedelta(hours=3),
                duration=30,
                claimable=True,
                custom_roles=[CustomRole(name="Helper", slots=1)],
            )
            # The claim is applied, then the connection drops before the answer.
            emu.inject("drop_after", routes="sessions.claim_custom_role")
            print("lost answer:", await claim_reply(client, second.session_id, high, "Helper"))


if __name__ == "__main__":
    asyncio.run(main())
