"""A local, stateful emulator of the Series API for demos and tests.

::

    from series_async import SeriesClient
    from series_async.testing import SeriesEmulator

    async with SeriesEmulator() as emu:  # the built-in demo workspace
        async with SeriesClient(emu.api_key, base_url=emu.url) as client:
            info = await client.keys.check()

The pytest plugin (``series_async.testing.pytest_plugin``, registered through
the ``pytest11`` entry point) provides a ``series_emulator`` fixture; the
``series-emulator`` command serves the emulator from a shell, and
:func:`fast_retries` makes every retry wait last 0 s in tests. The rules the
emulator follows, including those the Series docs leave open, are written in
``docs/emulator.md``.
"""

from __future__ import annotations

from series_async._retry import fast_retries
from series_async.testing._config import (
    DEFAULT_API_KEY,
    DEFAULT_PAGE_SIZE,
    ApiKeyConfig,
    ConfigError,
    ConfigSource,
    GroupMemberConfig,
    MemberConfig,
    RankConfig,
    Tier,
    WorkspaceConfig,
    WorkspaceSettings,
    load_config,
)
from series_async.testing._demo_workspace import DEMO_API_KEY, DEMO_WORKSPACE
from series_async.testing._emulator import SeriesEmulator
from series_async.testing._faults import ROUTES, FaultKind, FaultPlan, FaultRule
from series_async.testing._state import (
    AttendeeRecord,
    RankingRecord,
    RequestRecord,
    RoleRecord,
    SessionRecord,
    SlotRecord,
    StateSnapshot,
)

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_PAGE_SIZE",
    "DEMO_API_KEY",
    "DEMO_WORKSPACE",
    "ROUTES",
    "ApiKeyConfig",
    "AttendeeRecord",
    "ConfigError",
    "ConfigSource",
    "FaultKind",
    "FaultPlan",
    "FaultRule",
    "GroupMemberConfig",
    "MemberConfig",
    "RankConfig",
    "RankingRecord",
    "RequestRecord",
    "RoleRecord",
    "SeriesEmulator",
    "SessionRecord",
    "SlotRecord",
    "StateSnapshot",
    "Tier",
    "WorkspaceConfig",
    "WorkspaceSettings",
    "fast_retries",
    "load_config",
]
