"""The typed floor: the least any client that returns the SDK's typed models must do.

A hand-written client for the two benchmarked calls, as a careful engineer would write it
for this one API: the SDK's own aiohttp set-up (an owned session with the same pool size,
``ClientTimeout``, default ``User-Agent``/``Accept`` headers and TLS setting), the same
per-request headers and ``allow_redirects=False``, the same JSON body bytes for ``create``,
the body read with ``read()`` and decoded with stdlib ``json.loads``, the envelope's
``success``/``data`` checked, and the SDK's own attrs models (``Session``, ``RoleSlots``,
``RolePermissions``, ``SlotState``, ``CreatedSession``) built by hand from the dict with
the exact wire keys this server sends.

What it leaves out is what the SDK adds on top: argument validation, tolerance of other key
casings, strict value checks, retries, error mapping, the pipeline's layers. The requests
it sends are byte-for-byte the SDK's (``tests/bench/test_typed_floor.py`` checks that on
the wire), so the ratio ``series_async / typed_floor`` is the price of those extras alone.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timezone
from typing import Any, Final

__all__ = ["created_from", "create_body", "open_typed_floor", "session_from", "user_agent"]

# The SDK's owned-session defaults (series_async/_transport.py, series_async/_types.py).
POOL_LIMIT: Final = 100
TOTAL_S: Final = 60.0
CONNECT_S: Final = 10.0
READ_S: Final = 30.0
_COMPACT: Final = json.JSONEncoder(separators=(",", ":"))


def user_agent() -> str:
    """The User-Agent the async SDK sends by default (no ``user_agent=`` extra)."""
    import aiohttp

    from series_async import __version__

    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f"series-sdk/{__version__} python/{python} aiohttp/{aiohttp.__version__} async"


def _timestamp(text: str) -> datetime:
    # What a hand-written client does for this API's "...Z" timestamps (3.10 has no "Z").
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text)


def _wire_time(value: datetime) -> str:
    utc = value.astimezone(timezone.utc).replace(tzinfo=None)
    return utc.isoformat(timespec="milliseconds" if utc.microsecond else "seconds") + "Z"


def session_from(data: dict[str, Any]) -> Any:
    """Build a ``series_async.Session`` from the ``data`` of ``GET /sessions/get/{id}``.

    Args:
        data: The envelope's ``data``, with the PascalCase keys the reference shows.

    Returns:
        The session model, equal to what ``sessions.get`` returns for the same body.
    """
    from series_async import RolePermissions, RoleSlots, Session, SessionStatus, SlotState

    roles = {}
    for name, role in data["CustomRoles"].items():
        perms = role["Permissions"]
        roles[name] = RoleSlots(
            min_rank=role["MinRank"],
            permissions=RolePermissions(
                change_session_status=perms["ChangeSessionStatus"],
                pass_or_fail_attendees=perms["PassOrFailAttendees"],
                modify_attendance=perms["ModifyAttendance"],
            ),
            slots={
                key: SlotState(attended=slot["Attended"]) for key, slot in role["Slots"].items()
            },
        )
    return Session(
        session_id=data["SessionId"],
        title=data["Title"],
        workspace_id=data["WorkspaceId"],
        host=data["Host"],
        co_host=data["CoHost"],
        supervisor=data["Supervisor"],
        scheduled=_timestamp(data["Scheduled"]),
        delayed=data["Delayed"],
        status=SessionStatus(data["Status"]),
        claimable=data["Claimable"],
        duration=data["Duration"],
        min_host_rank=data["MinHostRank"],
        custom_roles=roles,
    )


def created_from(data: dict[str, Any]) -> Any:
    """Build a ``series_async.CreatedSession`` from the ``data`` of ``POST /sessions/create``.

    Args:
        data: The envelope's ``data`` (``sessionId``, ``Title``, ``Host``, ``Scheduled``,
            ``Duration``, ``createdAt``, as the bench server sends them).

    Returns:
        The model, equal to what ``sessions.create`` returns for the same body.
    """
    from series_async import CreatedSession

    return CreatedSession(
        session_id=data["sessionId"],
        title=data["Title"],
        host=data["Host"],
        scheduled=_timestamp(data["Scheduled"]),
        duration=data["Duration"],
        created_at=_timestamp(data["createdAt"]),
    )


def create_body(title: str, scheduled: datetime, duration: int, roles: Sequence[Any]) -> bytes:
    """The ``sessions.create`` JSON body, built by hand from the same typed arguments.

    Args:
        title: Session title.
        scheduled: Aware start time.
        duration: Minutes.
        roles: ``series_async.CustomRole`` values.

    Returns:
        The body bytes the SDK sends for the same arguments.
    """
    custom_roles = [
        {
            "name": role.name,
            "slots": role.slots,
            "minRank": role.min_rank,
            "permissions": {
                "ChangeSessionStatus": role.permissions.change_session_status,
                "PassOrFailAttendees": role.permissions.pass_or_fail_attendees,
                "ModifyAttendance": role.permissions.modify_attendance,
            },
        }
        for role in roles
    ]
    body = {
        "Title": title,
        "Scheduled": _wire_time(scheduled),
        "Duration": duration,
        "CustomRoles": custom_roles,
    }
    return _COMPACT.encode(body).encode()


def _data(status: int, expected: int, body: bytes) -> dict[str, Any]:
    if status != expected:
        raise RuntimeError(f"bench server answered {status}, expected {expected}")
    envelope = json.loads(body)
    data = envelope.get("data") if isinstance(envelope, dict) else None
    if envelope.get("success") is not True or not isinstance(data, dict):
        raise RuntimeError("bench server sent no success envelope")
    return data


async def open_typed_floor(
    base_url: str, api_key: str, session_id: str, create_args: dict[str, Any]
) -> tuple[dict[str, Callable[[], Awaitable[object]]], Callable[[], Awaitable[None]]]:
    """Open the typed floor client on the running loop.

    Args:
        base_url: The bench server.
        api_key: Sent as ``apikey``.
        session_id: The id ``get`` fetches.
        create_args: ``title``, ``scheduled``, ``duration`` and ``custom_roles`` for
            ``create``, the same values the SDK rows send.

    Returns:
        The ``get``/``create`` operations and the ``close`` coroutine function.
    """
    import aiohttp

    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=POOL_LIMIT, ssl=True),
        timeout=aiohttp.ClientTimeout(total=TOTAL_S, connect=CONNECT_S, sock_read=READ_S),
        headers={
            "User-Agent": user_agent(),
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",
        },
    )
    get_url = f"{base_url}/sessions/get/{session_id}"
    create_url = f"{base_url}/sessions/create"
    get_headers = {"apikey": api_key}
    create_headers = {"apikey": api_key, "Content-Type": "application/json"}
    title, scheduled = create_args["title"], create_args["scheduled"]
    duration, roles = create_args["duration"], create_args["custom_roles"]

    async def get() -> object:
        async with session.get(get_url, headers=get_headers, allow_redirects=False) as resp:
            body = await resp.read()
            return session_from(_data(resp.status, 200, body))

    async def create() -> object:
        payload = create_body(title, scheduled, duration, roles)
        async with session.post(
            create_url, data=payload, headers=create_headers, allow_redirects=False
        ) as resp:
            body = await resp.read()
            return created_from(_data(resp.status, 201, body))

    return {"get": get, "create": create}, session.close
