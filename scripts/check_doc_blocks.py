"""Type-check every Python block of README.md and docs/*.md that is a complete program.

    python scripts/check_doc_blocks.py [--list]

A block is a complete program when it starts (after a docstring and comments) with an
import: it brings every name it uses, so a reader can copy it into a file as it stands.
Blocks that continue an earlier one, sessions with top-level ``await`` (as typed into
``python -m asyncio``), invisible blocks and blocks after a ``<!-- skip: next ... -->``
marker are not programs and are left out. Every block also runs in the test suite
(Sybil, see conftest.py); this script adds ``mypy --strict`` on top.

Each block is written to a temporary file padded with blank lines, so that mypy's line
numbers are the Markdown file's; the report names the Markdown file. Exit status: mypy's.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```python\n(?P<body>.*?)^```$", re.S | re.M)
SKIP = re.compile(r"<!--\s*skip:\s*next\b[^>]*-->\s*(?:<!--[^>]*-->\s*)*$")


@dataclass(frozen=True)
class Block:
    """One fenced Python block: where it is and what it holds."""

    page: Path
    line: int  # the line of the block's first code line in ``page`` (1-based)
    source: str


def blocks(page: Path) -> list[Block]:
    """The fenced ``python`` blocks of ``page`` not marked to be skipped."""
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        if SKIP.search(text[: match.start()]):
            continue
        line = text.count("\n", 0, match.start("body")) + 1
        found.append(Block(page, line, match["body"]))
    return found


def is_program(source: str) -> bool:
    """Whether ``source`` is a complete program (see the module docstring)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False  # an include line or a sketch: Sybil reports what it must
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    if not body or not isinstance(body[0], (ast.Import, ast.ImportFrom)):
        return False
    awaits = (ast.Await, ast.AsyncFor, ast.AsyncWith)
    functions = [f for f in ast.walk(tree) if isinstance(f, ast.AsyncFunctionDef)]
    inside = {id(node) for function in functions for node in ast.walk(function)}
    return all(id(node) in inside for node in ast.walk(tree) if isinstance(node, awaits))


def programs(root: Path = ROOT) -> list[Block]:
    """Every complete program of README.md and docs/*.md, in page order."""
    pages = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    return [b for page in pages for b in blocks(page) if is_program(b.source)]


def check(found: list[Block], root: Path = ROOT) -> int:
    """Run ``mypy --strict`` on ``found``; print its report in Markdown terms; return its status."""
    with tempfile.TemporaryDirectory(prefix="doc-blocks-") as tmp:
        names: dict[str, Block] = {}
        for index, block in enumerate(found):
            name = f"block_{index}_{block.page.stem}.py"
            padding = "\n" * (block.line - 1)
            (Path(tmp) / name).write_text(padding + block.source, encoding="utf-8")
            names[name] = block
        command = [sys.executable, "-m", "mypy", "--strict", "--config-file"]
        command += [str(ROOT / "pyproject.toml"), "--no-error-summary", *sorted(names)]
        done = subprocess.run(command, cwd=tmp, capture_output=True, text=True, check=False)
    report = done.stdout + done.stderr
    for name, block in names.items():
        report = report.replace(name, str(block.page.relative_to(root)))
    sys.stdout.write(report)
    print(f"{len(found)} complete program(s) checked with mypy --strict: ", end="")
    print("ok" if done.returncode == 0 else "errors above")
    return done.returncode


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and check (or list) the blocks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--list", action="store_true", help="list the blocks, check nothing")
    args = parser.parse_args(argv)
    found = programs()
    if args.list:
        for block in found:
            print(f"{block.page.relative_to(ROOT)}:{block.line}")
        return 0
    return check(found)


if __name__ == "__main__":
    sys.exit(main())
