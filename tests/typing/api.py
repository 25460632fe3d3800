"""Type-checked, never run: the public async API as users write it.

mypy --strict checks this file; ``assert_type`` pins the types users get back,
and the ``type: ignore[...]`` lines prove that misuse is caught statically.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any

from typing_extensions import assert_type

from series_async import (
    UNSET,
    APIStatusError,
    Attendee,
    CreatedSession,
    CustomRole,
    KeyInfo,
    NotFoundError,
    RankChange,
    RateLimitError,
    RetryPolicy,
    RoleAssignment,
    RolePermissions,
    SeriesClient,
    Session,
    SessionPage,
    SessionStatus,
    Timeout,
    UpdatedSession,
)


async def everything() -> None:
    async with SeriesClient(
        "sk_test", timeout=Timeout(total=30.0), retry=RetryPolicy(max_retries=3)
    ) as client:
        when = datetime(2026, 12, 1, 15, tzinfo=timezone.utc)
        created = await client.sessions.create(
            title="Training",
            scheduled=when,
            duration=60,
            host=714760171,
            custom_roles=[
                CustomRole(
                    name="Trainer",
                    slots=2,
                    min_rank=50,
                    permissions=RolePermissions(pass_or_fail_attendees=True),
                )
            ],
        )
        assert_type(created, CreatedSession)
        assert_type(created.session_id, str)

        session = await client.sessions.get(created.session_id)
        assert_type(session, Session)
        fast = client.with_options(timeout=2.5, max_retries=0)
        assert_type(fast, SeriesClient)
        assert_type(await fast.sessions.get(created.session_id), Session)
        client.with_options(timeout=None)  # type: ignore[arg-type]
        assert_type(SeriesClient(proxy="http://proxy:3128", trust_env=False), SeriesClient)
        assert_type(session.status, SessionStatus)
        assert_type(session.scheduled, datetime | None)
        assert_type(session.custom_roles["Trainer"].vacant_slot_keys(), list[str])

        page = await client.sessions.list(page=2, status="upcoming", date=date(2026, 12, 1))
        assert_type(page, SessionPage)
        await client.sessions.list(status=SessionStatus.ONGOING)
        await client.sessions.list(status="upcomming")  # type: ignore[arg-type]
        client.sessions.iterate(status="done")  # type: ignore[arg-type]

        # Models travel as plain dicts and JSON.
        assert_type(session.description, str | None)
        assert_type(session.extra, Mapping[str, Any])
        assert_type(session.to_dict(), dict[str, Any])
        assert_type(session.to_json(), str)
        assert_type(Session.from_dict(session.to_dict()), Session)
        assert_type(CustomRole.from_dict({"name": "Trainer", "slots": 2}), CustomRole)
        async for each in client.sessions.iterate(start="2026-12-01", end="2026-12-31"):
            assert_type(each, Session)

        updated = await client.sessions.update(created.session_id, title="New", co_host=UNSET)
        assert_type(updated, UpdatedSession)

        claim = await client.sessions.claim_custom_role(
            created.session_id, user_id="714760171", role_name="Trainer", slot_key="VACANT_0"
        )
        assert_type(claim, RoleAssignment)
        assert_type(
            await client.sessions.quit_custom_role(created.session_id, user_id=1, role_name="T"),
            RoleAssignment,
        )
        assert_type(
            await client.sessions.remove_custom_role(
                created.session_id, target_user_id=1, role_name="T"
            ),
            RoleAssignment,
        )
        attendee = await client.attendance.add_attendee(
            created.session_id, user_id=1, join_time=when
        )
        assert_type(attendee, Attendee)
        assert_type(
            await client.attendance.update_attendee(created.session_id, user_id=1, leave_time=when),
            Attendee,
        )
        assert_type(await client.ranking.promote(1, comment="good"), RankChange)
        assert_type(await client.ranking.demote("1"), RankChange)
        assert_type(await client.ranking.set_rank(1, 50), RankChange)
        assert_type(await client.keys.check(), KeyInfo)

        try:
            await client.sessions.get("missing")
        except NotFoundError as exc:
            assert_type(exc.status, int)
        except RateLimitError as exc:
            assert_type(exc.retry_after, float | None)
        except APIStatusError as exc:
            assert_type(exc.message, str)


async def misuse(client: SeriesClient) -> None:
    await client.sessions.create("Training", "2026-12-01T15:00:00Z", 60)  # type: ignore[call-arg]
    await client.sessions.update("s", custom_roles=None)  # type: ignore[arg-type]
    await client.ranking.set_rank(1, "50")  # type: ignore[arg-type]
    await client.sessions.get(session_id=5)  # type: ignore[arg-type]
