"""Shared fixtures: a recording loopback server, a client pointed at it, retries without waits."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Iterator

import pytest
from hypothesis import HealthCheck, settings

from series_async import RetryPolicy, SeriesClient, _json
from series_async.testing import fast_retries
from series_async.testing import pytest_plugin as _emulator_plugin
from tests.recorder import Recorder

API_KEY = "sk_live_9f8e7d6c5b4a39281706"

# Fuzz tests are bounded and reproducible by default ("ci": derandomized, no
# example database); HYPOTHESIS_PROFILE=explore searches longer, at random.
_FUZZ = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile(
    "ci", max_examples=200, derandomize=True, database=None, print_blob=True, **_FUZZ
)
settings.register_profile("explore", max_examples=2000, **_FUZZ)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The emulator fixtures, exactly as users get them from the pytest11 plugin
# (disabled for this suite in pyproject.toml so coverage sees every import).
pytest_configure = _emulator_plugin.pytest_configure
series_emulator = _emulator_plugin.series_emulator
series_emulator_config = _emulator_plugin.series_emulator_config


_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "NETRC")


@pytest.fixture(autouse=True)
def _no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    # Clients trust the environment by default: a proxy set on the machine
    # running the tests must not reroute (or break) the loopback test servers.
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(params=["stdlib", "orjson"])
def json_backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test once per JSON backend: the stdlib's, and the speed extra's orjson.

    The two must be indistinguishable (series_async/_json.py); modules whose tests
    pin that down (wire bytes, hostile bodies, fuzzing) use this fixture for all of them.
    """
    if request.param == "orjson":
        pytest.importorskip("orjson")
    before = _json.backend()
    _json._force_backend(request.param)
    try:
        yield request.param
    finally:
        _json._force_backend(before)


@pytest.fixture
async def recorder() -> AsyncIterator[Recorder]:
    server = Recorder()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture(autouse=True)
def _no_retry_waits(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test of the suite retries without waiting, as users' tests do (design §11).

    A test marked ``@pytest.mark.series_emulator(real_waits=True)`` keeps real waits.
    """
    marker = request.node.get_closest_marker("series_emulator")
    if marker is not None and marker.kwargs.get("real_waits"):
        yield
        return
    with fast_retries():
        yield


class RetryLog:
    """The waits the retry policy decided, read from its INFO log records (``series_wait_s``)."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self._caplog = caplog

    @property
    def delays(self) -> list[float]:
        return [r.series_wait_s for r in self._caplog.records if hasattr(r, "series_wait_s")]


class _RetryAnnounced(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.event = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if hasattr(record, "series_wait_s"):
            self.event.set()


@contextlib.contextmanager
def retry_announced() -> Iterator[asyncio.Event]:
    """An event set when a call logs its next retry, i.e. just before it starts waiting."""
    logger = logging.getLogger("series")
    handler = _RetryAnnounced()
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield handler.event
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture
def retry_log(caplog: pytest.LogCaptureFixture) -> RetryLog:
    caplog.set_level(logging.INFO, logger="series")
    return RetryLog(caplog)


@pytest.fixture
async def client(recorder: Recorder) -> AsyncIterator[SeriesClient]:
    async with SeriesClient(API_KEY, base_url=recorder.url, retry=RetryPolicy(jitter=False)) as c:
        yield c
