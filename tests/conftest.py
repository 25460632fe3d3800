"""Shared fixtures: a recording loopback server, a client pointed at it, a fake clock."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
from hypothesis import HealthCheck, settings

import series_async._retry
from series_async import RetryPolicy, SeriesClient, _json
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


class FakeSleep:
    """Records retry sleeps instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def fake_sleep(monkeypatch: pytest.MonkeyPatch) -> FakeSleep:
    sleeper = FakeSleep()
    monkeypatch.setattr(series_async._retry, "_sleep", sleeper)
    return sleeper


@pytest.fixture
async def client(recorder: Recorder, fake_sleep: FakeSleep) -> AsyncIterator[SeriesClient]:
    async with SeriesClient(API_KEY, base_url=recorder.url, retry=RetryPolicy(jitter=False)) as c:
        yield c
