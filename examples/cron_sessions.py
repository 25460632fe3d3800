"""A cron job with the sync client: create the sessions listed in a CSV file, once each.

    SERIES_API_KEY=... python examples/cron_sessions.py sessions.csv [--dry-run]

The CSV has a header row; ``title``, ``scheduled`` (ISO 8601 with an offset, e.g.
``2030-01-01T18:00:00Z``) and ``duration`` (minutes) are required, ``description``,
``host`` (a Roblox user id) and ``trainer_slots`` are optional.

Safe to rerun: before creating a row's session it lists the sessions of that day and skips
the row when one with the same title and start time exists. A create that fails is
reported from ``exc.may_have_acted``: ``True`` (the request was sent and its answer was
lost, timed out, a 5xx or unreadable) is "unknown, rerun to check and finish", since the
session may exist; ``False`` (refused, or never sent) is "failed". Either way the rerun
never makes a duplicate.

A bad row (missing field, bad time, refused by the API) is reported on stderr and the
other rows still go ahead. The exit status says whether anything needs a human: 0 when
every row was created or already there, 1 when at least one row failed, 2 when the file
itself could not be read (or the arguments were wrong).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from series_sync import CustomRole, SeriesClient, SeriesError

REQUIRED = ("title", "scheduled", "duration")


class RowError(ValueError):
    """A row of the CSV cannot become a session."""


@dataclass(frozen=True)
class Row:
    """One wanted session, as read from the CSV."""

    line: int
    title: str
    scheduled: datetime
    duration: int
    description: str | None = None
    host: str | None = None
    trainer_slots: int = 0


@dataclass
class Summary:
    """What the run did, for the last line of output and the exit status."""

    created: int = 0
    existing: int = 0
    failed: list[int] = field(default_factory=list)


def parse_row(line: int, record: dict[str, str | None]) -> Row:
    """Check one CSV record and turn it into a :class:`Row`.

    Raises:
        RowError: A required field is missing or a value is malformed (the message says which).
    """
    values = {key: (value or "").strip() for key, value in record.items() if key is not None}
    missing = [name for name in REQUIRED if not values.get(name)]
    if missing:
        raise RowError(f"missing {', '.join(missing)}")
    try:
        # fromisoformat() reads a trailing Z only from Python 3.11 on.
        scheduled = datetime.fromisoformat(values["scheduled"].replace("Z", "+00:00"))
    except ValueError:
        raise RowError(f"scheduled: not an ISO 8601 time: {values['scheduled']!r}") from None
    if scheduled.tzinfo is None:
        raise RowError(f"scheduled: needs a UTC offset, e.g. Z or +02:00: {values['scheduled']!r}")
    numbers: dict[str, int] = {}
    for name in ("duration", "trainer_slots"):
        text = values.get(name) or "0"
        if not text.isdigit():
            raise RowError(f"{name}: not a whole number: {text!r}")
        numbers[name] = int(text)
    return Row(
        line=line,
        title=values["title"],
        scheduled=scheduled,
        duration=numbers["duration"],
        description=values.get("description") or None,
        host=values.get("host") or None,
        trainer_slots=numbers["trainer_slots"],
    )


def _utc_day(row: Row) -> date:
    # The API files a session under the UTC day it starts on.
    return row.scheduled.astimezone(timezone.utc).date()


class Existing:
    """The (title, start) pairs already scheduled, listed once per day."""

    def __init__(self, client: SeriesClient) -> None:
        self._client = client
        self._days: dict[date, set[tuple[str, datetime]]] = {}

    def has(self, row: Row) -> bool:
        """Whether a session with the row's title and start time exists."""
        return (row.title, row.scheduled) in self._day(_utc_day(row))

    def add(self, row: Row) -> None:
        """Remember a session this run created."""
        self._day(_utc_day(row)).add((row.title, row.scheduled))

    def _day(self, day: date) -> set[tuple[str, datetime]]:
        if day not in self._days:
            self._days[day] = {
                (s.title, s.scheduled)
                for s in self._client.sessions.iterate(date=day)
                if s.scheduled is not None
            }
        return self._days[day]


def run(client: SeriesClient, rows: Sequence[Row], *, dry_run: bool) -> Summary:
    """Create each row's session unless it exists; print one line per row."""
    summary = Summary()
    existing = Existing(client)
    for row in rows:
        what = f"line {row.line}: {row.title!r} at {row.scheduled.isoformat()}"
        try:
            if existing.has(row):
                summary.existing += 1
                print(f"{what}: already scheduled")
                continue
            if dry_run:
                existing.add(row)  # a row repeated in the file would be skipped too
                summary.created += 1
                print(f"{what}: would create")
                continue
            roles = [CustomRole(name="Trainer", slots=row.trainer_slots, min_rank=50)]
            created = client.sessions.create(
                title=row.title,
                scheduled=row.scheduled,
                duration=row.duration,
                description=row.description,
                host=row.host,
                claimable=True if row.trainer_slots else None,
                custom_roles=roles if row.trainer_slots else None,
            )
        except SeriesError as exc:
            summary.failed.append(row.line)
            if exc.may_have_acted:
                # Sent, but the answer was lost or unreadable (a dropped connection, a
                # timeout, a 5xx, a garbled 2xx): the rerun's listing finds out.
                print(f"{what}: unknown, {exc}; rerun to check and finish", file=sys.stderr)
            else:
                print(f"{what}: failed, {exc}", file=sys.stderr)
        else:
            existing.add(row)
            summary.created += 1
            print(f"{what}: created {created.session_id}")
    return summary


def read_rows(path: str, summary: Summary) -> list[Row]:
    """The good rows of the CSV; bad ones are reported and counted in ``summary.failed``.

    Raises:
        OSError: The file cannot be read.
        RowError: The header lacks a required column.
    """
    rows: list[Row] = []
    with open(path, newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
        if missing:
            raise RowError(f"the header row lacks {', '.join(missing)}")
        for record in reader:
            line = reader.line_num  # the file's line, counting the header as line 1
            try:
                rows.append(parse_row(line, record))
            except RowError as exc:
                summary.failed.append(line)
                print(f"line {line}: skipped, {exc}", file=sys.stderr)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Run the job; return the exit status (see the module docstring)."""
    parser = argparse.ArgumentParser(description="Create the Series sessions listed in a CSV.")
    parser.add_argument("csv", help="the CSV file (header: title,scheduled,duration,...)")
    parser.add_argument("--dry-run", action="store_true", help="report, create nothing")
    args = parser.parse_args(argv)

    summary = Summary()
    try:
        rows = read_rows(args.csv, summary)
    except OSError as exc:
        print(f"cannot read {args.csv}: {exc.strerror}", file=sys.stderr)
        return 2
    except RowError as exc:
        print(f"{args.csv}: {exc}", file=sys.stderr)
        return 2

    try:
        with SeriesClient(user_agent="cron-sessions/1.0") as client:
            done = run(client, rows, dry_run=args.dry_run)
    except SeriesError as exc:  # no API key, a bad base URL: nothing can work
        print(f"cannot start: {exc}", file=sys.stderr)
        return 2
    failed = sorted(summary.failed + done.failed)

    verb = "would create" if args.dry_run else "created"
    lines = f" (lines {', '.join(map(str, failed))})" if failed else ""
    print(f"{verb} {done.created}, already scheduled {done.existing}, failed {len(failed)}{lines}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
