"""Async quick start: schedule a session, let a member claim a role, list what is coming.

Runs against the embedded emulator, so it needs no account:

    python examples/quickstart_async.py
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from series_async import CustomRole, RolePermissions, SeriesClient
from series_async.testing import SeriesEmulator


async def schedule_training(client: SeriesClient, host_id: str, trainer_id: str) -> str:
    """Create a session with a Trainer role, seat ``trainer_id`` and return the session id."""
    created = await client.sessions.create(
        title="Training Session",
        scheduled=datetime.now(timezone.utc) + timedelta(days=1),
        duration=60,  # minutes
        host=host_id,
        claimable=True,
        custom_roles=[
            CustomRole(
                name="Trainer",
                slots=2,
                min_rank=1,
                permissions=RolePermissions(pass_or_fail_attendees=True),
            )
        ],
    )
    session = await client.sessions.get(created.session_id)
    slot = session.custom_roles["Trainer"].vacant_slot_keys()[0]
    await client.sessions.claim_custom_role(
        session.session_id, user_id=trainer_id, role_name="Trainer", slot_key=slot
    )
    return session.session_id


async def main() -> None:
    async with SeriesEmulator() as emu:
        members = sorted(emu.config.members, key=lambda m: m.rank, reverse=True)
        async with SeriesClient(emu.api_key, base_url=emu.url) as client:
            session_id = await schedule_training(client, members[0].user_id, members[1].user_id)
            print("created", session_id)
            async for session in client.sessions.iterate(status="upcoming"):
                trainers = session.custom_roles.get("Trainer")
                holders = trainers.holders() if trainers else []
                print(f"{session.title} at {session.scheduled:%Y-%m-%d %H:%M} trainers={holders}")


if __name__ == "__main__":
    asyncio.run(main())
