"""Developer tasks: ``nox`` runs tests (every supported Python), lint, typecheck and gen_sync."""

from __future__ import annotations

import re
from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "gen_sync", "docs"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = False

ROOT = Path(__file__).parent
# The Python matrix comes from the classifiers, so pyproject.toml is the one place to change it.
PYTHONS = re.findall(
    r'"Programming Language :: Python :: (3\.\d+)"', (ROOT / "pyproject.toml").read_text()
)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite with coverage."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHONS[0])
def lowest(session: nox.Session) -> None:
    """The suite against the lowest versions of the runtime dependencies pyproject.toml allows.

    Each ``name>=floor`` of ``[project] dependencies`` is pinned to ``name==floor`` through a
    constraints file (pip has no lowest-resolution mode), on the oldest supported Python.
    """
    constraints = Path(session.create_tmp()) / "lowest.txt"
    constraints.write_text("\n".join(lowest_pins()) + "\n")
    session.log("constraints: " + ", ".join(lowest_pins()))
    session.install("-c", str(constraints), ".[test]")
    session.run("python", "-m", "pip", "list", "--format=freeze", silent=False)
    session.run("pytest", "--no-cov", "-q", *session.posargs)


def lowest_pins() -> list[str]:
    """``name==floor; marker`` for every runtime dependency of pyproject.toml."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = []
    for requirement in project["dependencies"]:
        match = re.fullmatch(r"([\w.-]+)\s*>=\s*([\w.]+)\s*(;.*)?", requirement)
        if match is None:
            raise ValueError(f"dependency without a plain >= floor: {requirement!r}")
        name, floor, marker = match.groups()
        pins.append(f"{name}=={floor}{marker or ''}")
    return pins


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("-e", ".[lint]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over both packages, generated code, scripts, examples and tests/typing."""
    session.install("-e", ".[typing,examples]")  # examples/ imports discord.py and FastAPI
    session.run("mypy")


@nox.session
def gen_sync(session: nox.Session) -> None:
    """Fail if series_sync drifted from what scripts/gen_sync.py generates."""
    session.install("-e", ".[lint]")  # the output is formatted by the pinned ruff
    session.run("python", "scripts/gen_sync.py", "--check")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site with warnings as errors."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")


@nox.session
def soak(session: nox.Session) -> None:
    """10,000 mixed calls at 20 % faults (async 32 in flight, sync from 8 threads), under -X dev.

    Prints the counts per outcome, wall time, open FDs and RSS before/after; fails
    on any hang, escaped exception, warning, or duplicated non-idempotent effect.
    Pass options after ``--``, e.g. ``nox -s soak -- --calls 2000``.
    """
    session.install("-e", ".[test]")
    session.run("python", "-X", "dev", "-m", "tests.soak", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks (not part of CI's pass/fail)."""
    session.install("-e", ".[bench]")
    session.run("python", "bench/run.py", *session.posargs)
