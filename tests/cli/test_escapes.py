"""The CLI shows what the server wrote, never obeys it (issue 16 item 3, design §7).

In ``--format table`` and in the stderr line every character of Unicode
categories Cc, Cf, Zl and Zp is written as ``repr`` writes it; in JSON it is a
``\\uXXXX`` escape of the same value. Checked with known terminal attacks and
fuzzed with hypothesis over any character.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import unicodedata
from datetime import datetime, timezone

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from series_async.testing import SeriesEmulator
from series_sync import NotFoundError, SeriesClient, Session, SessionPage, SessionStatus
from series_sync._cli import _commands, main
from series_sync._cli._main import _say, _Scrubber
from series_sync._cli._output import dump_json, session_row, write_record, write_table

Capture = pytest.CaptureFixture[str]
OBEYED = {"Cc", "Cf", "Zl", "Zp"}

HOSTILE = {
    "osc title": ("\x1b]0;owned\x07Drill", "\\x1b]0;owned\\x07Drill"),
    "clear screen": ("\x1b[2JDrill", "\\x1b[2JDrill"),
    "c1 csi": ("\x9b31mDrill", "\\x9b31mDrill"),
    "bidi override": ("Drill\u202eevil", "Drill\\u202eevil"),
    "forged row": ("Drill\r\nS2  upcoming", "Drill\\r\\nS2  upcoming"),
    "tag char": ("Drill\U000e0001", "Drill\\U000e0001"),
    "line separator": ("a\u2028b\u2029c\x7f", "a\\u2028b\\u2029c\\x7f"),
}


def obeyed(text: str) -> list[str]:
    """Characters of ``text`` a terminal would act on (our own line ends aside)."""
    return [c for c in text.replace("\n", "") if unicodedata.category(c) in OBEYED]


def session(title: str) -> Session:
    return Session(
        session_id="S1",
        title=title,
        host=title,
        scheduled=datetime(2026, 12, 1, 15, tzinfo=timezone.utc),
        status=SessionStatus.UPCOMING,
        duration=60,
    )


@pytest.fixture
def emu(series_emulator: SeriesEmulator, monkeypatch: pytest.MonkeyPatch) -> SeriesEmulator:
    for name in [k for k in os.environ if k.startswith("SERIES_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SERIES_BASE_URL", series_emulator.url)
    monkeypatch.setenv("SERIES_API_KEY", series_emulator.api_key)
    return series_emulator


def serve_page(monkeypatch: pytest.MonkeyPatch, title: str) -> None:
    def hostile(client: SeriesClient, args: argparse.Namespace) -> object:
        return SessionPage(page=1, sessions=[session(title)], workspace_id=f"W{title}")

    monkeypatch.setitem(_commands.COMMANDS, ("sessions", "list"), hostile)


@pytest.mark.parametrize(("title", "shown"), list(HOSTILE.values()), ids=list(HOSTILE))
def test_table_writes_terminal_controls_as_escapes(
    emu: SeriesEmulator, capsys: Capture, monkeypatch: pytest.MonkeyPatch, title: str, shown: str
) -> None:
    serve_page(monkeypatch, title)
    assert main(["--format", "table", "sessions", "list"]) == 0
    out = capsys.readouterr().out
    assert obeyed(out) == []
    head, columns, row = out.splitlines()  # no forged row
    assert head == f"workspace W{shown}, page 1"
    assert row.endswith(f"  {shown}")
    assert row.index("upcoming") == columns.index("STATUS")


@pytest.mark.parametrize(("title", "shown"), list(HOSTILE.values()), ids=list(HOSTILE))
def test_json_writes_terminal_controls_as_u_escapes(
    emu: SeriesEmulator, capsys: Capture, monkeypatch: pytest.MonkeyPatch, title: str, shown: str
) -> None:
    serve_page(monkeypatch, title)
    assert main(["sessions", "list"]) == 0
    out = capsys.readouterr().out
    assert obeyed(out) == []
    assert "\\n" not in out.replace("\\\\", "")  # \u000a, not the short form
    assert json.loads(out)["sessions"][0]["title"] == title  # the same value


@pytest.mark.parametrize(("title", "shown"), list(HOSTILE.values()), ids=list(HOSTILE))
def test_stderr_line_writes_terminal_controls_as_escapes(
    emu: SeriesEmulator, capsys: Capture, monkeypatch: pytest.MonkeyPatch, title: str, shown: str
) -> None:
    def hostile(client: SeriesClient, args: argparse.Namespace) -> object:
        raise NotFoundError(f"no {title} for {emu.api_key}", status=404)

    monkeypatch.setitem(_commands.COMMANDS, ("keys", "check"), hostile)
    assert main(["keys", "check"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"series: NotFoundError 404: no {shown} for <redacted>\n"


def test_json_lines_of_all_escape_too(
    emu: SeriesEmulator, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    titles = [title for title, _ in HOSTILE.values()]

    def hostile(client: SeriesClient, args: argparse.Namespace) -> object:
        return _commands.Stream(iter([session(t) for t in titles]))

    monkeypatch.setitem(_commands.COMMANDS, ("sessions", "list"), hostile)
    assert main(["sessions", "list", "--all"]) == 0
    out = capsys.readouterr().out
    assert obeyed(out) == []
    assert [json.loads(line)["title"] for line in out.splitlines()] == titles


# Any character at all, weighted towards the ones a terminal would obey.
_OBEYED_CHARS = st.characters(categories=("Cc", "Cf", "Zl", "Zp", "Cs"))
TEXT = st.text(st.one_of(_OBEYED_CHARS, st.characters()), max_size=12)


@given(title=TEXT, key=TEXT)  # the "ci" profile (tests/conftest.py): derandomized, bounded
def test_fuzz_no_output_form_lets_a_terminal_control_through(title: str, key: str) -> None:
    page = SessionPage(page=1, sessions=[session(title)], workspace_id=title)
    table = io.StringIO()
    header = ["SESSION_ID", "STATUS", "SCHEDULED", "DURATION", "HOST", "TITLE"]
    write_table(table, header, [session_row(s) for s in page.sessions])
    write_record(table, session(title))
    assert obeyed(table.getvalue()) == []
    assert len(table.getvalue().splitlines()) == 2 + len(attrs.fields(Session))  # none forged

    for text in (dump_json(page), dump_json(page, lines=True)):
        assert obeyed(text) == []  # indentation aside, nothing a terminal obeys
        assert json.loads(text)["sessions"][0]["title"] == title
    assert "\n" not in dump_json(page, lines=True)

    err = io.StringIO()
    _say(err, _Scrubber(key), "NotFoundError", f"{title}:{key}", 404)
    line = err.getvalue()
    assert line.endswith("\n")
    assert line.count("\n") == 1
    assert obeyed(line) == []
