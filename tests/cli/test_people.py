"""The ``series`` command for people at a terminal (issue 19, design §7).

Global options after ``GROUP COMMAND``, "did you mean", tables sized to what
they print, echoes without ``None`` fields, a refused ``http://`` in shell
terms, and the emulator's help listing its fault kinds.
"""

from __future__ import annotations

import json
import os

import pytest

from series_async.testing import SeriesEmulator
from series_async.testing import cli as emulator_cli
from series_async.testing._faults import FaultKind
from series_sync import SeriesClient
from series_sync._cli import main
from series_sync._cli._main import _merge_globals
from series_sync._cli._parser import build_parser

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


# --- global options after GROUP COMMAND ------------------------------------------------


def parsed(*argv: str) -> dict[str, object]:
    args = _merge_globals(build_parser(argv).parse_args(list(argv)))
    return {k: getattr(args, k) for k in ("format", "verbose", "timeout", "max_retries")}


def test_global_options_after_the_command() -> None:
    assert parsed("sessions", "list", "--format", "table", "--timeout", "2.5") == {
        "format": "table",
        "verbose": 0,
        "timeout": 2.5,
        "max_retries": None,
    }
    assert parsed("keys", "check", "--max-retries", "0", "-v")["max_retries"] == 0


def test_global_option_given_twice_the_last_wins_and_v_counts_add_up() -> None:
    assert parsed("--format", "table", "sessions", "list", "--format", "json")["format"] == "json"
    assert parsed("--format", "json", "sessions", "get", "S", "--format", "table")["format"] == (
        "table"
    )
    assert parsed("--timeout", "1", "ranking", "promote", "1", "--timeout", "3")["timeout"] == 3.0
    assert parsed("--format", "table", "sessions", "list")["format"] == "table"  # before only
    assert parsed("-v", "sessions", "list", "-v")["verbose"] == 2
    assert parsed("-vv", "keys", "check", "--verbose")["verbose"] == 3


def test_format_after_the_command_runs(emu: SeriesEmulator, capsys: Capture) -> None:
    status, out, err = run(capsys, "sessions", "list", "--format", "table")
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == f"workspace {emu.workspace_id}, page 1"


def test_global_option_after_the_command_is_checked_like_before(capsys: Capture) -> None:
    status, out, err = run(capsys, "sessions", "list", "--format", "xml")
    assert (status, out) == (2, "")
    assert err.startswith("series: UsageError: argument --format: invalid choice: 'xml'")


# --- did you mean ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (("sesions", "list"), "did you mean 'sessions'?"),
        (("ranking", "promte", "1"), "did you mean 'promote'?"),
        (("sessions", "crate"), "did you mean 'create'?"),
        (("attendence", "add"), "did you mean 'attendance'?"),
        (("ranking", "set_rank", "1", "2"), "did you mean 'set-rank'?"),
    ],
)
def test_a_mistyped_group_or_command_gets_a_suggestion(
    capsys: Capture, argv: tuple[str, ...], hint: str
) -> None:
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert err.startswith("series: UsageError: argument ")
    assert "invalid choice" in err
    assert hint in err
    assert err.count("\n") == 1


def test_no_suggestion_when_nothing_is_close(capsys: Capture) -> None:
    status, _, err = run(capsys, "weather", "today")
    assert status == 2
    assert "invalid choice: 'weather'" in err
    assert "did you mean" not in err


# --- tables sized to what they print ---------------------------------------------------


def _aligned(lines: list[str], column: str, value: str) -> bool:
    head = lines[0]
    return all(line.index(value) == head.index(column) for line in lines[1:] if value in line)


def test_all_table_is_sized_to_what_it_prints(emu: SeriesEmulator, capsys: Capture) -> None:
    with SeriesClient(emu.api_key, base_url=emu.url) as client:
        client.sessions.create(title="Exact", scheduled="2026-12-01T15:00:00Z", duration=60)
        client.sessions.create(title="Milli", scheduled="2026-12-01T15:00:00.250Z", duration=60)
    status, out, _ = run(capsys, "--format", "table", "sessions", "list", "--all")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["SESSION_ID", "STATUS", "SCHEDULED", "DURATION", "HOST", "TITLE"]
    assert [line.split()[-1] for line in lines[1:]] == ["Exact", "Milli"]
    assert all(line.index(line.split()[3]) == lines[0].index("DURATION") for line in lines[1:])
    assert _aligned(lines, "TITLE", "Exact")
    assert _aligned(lines, "TITLE", "Milli")
    # No column is wider than its widest cell (the old fixed widths padded SESSION_ID to 36).
    assert lines[0].index("STATUS") == max(len(line.split()[0]) for line in lines) + 2


def test_all_json_lines_still_stream_one_per_line(emu: SeriesEmulator, capsys: Capture) -> None:
    with SeriesClient(emu.api_key, base_url=emu.url) as client:
        for title in ("A", "B"):
            client.sessions.create(title=title, scheduled="2026-12-01T15:00:00Z", duration=60)
    status, out, _ = run(capsys, "sessions", "list", "--all")
    assert status == 0
    assert [json.loads(line)["title"] for line in out.splitlines()] == ["A", "B"]


# --- echo of create / update -----------------------------------------------------------


def test_create_echo_leaves_out_what_the_answer_did_not_carry(
    emu: SeriesEmulator, capsys: Capture
) -> None:
    argv = ("sessions", "create", "--title", "T", "--scheduled", "+1d", "--duration", "30")
    status, out, _ = run(capsys, *argv)
    assert status == 0
    echo = json.loads(out)
    assert echo["title"] == "T"
    assert None not in echo.values()
    assert "host" not in echo
    assert "co_host" not in echo

    status, out, _ = run(capsys, "--format", "table", *argv)
    assert status == 0
    keys = [line.split()[0] for line in out.splitlines()]
    assert "title" in keys
    assert "host" not in keys
    assert all(line.split()[-1] != "-" for line in out.splitlines())


def test_update_echo_leaves_out_none_fields(emu: SeriesEmulator, capsys: Capture) -> None:
    with SeriesClient(emu.api_key, base_url=emu.url) as client:
        made = client.sessions.create(title="T", scheduled="2026-12-01T15:00:00Z", duration=60)
    status, out, _ = run(capsys, "sessions", "update", made.session_id, "--title", "New")
    assert status == 0
    echo = json.loads(out)
    assert echo["session_id"] == made.session_id
    assert echo["title"] == "New"
    assert None not in echo.values()


# --- http:// refused in shell terms ----------------------------------------------------


def test_refused_http_base_url_says_what_to_do_from_a_shell(
    emu: SeriesEmulator, capsys: Capture
) -> None:
    status, out, err = run(capsys, "--base-url", "http://api.example.com", "keys", "check")
    assert (status, out) == (2, "")
    assert err.startswith("series: ValidationError: --base-url: refusing plain http://")
    assert "allow_insecure_http" not in err
    assert "https://" in err
    assert "loopback" in err
    assert err.count("\n") == 1
    assert emu.state.requests == ()


# --- series-emulator --help ------------------------------------------------------------


def test_emulator_help_lists_every_fault_kind() -> None:
    text = emulator_cli.build_parser().format_help()
    for kind in FaultKind:
        assert kind.value in text
    assert "Fault kinds" in text
