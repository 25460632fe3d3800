"""A cron-style script with the sync client: promote everyone who attended enough sessions.

No asyncio anywhere in user code. Runs against the embedded emulator (started on its
own thread), so it needs no account:

    python examples/legacy_script.py
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from series_async.testing import SeriesEmulator
from series_sync import BadRequestError, SeriesClient


def promote_regulars(client: SeriesClient, attendance: dict[str, int], needed: int) -> list[str]:
    """Promote each user with at least ``needed`` attended sessions; return one line per user."""
    report = []
    for user_id, count in sorted(attendance.items()):
        if count < needed:
            report.append(f"{user_id}: {count} sessions, not yet")
            continue
        try:
            change = client.ranking.promote(user_id, comment=f"Attended {count} sessions")
        except BadRequestError as exc:  # e.g. already at the highest rank
            report.append(f"{user_id}: not promoted ({exc.message})")
        else:
            report.append(f"{user_id}: {change.previous_role} -> {change.new_role}")
    return report


def main() -> None:
    with SeriesEmulator() as emu, SeriesClient(emu.api_key, base_url=emu.url) as client:
        start = datetime.now(timezone.utc) - timedelta(days=1)
        created = client.sessions.create(title="Evening Training", scheduled=start, duration=60)
        members = [m.user_id for m in emu.config.members]
        for user_id in members:
            client.attendance.add_attendee(
                created.session_id,
                user_id=user_id,
                join_time=start,
                leave_time=start + timedelta(minutes=55),
            )
        attended = dict.fromkeys(members, 1)
        attended[members[-1]] = 0
        for line in promote_regulars(client, attended, needed=1):
            print(line)


if __name__ == "__main__":
    main()
