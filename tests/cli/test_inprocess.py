"""The ``series`` command run in-process through ``main(argv)``: parsing, messages, output.

Cheap cases that need no subprocess: argument converters, usage errors, the
mapping of SDK errors to one line and an exit status, and the table format.
The emulator still answers wherever a request is (or must not be) sent.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from series_async.testing import SeriesEmulator
from series_sync import CustomRole, SeriesClient, SessionPage
from series_sync._cli import _commands, _convert, main
from series_sync._cli._output import dump_json, plain

Capture = pytest.CaptureFixture[str]


@pytest.fixture
def emu(series_emulator: SeriesEmulator, monkeypatch: pytest.MonkeyPatch) -> SeriesEmulator:
    for name in [k for k in os.environ if k.startswith("SERIES_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SERIES_BASE_URL", series_emulator.url)
    monkeypatch.setenv("SERIES_API_KEY", series_emulator.api_key)
    return series_emulator


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# --- converters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01T15:00:00Z", datetime(2026, 12, 1, 15, tzinfo=timezone.utc)),
        ("2026-12-01T15:00:00.250z", datetime(2026, 12, 1, 15, 0, 0, 250000, timezone.utc)),
        ("2026-12-01T17:00+02:00", datetime(2026, 12, 1, 15, tzinfo=timezone.utc)),
    ],
)
def test_when_absolute(text: str, expected: datetime) -> None:
    parsed = _convert.when(text)
    assert parsed == expected
    assert parsed.utcoffset() is not None


@pytest.mark.parametrize(
    ("text", "delta"),
    [("+30m", timedelta(minutes=30)), ("+2h", timedelta(hours=2)), ("+7d", timedelta(days=7))],
)
def test_when_relative(text: str, delta: timedelta) -> None:
    before = datetime.now(timezone.utc)
    parsed = _convert.when(text)
    assert before + delta <= parsed <= datetime.now(timezone.utc) + delta


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-12-01T15:00:00", "has no UTC offset, so it is ambiguous: add Z or +HH:MM"),
        ("tomorrow", "must be ISO 8601 with an offset or Z"),
        ("+5s", "or relative to now (+30m, +2h, +7d)"),
        ("-2h", "or relative to now (+30m, +2h, +7d)"),
    ],
)
def test_when_refused(text: str, message: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=re.escape(message)):
        _convert.when(text)


def test_day() -> None:
    assert _convert.day("2026-02-28") == date(2026, 2, 28)
    with pytest.raises(argparse.ArgumentTypeError, match="must be a day as YYYY-MM-DD"):
        _convert.day("20260228")
    with pytest.raises(argparse.ArgumentTypeError, match="is not a real day"):
        _convert.day("2026-02-30")


def test_role_spec() -> None:
    assert _convert.role_spec("name=Trainer,slots=2,min-rank=50") == _convert.RoleSpec(
        name="Trainer", slots=2, min_rank=50
    )
    helper = _convert.role_spec(" name=Helper , slots=3, modify-attendance,change-session-status")
    assert helper == _convert.RoleSpec(
        name="Helper",
        slots=3,
        min_rank=0,
        permissions=frozenset({"modify_attendance", "change_session_status"}),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("slots=2", "name= is required"),
        ("name=A", "slots= is required"),
        ("name=A,slots=two", "slots and min-rank must be whole numbers"),
        ("name=A,slots=1,rank=3", "unknown key 'rank'"),
        ("name=A,slots=1,admin", "unknown part 'admin'"),
        ("name=A,name=B,slots=1", "name is given twice"),
    ],
)
def test_role_spec_refused(text: str, message: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        _convert.role_spec(text)


# --- usage errors: exit 2, one line, nothing sent --------------------------------------


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        ((), "the following arguments are required: GROUP (see 'series --help')"),
        (("sessions",), "the following arguments are required: COMMAND"),
        (
            (
                "sessions",
                "create",
                "--title",
                "T",
                "--scheduled",
                "2026-12-01T10:00",
                "--duration",
                "5",
            ),
            "argument --scheduled: '2026-12-01T10:00' has no UTC offset",
        ),
        (
            ("sessions", "list", "--page", "2", "--all"),
            "argument --all: not allowed with argument --page",
        ),
        (("sessions", "list", "--page", "0"), "argument --page: must be a whole number >= 1"),
        (
            ("sessions", "list", "--date", "2026-13-01"),
            "argument --date: '2026-13-01' is not a real day",
        ),
        (
            ("sessions", "update", "S", "--role", "name=A,slots=1", "--no-roles"),
            "argument --no-roles: not allowed with argument --role",
        ),
        (("sessions", "create", "--role", "name=A"), "argument --role: slots= is required"),
        (
            ("--timeout", "0", "keys", "check"),
            "argument --timeout: must be a number of seconds > 0",
        ),
        (
            ("--max-retries", "-1", "keys", "check"),
            "argument --max-retries: must be a whole number >= 0",
        ),
        (
            ("--api-key-f=x", "keys", "check"),
            "unrecognized arguments: --api-key-f",
        ),  # no abbreviations
        (("--format", "xml", "keys", "check"), "argument --format: invalid choice: 'xml'"),
        (("ranking", "set-rank", "1", "high"), "argument RANK: must be a whole number >= 0"),
    ],
)
def test_usage_errors(
    emu: SeriesEmulator, capsys: Capture, argv: tuple[str, ...], line: str
) -> None:
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert err.startswith("series: UsageError: ")
    assert line in err
    assert err.count("\n") == 1
    assert emu.state.requests == ()


@pytest.mark.parametrize(
    "argv",
    [
        ("--api-key", "sk_live_leaked_123456", "keys", "check"),
        ("--api-key=sk_live_leaked_123456", "keys", "check"),
        ("sessions", "get", "S", "--api-key", "sk_live_leaked_123456"),
        ("keys", "check", "sk_live_leaked_123456"),  # a key pasted as a stray argument
        ("--api-k", "sk_live_leaked_123456", "keys", "check"),  # a typo: the key becomes GROUP
    ],
)
def test_key_on_the_command_line_is_refused_and_not_echoed(
    emu: SeriesEmulator, capsys: Capture, argv: tuple[str, ...]
) -> None:
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert "sk_live_leaked_123456" not in err
    assert err.count("\n") == 1
    assert emu.state.requests == ()


def test_key_file_problems(emu: SeriesEmulator, capsys: Capture, tmp_path: Path) -> None:
    empty = tmp_path / "empty.key"
    empty.write_text(" \n")
    binary = tmp_path / "binary.key"
    binary.write_bytes(b"\xff\xfesk_secret")
    for path, why in (
        (empty, "is empty"),
        (binary, "is not UTF-8 text"),
        (tmp_path, "cannot read"),  # a directory
    ):
        status, out, err = run(capsys, "--api-key-file", str(path), "keys", "check")
        assert (status, out) == (2, "")
        if why == "cannot read":
            reason = f"cannot read {str(path)!r}: Is a directory"
            assert err == f"series: UsageError: --api-key-file: {reason}\n"
        else:
            assert err == f"series: UsageError: --api-key-file: {str(path)!r} {why}\n"
        assert "sk_secret" not in err
    assert emu.state.requests == ()


def test_key_file_wins_over_the_environment(
    emu: SeriesEmulator, capsys: Capture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERIES_API_KEY", "sk_test_revoked")
    key_file = tmp_path / "key"
    key_file.write_text(emu.api_key + "\n")
    status, out, _ = run(capsys, "--api-key-file", str(key_file), "keys", "check")
    assert status == 0
    assert json.loads(out)["valid"] is True


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ("sessions", "create", "--title", "T", "--scheduled", "+1h", "--duration", "0"),
            "series: ValidationError: --duration: must be an integer >= 1 (minutes), got 0",
        ),
        (
            (
                "sessions",
                "create",
                "--title",
                "T",
                "--scheduled",
                "+1h",
                "--duration",
                "5",
                "--role",
                "name=A,slots=1",
                "--role",
                "name=B,slots=11",
            ),
            "series: ValidationError: --role #2 slots: must be an integer from 1 to 10, got 11",
        ),
        (
            ("ranking", "promote", "abc"),
            "series: ValidationError: USER_ID: must be a Roblox user id",
        ),
        (
            ("sessions", "quit", "S", "--user", "x", "--role", "R"),
            "series: ValidationError: --user: ",
        ),
        (
            ("sessions", "update", "S"),
            "series: ValidationError: sessions update: give at least one",
        ),
        (
            ("attendance", "update", "S", "--user", "1"),
            "series: ValidationError: attendance update: give --join, --leave or both",
        ),
        (("sessions", "list", "--start", "2026-01-01"), "series: ValidationError: --end: "),
        (("--base-url", "ftp://x", "keys", "check"), "series: ValidationError: --base-url: "),
    ],
)
def test_sdk_validation_names_the_option(
    emu: SeriesEmulator, capsys: Capture, argv: tuple[str, ...], line: str
) -> None:
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert err.startswith(line), err
    assert err.count("\n") == 1
    assert emu.state.requests == ()


def test_help_and_version(capsys: Capture) -> None:
    status, out, _ = run(capsys, "--help")
    assert status == 0
    assert "GROUP" in out
    for group in ("keys", "sessions", "attendance", "ranking", "emulator", "demo"):
        assert f"    {group} " in out
    status, out, _ = run(capsys, "sessions", "--help")
    assert status == 0
    for name in ("create", "get", "list", "update", "claim", "quit", "remove"):
        assert f"    {name} " in out
    from series_sync import __version__

    assert run(capsys, "--version")[:2] == (0, f"series {__version__}\n")


def test_emulator_group_hands_its_words_over(capsys: Capture) -> None:
    status, out, _ = run(capsys, "emulator", "--help")
    assert status == 0
    assert out.startswith("usage: series emulator [-h] [--host HOST] [--port PORT]")
    status, _, err = run(capsys, "emulator", "--fault", "nonsense")
    assert status == 2
    assert err.splitlines()[-1].startswith("series emulator: error: bad --fault 'nonsense'")


# --- results and errors ----------------------------------------------------------------


def test_plain_json_rules() -> None:
    # The CLI prints the models' own to_dict(): one encoder for the SDK and the CLI.
    when = datetime(2026, 12, 1, 17, 0, 0, 500000, tzinfo=timezone(timedelta(hours=2)))
    page = SessionPage.from_dict(
        {
            "workspace_id": "w",
            "page": 1,
            "sessions": [
                {
                    "session_id": "s",
                    "title": "T",
                    "scheduled": when.isoformat(),
                    "status": "ongoing",
                }
            ],
        }
    )
    assert plain(page) == page.to_dict()
    assert json.loads(dump_json(page))["sessions"][0]["scheduled"] == "2026-12-01T15:00:00.500Z"
    assert json.loads(dump_json(page))["sessions"][0]["status"] == "ongoing"
    assert plain(CustomRole(name="A", slots=1)) == {
        "name": "A",
        "slots": 1,
        "min_rank": 0,
        "permissions": {
            "change_session_status": False,
            "pass_or_fail_attendees": False,
            "modify_attendance": False,
            "extra": {},
        },
    }


def test_table_format(emu: SeriesEmulator, capsys: Capture) -> None:
    with SeriesClient(emu.api_key, base_url=emu.url) as client:
        made = client.sessions.create(title="Drill", scheduled="2026-12-01T15:00:00Z", duration=60)
    status, out, _ = run(capsys, "--format", "table", "sessions", "list")
    assert status == 0
    head, columns, row = out.splitlines()
    assert head == f"workspace {emu.workspace_id}, page 1"
    assert columns.split() == ["SESSION_ID", "STATUS", "SCHEDULED", "DURATION", "HOST", "TITLE"]
    assert row.split() == [made.session_id, "upcoming", "2026-12-01T15:00:00Z", "60", "-", "Drill"]
    assert columns.index("STATUS") == row.index("upcoming")  # aligned

    status, out, _ = run(capsys, "--format", "table", "sessions", "list", "--all")
    assert status == 0
    columns, row = out.splitlines()
    assert columns.index("TITLE") == row.index("Drill")

    status, out, _ = run(capsys, "--format", "table", "ranking", "set-rank", "3020518862", "50")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["user_id", "3020518862"]
    assert lines[3].split() == ["new_rank", "50"]
    assert len({line.index(line.split()[1]) for line in lines}) == 1  # values aligned


def test_table_on_an_ascii_stdout_replaces_and_restores_the_stream(
    emu: SeriesEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SeriesClient(emu.api_key, base_url=emu.url) as client:
        client.sessions.create(title="Fête ☕", scheduled="2026-12-01T15:00:00Z", duration=60)
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="ascii", errors="strict")
    monkeypatch.setattr("sys.stdout", stdout)
    assert main(["--format", "table", "sessions", "list"]) == 0
    assert raw.getvalue().decode("ascii").splitlines()[-1].endswith("  F?te ?")
    assert (
        stdout.errors == "strict"
    )  # main() can run inside a program: its stdout is left as it was


def test_record_table_flattens_nested_models(capsys: Capture) -> None:
    from series_sync import RoleSlots, SlotState
    from series_sync._cli._output import write_record

    buffer = io.StringIO()
    write_record(buffer, RoleSlots(min_rank=5, slots={"VACANT_0": SlotState()}))
    width = len("permissions.pass_or_fail_attendees")  # the longest key
    assert buffer.getvalue().splitlines() == [
        f"{key:<{width}}  {value}"
        for key, value in (
            ("min_rank", "5"),
            ("permissions.change_session_status", "false"),
            ("permissions.pass_or_fail_attendees", "false"),
            ("permissions.modify_attendance", "false"),
            ("permissions.extra", "{}"),
            ("slots.VACANT_0.attended", "false"),
            ("slots.VACANT_0.extra", "{}"),
            ("extra", "{}"),
        )
    ]


def test_error_message_is_one_line_and_key_free(
    emu: SeriesEmulator, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from series_sync import NotFoundError

    def hostile(client: SeriesClient, args: argparse.Namespace) -> object:
        raise NotFoundError(f"gone\r\nkey was {emu.api_key}", status=404)

    monkeypatch.setitem(_commands.COMMANDS, ("keys", "check"), hostile)
    status, out, err = run(capsys, "keys", "check")
    assert (status, out) == (1, "")
    assert err == "series: NotFoundError 404: gone\\r\\nkey was <redacted>\n"


def test_ctrl_c_anywhere_is_130_without_traceback(
    emu: SeriesEmulator, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(client: SeriesClient, args: argparse.Namespace) -> object:
        raise KeyboardInterrupt

    monkeypatch.setitem(_commands.COMMANDS, ("keys", "check"), interrupted)
    assert run(capsys, "keys", "check") == (130, "", "series: KeyboardInterrupt: interrupted\n")


def test_reader_gone_is_not_an_error(
    emu: SeriesEmulator, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    """`series sessions list --all | head -1`: stop quietly when stdout's reader leaves."""
    read_end, write_end = os.pipe()

    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self) -> int:
            return write_end

    monkeypatch.setattr("sys.stdout", ClosedPipe())
    try:
        status = main(["keys", "check"])
        os.write(write_end, b"x")  # stdout's descriptor now points at /dev/null...
        assert os.read(read_end, 1) == b""  # ...so the pipe has no writer left: EOF
    finally:
        os.close(read_end)
        os.close(write_end)
    assert status == 0
    assert capsys.readouterr().err == ""
    assert len(emu.state.requests) == 1


def test_verbose_logging_is_scrubbed_and_undone(
    emu: SeriesEmulator, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import logging

    logger = logging.getLogger("series")
    handlers, level = list(logger.handlers), logger.level
    emu.inject("rate_limit", routes="ranking.promote", times=1, retry_after=0)

    def leaky(client: SeriesClient, args: argparse.Namespace) -> object:
        logger.debug("debug line with %s", emu.api_key)  # e.g. a future careless log call
        return client.ranking.promote("3020518862")

    monkeypatch.setitem(_commands.COMMANDS, ("ranking", "promote"), leaky)
    status, out, err = run(capsys, "-v", "ranking", "promote", "3020518862")
    assert status == 0
    assert "INFO series: Retrying POST /ranking/promote/{userId} after 429" in err
    assert "debug line" not in err  # -v is INFO only
    status, out, err = run(capsys, "-vv", "ranking", "promote", "3020518862")
    assert status == 0
    assert "DEBUG series: debug line with <redacted>" in err
    assert emu.api_key not in err + out
    assert (logger.handlers, logger.level) == (handlers, level)
