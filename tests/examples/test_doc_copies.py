"""The docs show code, not include lines, and each copy of an example is the example.

On GitHub an mkdocs ``--8<--`` include shows as a raw line, so a page shows the
code itself; a block preceded by ``<!-- copy of: examples/x.py[:a:b] -->`` must
be that file (or lines a to b of it) exactly. The examples run in tests/core
and tests/emulator; the copies also run where they stand (Sybil).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COPY = re.compile(
    r"<!-- copy of: (?P<path>examples/[\w.]+)(?::(?P<start>\d+):(?P<end>\d+))? -->\n"
    r"```python\n(?P<body>.*?)```\n",
    re.S,
)
# changelog.md is the site's page for CHANGELOG.md, which GitHub shows itself.
INCLUDES_ALLOWED = {"changelog.md"}


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_no_page_shows_a_raw_include_line(page: Path) -> None:
    if page.name in INCLUDES_ALLOWED:
        return
    includes = [line for line in page.read_text(encoding="utf-8").splitlines() if "--8<--" in line]
    assert includes == []


def copies() -> list[tuple[str, re.Match[str]]]:
    found = []
    for page in PAGES:
        for match in COPY.finditer(page.read_text(encoding="utf-8")):
            found.append((f"{page.name}:{match['path']}", match))
    return found


def test_the_guides_show_their_examples() -> None:
    shown = {name.split(":")[1] for name, _ in copies()}
    assert shown >= {
        "examples/quickstart_async.py",
        "examples/legacy_script.py",
        "examples/emulator_bot_test.py",
        "examples/bot_replies.py",
    }


@pytest.mark.parametrize(("name", "match"), copies(), ids=[name for name, _ in copies()])
def test_each_copy_is_the_example_itself(name: str, match: re.Match[str]) -> None:
    lines = (ROOT / match["path"]).read_text(encoding="utf-8").splitlines(keepends=True)
    if match["start"]:
        start, end = int(match["start"]), int(match["end"])
        assert 1 <= start <= end <= len(lines)
        lines = lines[start - 1 : end]
    assert match["body"] == "".join(lines), f"{name}: copy the file into the page again"
