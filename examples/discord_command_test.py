"""Testing a discord.py slash command offline, against the ``series_emulator`` fixture.

No Discord connection, no fake ``Interaction``, none of discord.py's internals. The
command is written in two parts:

- ``claim_reply`` does the work (the Series calls, every error turned into a sentence)
  and returns the reply. The tests call it with a client on the emulator.
- the slash command ``claim`` only finds the member's Roblox id and sends that reply.
  The tests check, through discord.py's public ``CommandTree`` API, that it is
  registered with the options Discord will show.

Run with ``pytest examples/discord_command_test.py`` once ``series-sdk[examples]`` is
installed: the ``series_emulator`` fixture comes from the SDK's pytest plugin.
"""

from __future__ import annotations

import discord
from discord import app_commands

from series_async import CustomRole, PermissionDeniedError, SeriesClient, SeriesError
from series_async.testing import SeriesEmulator

# The bot code: in your project, its own module.


async def claim_reply(series: SeriesClient, session_id: str, roblox_id: str, role: str) -> str:
    """Claim the first free slot of ``role`` for ``roblox_id``; return what to tell them."""
    try:
        session = await series.sessions.get(session_id)
        slots = session.custom_roles.get(role)
        if slots is None:
            return f"This session has no {role} role."
        vacant = slots.vacant_slot_keys()
        if not vacant:
            return f"Every {role} slot is taken."
        await series.sessions.claim_custom_role(
            session_id, user_id=roblox_id, role_name=role, slot_key=vacant[0]
        )
    except PermissionDeniedError as exc:
        return f"You can't take that role: {exc.message}"
    except SeriesError as exc:
        if not exc.may_have_acted:
            return "Series had a problem, please try again in a minute."
        # The claim was sent but its answer was lost: look, don't guess.
        try:
            after = await series.sessions.get(session_id)
        except SeriesError:
            return "I lost Series' answer: check the session before trying again."
        held = after.custom_roles.get(role)
        if held is None or roblox_id not in held.holders():
            return "That claim didn't go through, please try again."
    return f"You're a {role} for {session.title!r}!"


class ClaimBot(discord.Client):
    """A bot with one slash command; ``accounts`` maps Discord ids to Roblox ids."""

    def __init__(self, series: SeriesClient, accounts: dict[int, str]) -> None:
        super().__init__(intents=discord.Intents.default())
        self.series = series
        self.accounts = accounts
        self.tree: app_commands.CommandTree[ClaimBot] = app_commands.CommandTree(self)
        self.tree.add_command(claim)


@app_commands.command(description="Claim a role in a session")
@app_commands.describe(session_id="The session's id", role="e.g. Trainer")
async def claim(
    interaction: discord.Interaction[ClaimBot], session_id: str, role: str = "Trainer"
) -> None:
    """``/claim``: forwards ``claim_reply``; nothing here needs a test of its own."""
    bot = interaction.client
    roblox_id = bot.accounts.get(interaction.user.id)
    if roblox_id is None:
        await interaction.response.send_message("Link your Roblox account first.", ephemeral=True)
        return
    await interaction.response.defer(ephemeral=True, thinking=True)  # Series may take > 3 s
    reply = await claim_reply(bot.series, session_id, roblox_id, role)
    await interaction.followup.send(reply, ephemeral=True)


# The tests: a fresh emulator per test, over real HTTP on loopback, Discord never reached.


async def _training(client: SeriesClient, min_rank: int) -> str:
    created = await client.sessions.create(
        title="Training",
        scheduled="2030-01-01T18:00:00Z",
        duration=60,
        claimable=True,
        custom_roles=[CustomRole(name="Trainer", slots=1, min_rank=min_rank)],
    )
    return created.session_id


async def test_claim_is_a_slash_command_with_its_options(series_emulator: SeriesEmulator) -> None:
    async with SeriesClient(series_emulator.api_key, base_url=series_emulator.url) as series:
        bot = ClaimBot(series, accounts={})
        command = bot.tree.get_command("claim")
    assert isinstance(command, app_commands.Command)
    assert [(p.name, p.required) for p in command.parameters] == [
        ("session_id", True),
        ("role", False),
    ]


async def test_a_senior_member_gets_the_slot(series_emulator: SeriesEmulator) -> None:
    top = max(series_emulator.config.members, key=lambda m: m.rank)
    async with SeriesClient(series_emulator.api_key, base_url=series_emulator.url) as series:
        session_id = await _training(series, min_rank=top.rank)
        reply = await claim_reply(series, session_id, top.user_id, "Trainer")
    assert reply == "You're a Trainer for 'Training'!"
    (role,) = series_emulator.state.sessions[session_id].custom_roles
    assert role.holders() == [top.user_id]


async def test_a_junior_member_is_told_why(series_emulator: SeriesEmulator) -> None:
    ranked = sorted(series_emulator.config.members, key=lambda m: m.rank)
    async with SeriesClient(series_emulator.api_key, base_url=series_emulator.url) as series:
        session_id = await _training(series, min_rank=ranked[-1].rank)
        reply = await claim_reply(series, session_id, ranked[0].user_id, "Trainer")
    assert reply.startswith("You can't take that role: ")


async def test_a_lost_answer_is_checked_not_guessed(series_emulator: SeriesEmulator) -> None:
    top = max(series_emulator.config.members, key=lambda m: m.rank)
    async with SeriesClient(series_emulator.api_key, base_url=series_emulator.url) as series:
        session_id = await _training(series, min_rank=0)
        # The claim is applied, then the connection drops before the answer.
        series_emulator.inject("drop_after", routes="sessions.claim_custom_role")
        reply = await claim_reply(series, session_id, top.user_id, "Trainer")
    assert reply == "You're a Trainer for 'Training'!"
    assert series_emulator.state.applied("sessions.claim_custom_role") == 1
