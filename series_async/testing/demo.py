"""``series-demo`` / ``python -m series_async``: a guided tour against the emulator.

Starts the embedded emulator with its demo workspace and walks through every
endpoint with :class:`series_async.SeriesClient`, printing what each call sent
and got back, including one error handled the way a bot would handle it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone

from series_async import (
    CustomRole,
    PermissionDeniedError,
    RankChange,
    RolePermissions,
    RoleSlots,
    SeriesClient,
    SeriesError,
)
from series_async.testing._demo_workspace import (
    DEMO_GROUP_ONLY,
    DEMO_HOST,
    DEMO_LOW_RANK,
    DEMO_TRAINEE,
    DEMO_TRAINER,
)
from series_async.testing._emulator import SeriesEmulator

__all__ = ["main", "run_demo"]

Printer = Callable[[str], None]


def _slots(role: RoleSlots) -> str:
    return ", ".join(role.slots) or "(none)"


def _rank(change: RankChange) -> str:
    return f"{change.previous_rank} {change.previous_role} -> {change.new_rank} {change.new_role}"


async def run_demo(out: Printer = print) -> None:
    """Run the tour, writing the transcript line by line to ``out``.

    Raises:
        SeriesError: A call failed in a way the tour does not expect.
    """
    step = 0

    def show(call: str, result: str) -> None:
        nonlocal step
        step += 1
        out(f"{step:>2}. {call}")
        out(f"    -> {result}")

    async with SeriesEmulator(seed=2024) as emu:
        out(f"Series SDK demo: embedded emulator at {emu.url}")
        out(f"Workspace {emu.config.workspace.name!r} ({emu.config.workspace.tier})")
        out("")
        async with SeriesClient(api_key=emu.api_key, base_url=emu.url) as client:
            info = await client.keys.check()
            show("keys.check()", f"valid={info.valid}, workspace {info.workspace_name!r}")

            start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1)
            trainer = CustomRole(
                name="Trainer",
                slots=2,
                min_rank=50,
                permissions=RolePermissions(pass_or_fail_attendees=True, modify_attendance=True),
            )
            created = await client.sessions.create(
                title="Training Session",
                scheduled=start,
                duration=60,
                host=DEMO_HOST,
                custom_roles=[trainer],
            )
            sid = created.session_id
            show(
                "sessions.create(title='Training Session', duration=60, custom_roles=[Trainer])",
                f"created {sid}",
            )

            session = await client.sessions.get(sid)
            show(
                f"sessions.get({sid!r})",
                f"{session.title!r}, {session.status.value}, {session.scheduled:%Y-%m-%d %H:%M} "
                f"UTC, Trainer slots: {_slots(session.custom_roles['Trainer'])}",
            )

            page = await client.sessions.list(status="upcoming")
            show("sessions.list(status='upcoming')", f"{len(page.sessions)} session(s) on page 1")

            updated = await client.sessions.update(
                sid, title="Advanced Training Session", claimable=True
            )
            show(
                "sessions.update(title='Advanced Training Session', claimable=True)",
                f"title now {updated.title!r}",
            )

            claim = await client.sessions.claim_custom_role(
                sid, user_id=DEMO_TRAINER, role_name="Trainer", slot_key="VACANT_0"
            )
            session = await client.sessions.get(sid)
            show(
                f"claim_custom_role(user {DEMO_TRAINER}, 'Trainer', 'VACANT_0')",
                f"{claim.message}; slots now {_slots(session.custom_roles['Trainer'])}",
            )

            try:
                await client.sessions.claim_custom_role(
                    sid, user_id=DEMO_LOW_RANK, role_name="Trainer", slot_key="VACANT_1"
                )
            except PermissionDeniedError as exc:
                show(
                    f"claim_custom_role(user {DEMO_LOW_RANK} at rank 5, 'Trainer', 'VACANT_1')",
                    f"refused, handled: PermissionDeniedError {exc.status}: {exc.message}",
                )
            else:  # pragma: no cover - only if the emulator broke its own rule
                raise SeriesError("the emulator accepted a claim below the role's minimum rank")

            quit_ = await client.sessions.quit_custom_role(
                sid, user_id=DEMO_TRAINER, role_name="Trainer"
            )
            session = await client.sessions.get(sid)
            show(
                f"quit_custom_role(user {DEMO_TRAINER}, 'Trainer')",
                f"{quit_.message}; slots now {_slots(session.custom_roles['Trainer'])}",
            )

            await client.sessions.claim_custom_role(
                sid, user_id=DEMO_HOST, role_name="Trainer", slot_key="VACANT_1"
            )
            removed = await client.sessions.remove_custom_role(
                sid, target_user_id=DEMO_HOST, role_name="Trainer"
            )
            session = await client.sessions.get(sid)
            show(
                f"remove_custom_role(target {DEMO_HOST}, 'Trainer')  (after they claimed VACANT_1)",
                f"{removed.message}; slots now {_slots(session.custom_roles['Trainer'])}",
            )

            joined = start + timedelta(minutes=2)
            attendee = await client.attendance.add_attendee(
                sid, user_id=DEMO_TRAINEE, username="StaffSky", join_time=joined
            )
            show(
                f"attendance.add_attendee(user {DEMO_TRAINEE}, join_time=+2 min)",
                f"attendee {attendee.attendee_id}, joined {attendee.join_time:%H:%M}",
            )
            left = joined + timedelta(minutes=75)
            attendee = await client.attendance.update_attendee(
                sid, user_id=DEMO_TRAINEE, leave_time=left
            )
            show(
                f"attendance.update_attendee(user {DEMO_TRAINEE}, leave_time=+75 min)",
                f"duration {attendee.duration_seconds} s",
            )

            change = await client.ranking.promote(DEMO_LOW_RANK, comment="Passed training")
            show(f"ranking.promote({DEMO_LOW_RANK})", _rank(change))
            change = await client.ranking.demote(DEMO_LOW_RANK, comment="Inactivity")
            show(f"ranking.demote({DEMO_LOW_RANK})", _rank(change))
            change = await client.ranking.set_rank(DEMO_GROUP_ONLY, 50, comment="Reinstated")
            show(f"ranking.set_rank({DEMO_GROUP_ONLY}, 50)  (group-only member)", _rank(change))

        calls = len(emu.state.requests)
    out("")
    out(f"Done: {calls} requests served by the emulator, 1 error handled.")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; return 0 on success, 1 if a call failed unexpectedly.

    Args:
        argv: Command-line arguments (default ``sys.argv[1:]``). ``--help`` prints the
            usage and exits 0 without running the tour.
    """
    # `python -m series_async` runs __main__.py; name the command the user typed.
    prog = "python -m series_async" if sys.argv[0].endswith("__main__.py") else "series-demo"
    argparse.ArgumentParser(
        prog=prog,
        description="A guided tour of the Series SDK: every endpoint, called with "
        "series_async.SeriesClient against the embedded emulator (no account, no network).",
    ).parse_args(argv)
    try:
        asyncio.run(run_demo())
    except SeriesError as exc:
        print(f"demo failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
