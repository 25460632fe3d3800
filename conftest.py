"""Every Python code block of README.md and docs/*.md runs as a test, against the emulator.

Collected by Sybil (``testpaths`` names README.md and docs/). Each document gets a fresh
emulator whose URL and key are in ``SERIES_BASE_URL`` / ``SERIES_API_KEY`` for as long as
its blocks run, in order and sharing one namespace, so a sample written as
``SeriesClient()`` runs unchanged here and against the real API. Besides plain Python:

- a block with top-level ``await`` runs on a new event loop, as in ``python -m asyncio``;
- a block defining ``test_*`` functions is a test file: each of them runs with a fresh
  emulator as its ``series_emulator`` argument, like the pytest fixture would give it;
- a block that is only an mkdocs include (``--8<-- "examples/x.py:a:b"``) must name an
  existing file and line range; the included programs are tested in tests/core and by
  the fresh-project test;
- a block needing a framework of the ``examples`` extra (discord.py, FastAPI) skips, with
  the reason, when the extra is not installed; so do the blocks after it in that document;
- ``<!-- skip: next "reason" -->`` marks a deliberate fragment.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import os
import re
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sybil import Example, Sybil
from sybil.parsers.markdown import CodeBlockParser, SkipParser

from series_async.testing import SeriesEmulator

ROOT = Path(__file__).parent
EXAMPLES_EXTRA = {"discord", "fastapi", "httpx", "asgi_lifespan", "starlette"}
SNIPPET = re.compile(r'^--8<-- "(?P<path>[^":]+)(?::(?P<start>\d+):(?P<end>\d+))?"\s*$')
_ENV = ("SERIES_API_KEY", "SERIES_BASE_URL")
_SKIP_KEY = "__docs_skip_reason__"

# A shell without job control starts background jobs with SIGINT ignored (POSIX), and an
# ignored signal stays ignored in every program they start: CI runs its suites that way.
# The Ctrl-C tests send SIGINT to the `series` command as a terminal would, so the suite
# gives its children the default handling a terminal session has.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _setup(namespace: dict[str, Any]) -> None:
    emulator = SeriesEmulator().start()
    namespace["__docs_emulator__"] = emulator
    namespace["__docs_saved_env__"] = {name: os.environ.get(name) for name in _ENV}
    os.environ["SERIES_API_KEY"] = emulator.api_key
    os.environ["SERIES_BASE_URL"] = emulator.url


def _teardown(namespace: dict[str, Any]) -> None:
    for name, value in namespace["__docs_saved_env__"].items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    namespace["__docs_emulator__"].stop()


def _check_snippet(source: str) -> None:
    match = SNIPPET.match(source.strip())
    assert match, f"not an mkdocs snippet include: {source!r}"
    path = ROOT / match["path"]
    assert path.is_file(), f"included file {match['path']} does not exist"
    if match["start"]:
        lines = path.read_text(encoding="utf-8").splitlines()
        start, end = int(match["start"]), int(match["end"])
        assert 1 <= start <= end <= len(lines), f"{match['path']} has no lines {start}-{end}"


def _run_tests(defined: dict[str, Callable[..., Any]]) -> None:
    for name, func in defined.items():
        params = list(inspect.signature(func).parameters)
        assert params in ([], ["series_emulator"]), f"{name}: only series_emulator is provided"
        with SeriesEmulator() as emulator:
            result = func(emulator) if params else func()
            if inspect.iscoroutine(result):
                asyncio.run(result)


def evaluate_python(example: Example) -> None:
    """Run one block in its document's namespace (see the module docstring)."""
    __tracebackhide__ = True
    namespace = example.namespace
    if namespace.get(_SKIP_KEY):
        pytest.skip(namespace[_SKIP_KEY])
    source = str(example.parsed)
    if source.lstrip().startswith("--8<--"):
        _check_snippet(source)
        return
    before = {name for name in namespace if name.startswith("test_")}
    padded = "\n" * (example.line + example.parsed.line_offset) + source
    code = compile(
        padded, example.path, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True
    )
    try:
        if code.co_flags & inspect.CO_COROUTINE:
            asyncio.run(eval(code, namespace))
        else:
            exec(code, namespace)
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.split(".")[0] not in EXAMPLES_EXTRA:
            raise
        namespace[_SKIP_KEY] = f"needs the examples extra (pip install '.[examples]'): {exc}"
        pytest.skip(namespace[_SKIP_KEY])
    namespace.pop("__builtins__", None)
    _run_tests(
        {
            name: value
            for name, value in namespace.items()
            if name.startswith("test_") and name not in before and callable(value)
        }
    )


pytest_collect_file = Sybil(
    parsers=[CodeBlockParser("python", evaluate_python), SkipParser()],
    patterns=["README.md", "docs/*.md"],
    setup=_setup,
    teardown=_teardown,
).pytest()
