"""The ``Bot`` class that docs/discord.md recommends closes cleanly when login fails."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser

from series_async.testing import SeriesEmulator
from tests.examples._load import NEEDS_EXTRA

discord = pytest.importorskip("discord", reason=NEEDS_EXTRA)

PAGE = Path(__file__).parents[2] / "docs" / "discord.md"


def documented_bot_class() -> Any:
    """Run the page's first code block, as a reader would paste it, and return its ``Bot``."""
    document = Sybil(parsers=[PythonCodeBlockParser()]).parse(PAGE)
    first = next(iter(document))
    first.evaluate()
    return document.namespace["Bot"]


async def test_close_after_a_failed_login_raises_the_login_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bot = documented_bot_class()(command_prefix="!", intents=discord.Intents.default())

    async def refuse(route: Any, **kwargs: Any) -> Any:
        raise discord.HTTPException(SimpleNamespace(status=401, reason="Unauthorized"), "bad")

    monkeypatch.setattr(bot.http, "request", refuse)
    with pytest.raises(discord.LoginFailure):
        async with bot:
            await bot.start("not-a-token")
    assert bot.is_closed()
    assert bot.http._HTTPClient__session.closed


async def test_close_after_setup_closes_the_series_client(
    series_emulator: SeriesEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERIES_API_KEY", series_emulator.api_key)
    monkeypatch.setenv("SERIES_BASE_URL", series_emulator.url)
    bot = documented_bot_class()(command_prefix="!", intents=discord.Intents.default())
    await bot.setup_hook()
    assert (await bot.series.keys.check()).valid
    await bot.close()
    assert bot.series.closed
    assert bot.is_closed()
