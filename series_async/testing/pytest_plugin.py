"""Pytest plugin: a fresh Series emulator per test.

Registered through the ``pytest11`` entry point, so installing ``series-sdk``
is enough. The ``series_emulator`` fixture is function-scoped and synchronous:
the emulator runs on its own thread and loop, so it serves sync tests, async
tests and code under test that uses either client::

    async def test_promote(series_emulator):
        async with SeriesClient(series_emulator.api_key, base_url=series_emulator.url) as c:
            change = await c.ranking.promote("3020518862")
        assert series_emulator.state.member_ranks["3020518862"] == change.new_rank

Pick the workspace by overriding the ``series_emulator_config`` fixture (any
config :func:`~series_async.testing.load_config` accepts), or per test with the
marker ``@pytest.mark.series_emulator(config=..., faults=..., seed=...)``.

For the test's duration every retry wait is skipped
(:func:`~series_async.testing.fast_retries`), so an injected 429 or 5xx costs
milliseconds; ``@pytest.mark.series_emulator(real_waits=True)`` keeps the real waits.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

# Imported lazily: pytest loads this plugin before coverage measurement starts,
# and the emulator's modules should be measured like any other code.
if TYPE_CHECKING:
    from series_async.testing._config import ConfigSource
    from series_async.testing._emulator import SeriesEmulator

__all__ = ["series_emulator", "series_emulator_config"]

_MARKER = "series_emulator"
_MARKER_KEYS = ("config", "faults", "seed", "real_waits")


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``series_emulator`` marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        "series_emulator(config=None, faults=None, seed=None, real_waits=False): "
        "arguments for the series_emulator fixture of this test (real_waits=True: "
        "retries wait for real instead of 0 s)",
    )


@pytest.fixture
def series_emulator_config() -> ConfigSource:
    """The workspace config of ``series_emulator``; override it to use your own.

    Returns ``None``: the built-in demo workspace.
    """
    return None


@pytest.fixture
def series_emulator(
    request: pytest.FixtureRequest, series_emulator_config: ConfigSource
) -> Iterator[SeriesEmulator]:
    """A running :class:`SeriesEmulator` with fresh state, stopped after the test.

    Use ``.url`` and ``.api_key`` to point a client at it and ``.state`` to
    assert on what the client did. Retry waits last 0 s meanwhile, unless the
    test is marked ``@pytest.mark.series_emulator(real_waits=True)``.
    """
    from series_async._retry import fast_retries
    from series_async.testing._emulator import SeriesEmulator

    marker = request.node.get_closest_marker(_MARKER)
    options: dict[str, object] = dict(marker.kwargs) if marker else {}
    unknown = sorted(set(options) - set(_MARKER_KEYS))
    if marker and (marker.args or unknown):
        raise pytest.UsageError(
            f"@pytest.mark.{_MARKER} takes keyword arguments {', '.join(_MARKER_KEYS)} only"
        )
    real_waits = options.get("real_waits", False)
    if not isinstance(real_waits, bool):
        raise pytest.UsageError(f"@pytest.mark.{_MARKER}(real_waits=...) takes True or False")
    emulator = SeriesEmulator(
        options.get("config", series_emulator_config),  # type: ignore[arg-type]
        faults=options.get("faults"),  # type: ignore[arg-type]
        seed=options.get("seed"),  # type: ignore[arg-type]
    )
    emulator.start()
    try:
        if real_waits:
            yield emulator
        else:
            with fast_retries():
                yield emulator
    finally:
        emulator.stop()
