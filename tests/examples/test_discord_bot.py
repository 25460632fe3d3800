"""examples/discord_bot.py: its slash commands, driven against the emulator without Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest

from series_async.testing import SeriesEmulator
from tests.conftest import RetryLog
from tests.examples._load import NEEDS_EXTRA, load_example

discord = pytest.importorskip("discord", reason=NEEDS_EXTRA)
bot_module = load_example("discord_bot")

LINKED = 1001  # Discord user id linked to TrainerTom (rank 50)
JUNIOR = 1002  # linked to RookieRiley (rank 5)
UNLINKED = 1003
ACCOUNTS = {LINKED: "2143265871", JUNIOR: "4173392009"}


class StandInResponse:
    """What a command may do with ``interaction.response``: answer once, or defer once."""

    def __init__(self) -> None:
        self.deferred: dict[str, bool] | None = None
        self.messages: list[tuple[str, bool]] = []

    def is_done(self) -> bool:
        return self.deferred is not None or bool(self.messages)

    async def defer(self, *, ephemeral: bool = False, thinking: bool = False) -> None:
        assert not self.is_done(), "an interaction can be answered only once"
        self.deferred = {"ephemeral": ephemeral, "thinking": thinking}

    async def send_message(self, content: str, *, ephemeral: bool = False) -> None:
        assert not self.is_done(), "an interaction can be answered only once"
        self.messages.append((content, ephemeral))


class StandInFollowup:
    def __init__(self, response: StandInResponse) -> None:
        self.response = response
        self.messages: list[tuple[str, bool]] = []

    async def send(self, content: str, *, ephemeral: bool = False) -> None:
        assert self.response.deferred is not None, "a followup needs a deferred response"
        self.messages.append((content, ephemeral))


class StandInInteraction:
    """The parts of ``discord.Interaction`` the commands use."""

    def __init__(self, client: Any, user_id: int) -> None:
        self.client = client
        self.user = SimpleNamespace(id=user_id)
        self.response = StandInResponse()
        self.followup = StandInFollowup(self.response)

    @property
    def reply(self) -> str:
        """The one private reply the member saw."""
        (content, ephemeral), *rest = self.response.messages + self.followup.messages
        assert not rest
        assert ephemeral
        return content


@pytest.fixture
async def bot(
    series_emulator: SeriesEmulator, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Any]:
    monkeypatch.setenv("SERIES_API_KEY", series_emulator.api_key)
    monkeypatch.setenv("SERIES_BASE_URL", series_emulator.url)
    bot = bot_module.SeriesBot(ACCOUNTS)
    await bot.setup_hook()
    yield bot
    await bot.close()


async def run(command: Any, bot: Any, user_id: int = LINKED, **options: Any) -> StandInInteraction:
    interaction = StandInInteraction(bot, user_id)
    await command.callback(interaction, **options)
    return interaction


async def schedule(bot: Any, title: str = "Training", **options: Any) -> str:
    done = await run(bot_module.schedule, bot, title=title, when="2030-01-01T18:00:00Z", **options)
    assert done.response.deferred == {"ephemeral": True, "thinking": True}
    session_id = done.reply.split("(")[1].rstrip(").")
    assert done.reply == f"Scheduled {title!r} ({session_id})."
    return session_id


def test_the_commands_are_registered_as_real_slash_commands() -> None:
    bot = bot_module.SeriesBot(ACCOUNTS)
    commands = {command.name: command for command in bot.tree.get_commands()}
    assert sorted(commands) == ["claim", "schedule", "upcoming"]
    options = {p.name: (p.type, p.required) for p in commands["schedule"].parameters}
    assert options == {
        "title": (discord.AppCommandOptionType.string, True),
        "when": (discord.AppCommandOptionType.string, True),
        "duration": (discord.AppCommandOptionType.integer, False),
        "trainers": (discord.AppCommandOptionType.integer, False),
    }


async def test_schedule_creates_a_claimable_session(bot: Any, series_emulator: SeriesEmulator):
    session_id = await schedule(bot, trainers=3, duration=45)
    record = series_emulator.state.sessions[session_id]
    assert record.title == "Training"
    assert record.duration == 45
    assert record.claimable is True
    (role,) = record.custom_roles
    assert (role.name, len(role.slots), role.min_rank) == ("Trainer", 3, 50)


async def test_schedule_reports_bad_input_before_any_request(
    bot: Any, series_emulator: SeriesEmulator
):
    done = await run(bot_module.schedule, bot, title="Training", when="tomorrow at six")
    assert done.reply.startswith("That doesn't look right: scheduled: ")
    assert series_emulator.state.requests == ()


async def test_upcoming_lists_sessions_and_free_slots(bot: Any):
    done = await run(bot_module.upcoming, bot)
    assert done.reply == "No upcoming sessions."
    first = await schedule(bot, title="Basics", trainers=2)
    second = await schedule(bot, title="Advanced", trainers=0)
    done = await run(bot_module.upcoming, bot)
    assert done.reply.splitlines() == [
        f"2030-01-01 18:00 UTC  Basics ({first}, 2 Trainer slot(s) free)",
        f"2030-01-01 18:00 UTC  Advanced ({second})",
    ]


async def test_upcoming_stops_at_its_limit(bot: Any):
    for n in range(bot_module.UPCOMING_LIMIT + 1):
        await schedule(bot, title=f"Session {n}", trainers=0)
    done = await run(bot_module.upcoming, bot)
    assert len(done.reply.splitlines()) == bot_module.UPCOMING_LIMIT


async def test_claim_takes_a_slot_for_the_linked_account(bot: Any, series_emulator: SeriesEmulator):
    session_id = await schedule(bot)
    done = await run(bot_module.claim, bot, session_id=session_id, role="Trainer")
    assert done.reply == "You're a Trainer for 'Training'!"
    (role,) = series_emulator.state.sessions[session_id].custom_roles
    assert role.holders() == ["2143265871"]


@pytest.mark.parametrize(
    ("user_id", "role", "session", "reply"),
    [
        (JUNIOR, "Trainer", "ok", "Series said no: User does not meet the minimum rank"),
        (LINKED, "Pilot", "ok", "This session has no Pilot role."),
        (LINKED, "Trainer", "missing", "I can't find that session. Check the id with /upcoming."),
    ],
)
async def test_claim_failures_become_replies(
    bot: Any, user_id: int, role: str, session: str, reply: str
):
    session_id = await schedule(bot) if session == "ok" else "session_missing"
    done = await run(bot_module.claim, bot, user_id, session_id=session_id, role=role)
    assert done.reply.startswith(reply)


async def test_claim_when_every_slot_is_taken(bot: Any):
    session_id = await schedule(bot, trainers=1)
    await run(bot_module.claim, bot, session_id=session_id)
    done = await run(bot_module.claim, bot, session_id=session_id)
    assert done.reply == "Every Trainer slot is taken."


async def test_claim_without_a_linked_account_answers_at_once(
    bot: Any, series_emulator: SeriesEmulator
):
    done = await run(bot_module.claim, bot, UNLINKED, session_id="session_1")
    assert done.response.deferred is None
    assert done.reply == "Link your Roblox account first."
    assert series_emulator.state.requests == ()


async def test_a_claim_applied_then_dropped_is_confirmed_by_a_reread(
    bot: Any, series_emulator: SeriesEmulator
):
    session_id = await schedule(bot)
    series_emulator.inject("drop_after", routes="sessions.claim_custom_role")
    done = await run(bot_module.claim, bot, session_id=session_id)
    assert done.reply == "You're a Trainer for 'Training'!"
    assert series_emulator.state.applied("sessions.claim_custom_role") == 1
    (role,) = series_emulator.state.sessions[session_id].custom_roles
    assert role.holders() == ["2143265871"]
    # the claim was not replayed: one request for it, then the re-read
    routes = [request.route for request in series_emulator.state.requests]
    assert routes[-3:] == ["sessions.get", "sessions.claim_custom_role", "sessions.get"]


async def test_a_claim_dropped_before_it_applied_says_so_after_a_reread(
    bot: Any, series_emulator: SeriesEmulator
):
    session_id = await schedule(bot)
    # The client cannot tell this from drop_after: only the re-read can.
    series_emulator.inject("drop_before", routes="sessions.claim_custom_role")
    done = await run(bot_module.claim, bot, session_id=session_id)
    assert done.reply == "That claim didn't go through, please try again."
    assert series_emulator.state.applied("sessions.claim_custom_role") == 0
    (role,) = series_emulator.state.sessions[session_id].custom_roles
    assert role.holders() == []


async def test_a_lost_claim_whose_reread_fails_asks_the_member_to_check(
    bot: Any,
    series_emulator: SeriesEmulator,
    retry_log: RetryLog,
    monkeypatch: pytest.MonkeyPatch,
):
    session_id = await schedule(bot)
    sessions = bot.series.sessions
    claim = sessions.claim_custom_role

    async def claim_then_outage(*args: Any, **kwargs: Any) -> Any:
        # Series goes away just as the claim's answer is lost: the re-read fails too.
        series_emulator.inject("http_500", routes="sessions.get", times=3)
        return await claim(*args, **kwargs)

    monkeypatch.setattr(sessions, "claim_custom_role", claim_then_outage)
    series_emulator.inject("drop_after", routes="sessions.claim_custom_role")
    done = await run(bot_module.claim, bot, session_id=session_id)
    assert done.reply == (
        "I lost Series' answer and can't reach it to check. "
        "Look at /upcoming in a minute before trying again."
    )
    assert series_emulator.state.applied("sessions.claim_custom_role") == 1
    assert len(retry_log.delays) == 2  # the re-read was retried before giving up


async def test_a_claim_refused_for_sure_is_not_reread(bot: Any, series_emulator: SeriesEmulator):
    session_id = await schedule(bot)
    series_emulator.inject("rate_limit", routes="sessions.claim_custom_role", retry_after=120)
    done = await run(bot_module.claim, bot, session_id=session_id)
    assert done.reply == "Series is busy right now, try again in 120 s."
    routes = [request.route for request in series_emulator.state.requests]
    assert routes[-2:] == ["sessions.get", "sessions.claim_custom_role"]


@pytest.mark.parametrize("kind", ["drop_after", "http_500"])
async def test_a_schedule_whose_answer_is_lost_says_check_upcoming(
    bot: Any, series_emulator: SeriesEmulator, kind: str
):
    series_emulator.inject(kind, routes="sessions.create")
    done = await run(bot_module.schedule, bot, title="Training", when="2030-01-01T18:00:00Z")
    assert done.reply == (
        "I lost Series' answer, so I can't tell whether it worked. "
        "Check /upcoming before trying again."
    )
    assert len(series_emulator.state.requests) == 1  # never replayed
    created = 1 if kind == "drop_after" else 0
    assert len(series_emulator.state.sessions) == created
    assert series_emulator.state.applied("sessions.create") == created


async def test_a_read_that_cannot_connect_says_try_again(
    bot: Any, series_emulator: SeriesEmulator, retry_log: RetryLog
):
    # More than enough: aiohttp itself retries a GET once on a dropped keep-alive connection.
    series_emulator.inject("drop_before", routes="sessions.list", times=10)
    done = await run(bot_module.upcoming, bot)
    assert done.reply == "I can't reach Series right now, try again in a minute."
    assert len(retry_log.delays) == 2  # the SDK retried the read twice before giving up


async def test_a_long_rate_limit_is_reported_not_waited_for(
    bot: Any, series_emulator: SeriesEmulator
):
    series_emulator.inject("rate_limit", routes="sessions.list", retry_after=120)
    done = await run(bot_module.upcoming, bot)
    assert done.reply == "Series is busy right now, try again in 120 s."


async def test_a_server_error_on_a_read_is_reported(
    bot: Any, series_emulator: SeriesEmulator, retry_log: RetryLog
):
    series_emulator.inject("http_500", routes="sessions.list", times=3)
    done = await run(bot_module.upcoming, bot)
    assert done.reply == "Series had a problem on its side, try again in a minute."
    assert len(retry_log.delays) == 2  # the read was retried twice before giving up


async def test_close_before_setup_hook_keeps_the_login_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bot = bot_module.SeriesBot(ACCOUNTS)

    async def refuse(route: Any, **kwargs: Any) -> Any:
        raise discord.HTTPException(SimpleNamespace(status=401, reason="Unauthorized"), "bad")

    monkeypatch.setattr(bot.http, "request", refuse)
    with pytest.raises(discord.LoginFailure):
        async with bot:
            await bot.start("not-a-token")
    assert bot.is_closed()
    assert not hasattr(bot, "series")
    assert bot.http._HTTPClient__session.closed  # discord.py's own session was closed too


async def test_close_closes_the_series_client(series_emulator: SeriesEmulator, monkeypatch):
    monkeypatch.setenv("SERIES_API_KEY", series_emulator.api_key)
    monkeypatch.setenv("SERIES_BASE_URL", series_emulator.url)
    bot = bot_module.SeriesBot(ACCOUNTS)
    await bot.setup_hook()
    await run(bot_module.upcoming, bot)
    await bot.close()
    assert bot.series.closed
    assert bot.is_closed()
