"""A discord.py bot for Series: ``/schedule``, ``/upcoming`` and ``/claim`` slash commands.

One :class:`~series_async.SeriesClient` lives as long as the bot: it is opened in
``setup_hook`` (inside the bot's event loop) and closed in ``close()``, which is also
safe when login failed before ``setup_hook`` ran. Every command defers first, because a
Series call (with its retries) can take longer than the 3 seconds Discord allows for the
first answer, and every SDK error becomes a short private reply instead of a traceback.
A write whose answer was lost (``exc.may_have_acted``) is never reported as a failure:
``/claim`` re-reads the session and says what it shows, ``/schedule`` asks the member to
check ``/upcoming`` before trying again.

Run it (``pip install "series-sdk[examples]"``)::

    DISCORD_TOKEN=... SERIES_API_KEY=... BOT_ACCOUNT_LINKS='{"<discord id>": "<roblox id>"}' \\
        python examples/discord_bot.py

``BOT_ACCOUNT_LINKS`` stands in for your own Discord-to-Roblox account link. Add
``SYNC_COMMANDS=1`` the first time (and whenever the commands change) to publish them.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping

import discord
from discord import app_commands
from discord.ext import commands

from series_async import (
    APIConnectionError,
    APIStatusError,
    CustomRole,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SeriesClient,
    SeriesError,
    ValidationError,
)

#: How many sessions ``/upcoming`` lists (a Discord message holds 2000 characters).
UPCOMING_LIMIT = 10
#: Minimum Roblox group rank for the Trainer role ``/schedule`` adds.
TRAINER_MIN_RANK = 50


class SeriesBot(commands.Bot):
    """A bot holding one Series client for its lifetime.

    Args:
        accounts: Discord user id -> Roblox user id, from your own account link.
    """

    series: SeriesClient

    def __init__(self, accounts: Mapping[int, str], *, sync_commands: bool = False) -> None:
        super().__init__(command_prefix=commands.when_mentioned, intents=discord.Intents.default())
        self.accounts = dict(accounts)
        self.sync_commands = sync_commands
        self.tree.add_command(schedule)
        self.tree.add_command(upcoming)
        self.tree.add_command(claim)

    async def setup_hook(self) -> None:
        # Inside the bot's loop: the client binds to the loop it first runs in.
        self.series = SeriesClient(user_agent="series-discord-bot/1.0")
        if self.sync_commands:  # publishing commands is rate limited: only when they change
            await self.tree.sync()

    async def close(self) -> None:
        # Login can fail before setup_hook ran; then there is no client to close, and an
        # AttributeError here would hide the real error and skip discord.py's own cleanup.
        series: SeriesClient | None = getattr(self, "series", None)
        try:
            if series is not None:
                await series.aclose()
        finally:
            await super().close()


def error_reply(exc: SeriesError) -> str:
    """A sentence for the chat saying what went wrong and what to do about it.

    Args:
        exc: The SDK's error.

    Returns:
        The reply text.
    """
    if exc.may_have_acted:
        # A write whose answer was lost (dropped connection, timeout, 5xx): it may
        # have happened, so retrying blindly could do it twice.
        return (
            "I lost Series' answer, so I can't tell whether it worked. "
            "Check /upcoming before trying again."
        )
    if isinstance(exc, ValidationError):
        return f"That doesn't look right: {exc}"
    if isinstance(exc, NotFoundError):
        return "I can't find that session. Check the id with /upcoming."
    if isinstance(exc, PermissionDeniedError):
        return f"Series said no: {exc.message}"
    if isinstance(exc, RateLimitError):
        # Rounded up: never "try again in 0 s".
        wait = (
            f" in {math.ceil(exc.retry_after)} s" if exc.retry_after is not None else " in a minute"
        )
        return f"Series is busy right now, try again{wait}."
    if isinstance(exc, APIConnectionError):
        return "I can't reach Series right now, try again in a minute."
    if isinstance(exc, APIStatusError) and exc.status < 500:
        return f"Series refused: {exc.message}"
    return "Series had a problem on its side, try again in a minute."


@app_commands.command(description="Schedule a training session")
@app_commands.describe(
    title="What the session is called",
    when="Start time, ISO 8601 with an offset, e.g. 2030-01-01T18:00:00Z",
    duration="Length in minutes",
    trainers="How many Trainer slots members can claim",
)
async def schedule(
    interaction: discord.Interaction[SeriesBot],
    title: str,
    when: str,
    duration: app_commands.Range[int, 1, 1440] = 60,
    trainers: app_commands.Range[int, 0, 25] = 2,
) -> None:
    """``/schedule``: create a claimable session, with Trainer slots when asked."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    roles = [CustomRole(name="Trainer", slots=trainers, min_rank=TRAINER_MIN_RANK)]
    try:
        created = await interaction.client.series.sessions.create(
            title=title,
            scheduled=when,
            duration=duration,
            claimable=True,
            custom_roles=roles if trainers else None,
        )
    except SeriesError as exc:
        reply = error_reply(exc)
    else:
        reply = f"Scheduled {created.title!r} ({created.session_id})."
    await interaction.followup.send(reply, ephemeral=True)


@app_commands.command(description="List the upcoming training sessions")
async def upcoming(interaction: discord.Interaction[SeriesBot]) -> None:
    """``/upcoming``: the next sessions, with their free Trainer slots."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    lines: list[str] = []
    try:
        async for session in interaction.client.series.sessions.iterate(status="upcoming"):
            trainer = session.custom_roles.get("Trainer")
            free = f", {len(trainer.vacant_slot_keys())} Trainer slot(s) free" if trainer else ""
            lines.append(
                f"{session.scheduled:%Y-%m-%d %H:%M} UTC  {session.title}"
                f" ({session.session_id}{free})"
            )
            if len(lines) == UPCOMING_LIMIT:
                break
    except SeriesError as exc:
        reply = error_reply(exc)
    else:
        reply = "\n".join(lines) if lines else "No upcoming sessions."
    await interaction.followup.send(reply, ephemeral=True)


@app_commands.command(description="Claim a role in a session")
@app_commands.describe(session_id="The session's id (see /upcoming)", role="e.g. Trainer")
async def claim(
    interaction: discord.Interaction[SeriesBot], session_id: str, role: str = "Trainer"
) -> None:
    """``/claim``: take the first free slot of a role for the member's Roblox account."""
    bot = interaction.client
    roblox_id = bot.accounts.get(interaction.user.id)
    if roblox_id is None:
        await interaction.response.send_message("Link your Roblox account first.", ephemeral=True)
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    try:
        session = await bot.series.sessions.get(session_id)
        slots = session.custom_roles.get(role)
        if slots is None:
            reply = f"This session has no {role} role."
        elif not (vacant := slots.vacant_slot_keys()):
            reply = f"Every {role} slot is taken."
        else:
            await bot.series.sessions.claim_custom_role(
                session_id, user_id=roblox_id, role_name=role, slot_key=vacant[0]
            )
            reply = f"You're a {role} for {session.title!r}!"
    except SeriesError as exc:
        if exc.may_have_acted:
            # The claim was sent but its answer was lost: look, don't guess.
            reply = await claim_outcome(bot.series, session_id, roblox_id, role)
        else:
            reply = error_reply(exc)
    await interaction.followup.send(reply, ephemeral=True)


async def claim_outcome(series: SeriesClient, session_id: str, roblox_id: str, role: str) -> str:
    """Say what became of a claim whose answer was lost, from a fresh read of the session.

    Args:
        series: The bot's client.
        session_id: The session the claim was for.
        roblox_id: The member's Roblox user id.
        role: The custom role claimed.

    Returns:
        The reply text: the claim held, it did not, or Series cannot tell us yet.
    """
    try:
        session = await series.sessions.get(session_id)
    except SeriesError:
        return (
            "I lost Series' answer and can't reach it to check. "
            "Look at /upcoming in a minute before trying again."
        )
    slots = session.custom_roles.get(role)
    if slots is not None and roblox_id in slots.holders():
        return f"You're a {role} for {session.title!r}!"
    return "That claim didn't go through, please try again."


def main() -> None:
    """Run the bot until Ctrl-C (discord.py handles the signal and calls ``close()``)."""
    links = json.loads(os.environ.get("BOT_ACCOUNT_LINKS", "{}"))
    accounts = {int(discord_id): str(roblox) for discord_id, roblox in links.items()}
    bot = SeriesBot(accounts, sync_commands=os.environ.get("SYNC_COMMANDS") == "1")
    bot.run(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    main()
