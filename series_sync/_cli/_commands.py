"""One function per API command: parsed arguments in, the SDK's result out.

Imported only once a command runs (it loads the SDK, and with it aiohttp).
Each function calls exactly one method of ``series_sync.SeriesClient``;
printing and exit statuses are ``_main``'s business.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from typing import Any

from series_sync import (
    UNSET,
    CustomRole,
    RolePermissions,
    SeriesClient,
    Session,
)

from ._convert import RoleSpec

__all__ = ["COMMANDS", "Echo", "Stream"]


class Stream:
    """A result that is a stream of sessions (``sessions list --all``), not one model."""

    def __init__(self, sessions: Iterator[Session]) -> None:
        self.sessions = sessions


class Echo:
    """The echo of a create or update: printed without the fields the answer did not carry."""

    def __init__(self, model: object) -> None:
        self.model = model


def _roles(specs: list[RoleSpec]) -> list[CustomRole]:
    return [
        CustomRole(
            name=spec.name,
            slots=spec.slots,
            min_rank=spec.min_rank,
            permissions=RolePermissions(**dict.fromkeys(spec.permissions, True)),
        )
        for spec in specs
    ]


def _given(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    """The options of ``names`` that were given, for calls where absent means UNSET."""
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def keys_check(client: SeriesClient, args: argparse.Namespace) -> object:
    return client.keys.check()


def sessions_create(client: SeriesClient, args: argparse.Namespace) -> object:
    created = client.sessions.create(
        title=args.title,
        scheduled=args.scheduled,
        duration=args.duration,
        description=args.description,
        host=args.host,
        co_host=args.co_host,
        supervisor=args.supervisor,
        claimable=args.claimable,
        custom_roles=_roles(args.roles) if args.roles else None,
    )
    return Echo(created)


def sessions_get(client: SeriesClient, args: argparse.Namespace) -> object:
    return client.sessions.get(args.session_id)


def sessions_list(client: SeriesClient, args: argparse.Namespace) -> object:
    filters = {
        "status": args.status,
        "date": args.date,
        "start": args.start,
        "end": args.end,
        "host": args.host,
    }
    if args.all:
        return Stream(client.sessions.iterate(**filters))
    return client.sessions.list(page=args.page or 1, **filters)


def sessions_update(client: SeriesClient, args: argparse.Namespace) -> object:
    fields = _given(
        args,
        "title",
        "description",
        "host",
        "co_host",
        "supervisor",
        "scheduled",
        "duration",
        "claimable",
    )
    if args.no_roles:
        fields["custom_roles"] = []
    elif args.roles:
        fields["custom_roles"] = _roles(args.roles)
    # Absent options stay UNSET (the method's defaults): only given fields are sent.
    return Echo(client.sessions.update(args.session_id, **fields))


def sessions_claim(client: SeriesClient, args: argparse.Namespace) -> object:
    return client.sessions.claim_custom_role(
        args.session_id, user_id=args.user, role_name=args.role, slot_key=args.slot
    )


def sessions_quit(client: SeriesClient, args: argparse.Namespace) -> object:
    return client.sessions.quit_custom_role(args.session_id, user_id=args.user, role_name=args.role)


def sessions_remove(client: SeriesClient, args: argparse.Namespace) -> object:
    return client.sessions.remove_custom_role(
        args.session_id, target_user_id=args.user, role_name=args.role
    )


def attendance_add(client: SeriesClient, args: argparse.Namespace) -> object:
    return client.attendance.add_attendee(
        args.session_id,
        user_id=args.user,
        username=args.username,
        display_name=args.display_name,
        avatar_url=args.avatar_url,
        join_time=args.join,
        leave_time=args.leave,
    )


def attendance_update(client: SeriesClient, args: argparse.Namespace) -> object:
    return client.attendance.update_attendee(
        args.session_id,
        user_id=args.user,
        join_time=UNSET if args.join is None else args.join,
        leave_time=UNSET if args.leave is None else args.leave,
    )


def ranking_promote(client: SeriesClient, args: argparse.Namespace) -> object:
    return client.ranking.promote(args.user_id, comment=args.comment)


def ranking_demote(client: SeriesClient, args: argparse.Namespace) -> object:
    return client.ranking.demote(args.user_id, comment=args.comment)


def ranking_set_rank(client: SeriesClient, args: argparse.Namespace) -> object:
    return client.ranking.set_rank(args.user_id, args.rank, comment=args.comment)


Command = Callable[[SeriesClient, argparse.Namespace], object]

#: (group, command) -> the function that runs it.
COMMANDS: dict[tuple[str, str], Command] = {
    ("keys", "check"): keys_check,
    ("sessions", "create"): sessions_create,
    ("sessions", "get"): sessions_get,
    ("sessions", "list"): sessions_list,
    ("sessions", "update"): sessions_update,
    ("sessions", "claim"): sessions_claim,
    ("sessions", "quit"): sessions_quit,
    ("sessions", "remove"): sessions_remove,
    ("attendance", "add"): attendance_add,
    ("attendance", "update"): attendance_update,
    ("ranking", "promote"): ranking_promote,
    ("ranking", "demote"): ranking_demote,
    ("ranking", "set-rank"): ranking_set_rank,
}
