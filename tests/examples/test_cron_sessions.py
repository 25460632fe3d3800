"""examples/cron_sessions.py as cron runs it: a subprocess under -X dev -W error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from series_async.testing import SeriesEmulator
from tests.examples._load import EXAMPLES

CSV = """\
title,scheduled,duration,description,host,trainer_slots
Basics,2030-01-07T18:00:00Z,60,For new members,714760171,2
Advanced,2030-01-07T20:00:00+02:00,45,,,
Broken,next tuesday,30,,,
Weekend drill,2030-01-12T10:00:00Z,30,,,0
"""


def cron(emu: SeriesEmulator, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(EXAMPLES.parent),
        "SERIES_API_KEY": emu.api_key,
        "SERIES_BASE_URL": emu.url,
    }
    return subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", str(EXAMPLES / "cron_sessions.py"), *args],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
        check=False,
    )


@pytest.fixture
def sessions_csv(tmp_path: Path) -> Path:
    path = tmp_path / "sessions.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def titles(emu: SeriesEmulator) -> list[str]:
    return sorted(record.title for record in emu.state.sessions.values())


@pytest.mark.timeout(60)
def test_creates_reports_the_bad_row_and_reruns_without_duplicates(
    series_emulator: SeriesEmulator, sessions_csv: Path
) -> None:
    first = cron(series_emulator, sessions_csv)
    assert first.returncode == 1  # a row failed: someone should look
    assert first.stderr == ("line 4: skipped, scheduled: not an ISO 8601 time: 'next tuesday'\n")
    out = first.stdout.splitlines()
    assert out[0].startswith("line 2: 'Basics' at 2030-01-07T18:00:00+00:00: created session_")
    assert out[1].startswith("line 3: 'Advanced' at 2030-01-07T20:00:00+02:00: created session_")
    assert out[2].startswith("line 5: 'Weekend drill' at 2030-01-12T10:00:00+00:00: created ")
    assert out[3] == "created 3, already scheduled 0, failed 1 (lines 4)"
    assert titles(series_emulator) == ["Advanced", "Basics", "Weekend drill"]
    basics = next(r for r in series_emulator.state.sessions.values() if r.title == "Basics")
    assert (basics.host, basics.claimable, basics.description) == (
        "714760171",
        True,
        "For new members",
    )
    assert [len(role.slots) for role in basics.custom_roles] == [2]

    again = cron(series_emulator, sessions_csv)
    assert again.returncode == 1
    assert again.stdout.splitlines()[-1] == "created 0, already scheduled 3, failed 1 (lines 4)"
    assert titles(series_emulator) == ["Advanced", "Basics", "Weekend drill"]
    assert series_emulator.state.applied("sessions.create") == 3


def test_dry_run_creates_nothing(series_emulator: SeriesEmulator, sessions_csv: Path) -> None:
    fixed = CSV.replace("Broken,next tuesday", "Fixed,2030-01-08T18:00:00Z")
    sessions_csv.write_text(fixed + "Basics,2030-01-07T18:00:00Z,60,repeated,,\n")
    result = cron(series_emulator, sessions_csv, "--dry-run")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[-1] == "would create 4, already scheduled 1, failed 0"
    assert "line 4: 'Fixed' at 2030-01-08T18:00:00+00:00: would create" in result.stdout
    assert series_emulator.state.sessions == {}
    assert series_emulator.state.applied("sessions.create") == 0


def test_a_lost_create_is_finished_by_the_rerun(
    series_emulator: SeriesEmulator, sessions_csv: Path
) -> None:
    # The first create reaches the API, then the connection drops: outcome unknown.
    series_emulator.inject("drop_after", routes="sessions.create")
    first = cron(series_emulator, sessions_csv)
    assert first.returncode == 1
    assert "line 2: 'Basics' at 2030-01-07T18:00:00+00:00: unknown, " in first.stderr
    assert "rerun to check and finish" in first.stderr
    assert first.stdout.splitlines()[-1] == "created 2, already scheduled 0, failed 2 (lines 2, 4)"
    again = cron(series_emulator, sessions_csv)
    assert again.stdout.splitlines()[-1] == "created 0, already scheduled 3, failed 1 (lines 4)"
    assert series_emulator.state.applied("sessions.create") == 3


@pytest.mark.parametrize("kind", ["http_500", "non_json_body"])
def test_a_create_that_may_have_acted_is_unknown_not_failed(
    series_emulator: SeriesEmulator, sessions_csv: Path, kind: str
) -> None:
    # A 5xx or an unreadable answer to a create: the SDK says it may have acted, so the job
    # must not call the row failed (a human would recreate it by hand): a rerun decides.
    series_emulator.inject(kind, routes="sessions.create")
    first = cron(series_emulator, sessions_csv)
    assert first.returncode == 1
    assert "line 2: 'Basics' at 2030-01-07T18:00:00+00:00: unknown, " in first.stderr
    assert "line 2: 'Basics' at 2030-01-07T18:00:00+00:00: failed" not in first.stderr
    again = cron(series_emulator, sessions_csv)
    assert again.stdout.splitlines()[-1].startswith("created ")
    assert titles(series_emulator).count("Basics") == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read "),
        ("title,duration\nX,5\n", "the header row lacks scheduled"),
    ],
)
def test_an_unusable_file_exits_2(
    series_emulator: SeriesEmulator, tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "sessions.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = cron(series_emulator, path)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_the_sync_guide_links_the_recipe_and_says_how_it_decides() -> None:
    guide = (EXAMPLES.parent / "docs" / "sync.md").read_text(encoding="utf-8")
    assert "examples/cron_sessions.py" in guide
    assert "exc.may_have_acted" in guide
