"""Endpoint logic: claim, quit and remove custom-role slots.

A slot is keyed ``VACANT_<n>`` (0-based) while empty and by the holder's user
id once claimed; quitting or being removed gives it back its ``VACANT_<n>`` key.
"""

from __future__ import annotations

import re

from series_async.testing._sessions import require_premium, session_or_404
from series_async.testing._state import RoleRecord, SessionRecord, Store
from series_async.testing._wire import ApiError, Call, Reply, req_str, req_user_id

__all__ = ["claim_role", "quit_role", "remove_role"]

_FEATURE = "Custom roles"
_VACANT = re.compile(r"VACANT_([0-9]{1,3})", re.ASCII)
_CLOSED = ("completed", "cancelled")


def _lookup(
    store: Store, call: Call, user_field: str, *, with_slot: bool = False
) -> tuple[SessionRecord, RoleRecord, str]:
    """Run the shared checks: tier, body, session 404, role 404, membership 400."""
    require_premium(store, _FEATURE)
    user = req_user_id(call.body, user_field)
    role_name = req_str(call.body, "RoleName")
    if with_slot:
        req_str(call.body, "SlotKey")
    session = session_or_404(store, call.params["sessionId"])
    role = session.role(role_name)
    if role is None:
        raise ApiError(404, f"Custom role {role_name!r} not found in this session")
    if user not in store.members:
        raise ApiError(400, "User is not a workspace member")
    return session, role, user


def _slot_index(role: RoleRecord, slot_key: str) -> int:
    keys = [role.slot_key(i) for i in range(len(role.slots))]
    if slot_key in keys and not slot_key.startswith("VACANT_"):
        raise ApiError(400, f"Slot {slot_key} is already filled")
    match = _VACANT.fullmatch(slot_key)
    index = int(match.group(1)) if match else -1
    if not 0 <= index < len(role.slots):
        raise ApiError(400, f"Slot {slot_key!r} does not exist in the {role.name} role")
    if not role.slots[index].vacant:
        raise ApiError(400, f"Slot {slot_key} is already filled")
    return index


def claim_role(store: Store, call: Call) -> Reply:
    """PATCH /sessions/{sessionId}/custom-roles/claim."""
    session, role, user = _lookup(store, call, "UserId", with_slot=True)
    slot_key = req_str(call.body, "SlotKey")
    if not session.claimable:
        raise ApiError(400, "Session is not claimable")
    if session.status in _CLOSED:
        raise ApiError(400, f"Session is {session.status}")
    if user in role.holders():
        raise ApiError(400, f"User already holds a slot in the {role.name} role")
    rank = store.members[user]
    if rank < role.min_rank:
        raise ApiError(
            403,
            f"User does not meet the minimum rank requirement for {role.name} "
            f"(requires {role.min_rank}, user has {rank})",
        )
    index = _slot_index(role, slot_key)
    store.sessions[session.session_id] = session.with_role(role.with_slot(index, user))
    return Reply(
        200,
        {
            "message": f"Successfully claimed {role.name} position",
            "SessionId": session.session_id,
            "RoleName": role.name,
            "UserId": user,
        },
    )


def _vacate(store: Store, session: SessionRecord, role: RoleRecord, user: str) -> None:
    holders = [slot.holder for slot in role.slots]
    if user not in holders:
        raise ApiError(400, f"User does not hold a slot in the {role.name} role")
    updated = role.with_slot(holders.index(user), None)
    store.sessions[session.session_id] = session.with_role(updated)


def quit_role(store: Store, call: Call) -> Reply:
    """PATCH /sessions/{sessionId}/custom-roles/quit."""
    session, role, user = _lookup(store, call, "UserId")
    if session.status in _CLOSED:
        raise ApiError(400, f"Cannot quit a role in a {session.status} session")
    _vacate(store, session, role, user)
    return Reply(
        200,
        {
            "message": f"Successfully quit {role.name} position",
            "SessionId": session.session_id,
            "RoleName": role.name,
            "UserId": user,
        },
    )


def remove_role(store: Store, call: Call) -> Reply:
    """PATCH /sessions/{sessionId}/custom-roles/remove (admin action, any status)."""
    session, role, user = _lookup(store, call, "TargetUserId")
    _vacate(store, session, role, user)
    return Reply(
        200,
        {
            "message": f"Successfully removed user from {role.name} position",
            "SessionId": session.session_id,
            "RoleName": role.name,
            "TargetUserId": user,
        },
    )
