"""The guides' reply format for a rate limit: a sub-second ``retry_after`` rounds up."""

from __future__ import annotations

import pytest

from series_async import RateLimitError
from tests.examples._load import NEEDS_EXTRA, load_example


@pytest.mark.parametrize(
    ("retry_after", "said"), [(0.2, "in 1s"), (1.0, "in 1s"), (20.01, "in 21s")]
)
def test_bot_replies_round_the_wait_up(retry_after: float, said: str) -> None:
    reply = load_example("bot_replies").failure_reply(
        RateLimitError("busy", retry_after=retry_after)
    )
    assert reply == f"Series is busy, try again {said}."


@pytest.mark.parametrize(("retry_after", "said"), [(0.2, "in 1 s"), (59.5, "in 60 s")])
def test_discord_bot_rounds_the_wait_up(retry_after: float, said: str) -> None:
    pytest.importorskip("discord", reason=NEEDS_EXTRA)
    reply = load_example("discord_bot").error_reply(RateLimitError("busy", retry_after=retry_after))
    assert reply == f"Series is busy right now, try again {said}."
