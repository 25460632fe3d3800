"""``client.sessions``: create, read, list, update sessions and manage custom roles."""

from __future__ import annotations

import builtins
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from datetime import date, datetime
from typing import Any

from ._errors import ValidationError
from ._models import (
    CreatedSession,
    CustomRole,
    RoleAssignment,
    Session,
    SessionPage,
    SessionStatus,
    UpdatedSession,
)
from ._pipeline import Call, encode_segment
from ._resource import Resource, fill_missing
from ._session_args import StatusName, list_call, list_query, not_none, roles_body
from ._types import UNSET, Unset
from ._validation import (
    check_bool,
    check_int,
    check_optional_text,
    check_slot_key,
    check_str,
    check_timestamp,
    check_user_id,
)

__all__ = ["Sessions"]


class Sessions(Resource):
    """Sessions and their custom roles (``client.sessions``)."""

    async def create(
        self,
        *,
        title: str,
        scheduled: datetime | str,
        duration: int,
        description: str | None = None,
        host: int | str | None = None,
        co_host: int | str | None = None,
        supervisor: int | str | None = None,
        claimable: bool | None = None,
        custom_roles: Sequence[CustomRole] | None = None,
    ) -> CreatedSession:
        """Schedule a new session.

        Args:
            title: Session title (non-empty).
            scheduled: Start time: an aware ``datetime`` or ISO 8601 string with offset.
            duration: Length in minutes (>= 1).
            description: Free text.
            host: Host's Roblox user id; must be a workspace member.
            co_host: Co-host's Roblox user id.
            supervisor: Supervisor's Roblox user id.
            claimable: Whether members may claim custom-role slots.
            custom_roles: Role definitions (Premium/Enterprise workspaces).

        Returns:
            The new session's id and the fields the API echoes.

        Raises:
            ValidationError: An argument breaks a documented rule (nothing is sent).
            PermissionDeniedError: Custom roles on a free workspace.
            BadRequestError: The API refused the values.

        Not retried after a 5xx or timeout (it could create a duplicate) unless
        the policy has ``retry_non_idempotent=True``.
        """
        body: dict[str, Any] = {
            "Title": check_str("title", title),
            "Scheduled": check_timestamp("scheduled", scheduled),
            "Duration": check_int("duration", duration, low=1, unit="minutes"),
        }
        if description is not None:
            body["Description"] = check_optional_text("description", description)
        if host is not None:
            body["Host"] = check_user_id("host", host)
        if co_host is not None:
            body["CoHost"] = check_user_id("co_host", co_host)
        if supervisor is not None:
            body["Supervisor"] = check_user_id("supervisor", supervisor)
        if claimable is not None:
            body["Claimable"] = check_bool("claimable", claimable)
        if custom_roles is not None:
            body["CustomRoles"] = roles_body(custom_roles)
        return await self._call(
            Call(
                name="sessions.create",
                method="POST",
                template="/sessions/create",
                model=CreatedSession,
                idempotent=False,
                body=body,
            )
        )

    async def get(self, session_id: str) -> Session:
        """Fetch one session.

        Args:
            session_id: The session's id.

        Returns:
            The session, with its custom roles on Premium/Enterprise workspaces.

        Raises:
            NotFoundError: No such session.
        """
        call = Call(
            name="sessions.get",
            method="GET",
            template="/sessions/get/{sessionId}",
            path_params={"sessionId": encode_segment("session_id", session_id)},
            model=Session,
            idempotent=True,
        )
        return await self._call(call)

    async def list(
        self,
        *,
        page: int = 1,
        status: SessionStatus | StatusName | None = None,
        date: date | str | None = None,
        start: date | str | None = None,
        end: date | str | None = None,
        host: int | str | None = None,
    ) -> SessionPage:
        """Fetch one page of sessions, optionally filtered.

        Args:
            page: Page number, from 1.
            status: ``upcoming``, ``ongoing``, ``completed`` or ``cancelled``.
            date: One day (``date`` or ``YYYY-MM-DD``); not with ``start``/``end``.
            start: First day of a range; needs ``end``.
            end: Last day of a range; needs ``start``.
            host: Only sessions hosted by this Roblox user id.

        Returns:
            The page; an empty ``sessions`` list means there are no more.
        """
        query = list_query(page, status, date, start, end, host)
        return await self._call(list_call(query))

    async def _iterate_pages(
        self,
        *,
        status: SessionStatus | StatusName | None = None,
        date: date | str | None = None,
        start: date | str | None = None,
        end: date | str | None = None,
        host: int | str | None = None,
    ) -> AsyncGenerator[builtins.list[Session], None]:
        """Yield the sessions of page after page; the sync twin walks this, a hop per page."""
        query = list_query(1, status, date, start, end, host)  # fail before any request
        page = 1
        previous: tuple[str, ...] = ()
        while True:
            query["page"] = str(page)
            call = list_call(dict(query), walking=True, previous=previous)
            result = await self._call(call)
            if not result.sessions:
                return
            previous = tuple(s.session_id for s in result.sessions)
            yield result.sessions
            page += 1

    async def iterate(
        self,
        *,
        status: SessionStatus | StatusName | None = None,
        date: date | str | None = None,
        start: date | str | None = None,
        end: date | str | None = None,
        host: int | str | None = None,
    ) -> AsyncIterator[Session]:
        """Yield every matching session, fetching page after page until an empty one.

        Args:
            status: As for :meth:`list`.
            date: As for :meth:`list`.
            start: As for :meth:`list`.
            end: As for :meth:`list`.
            host: As for :meth:`list`.

        Yields:
            Each session, in the API's order.

        Raises:
            UnexpectedResponseError: A page echoes another page number than the
                one asked for, or echoes none and repeats the previous page's
                sessions (a server ignoring ``?page=`` would loop forever).
        """
        pages = self._iterate_pages(status=status, date=date, start=start, end=end, host=host)
        try:
            async for sessions in pages:
                for session in sessions:
                    yield session
        finally:
            await pages.aclose()

    async def update(
        self,
        session_id: str,
        *,
        title: str | Unset = UNSET,
        description: str | Unset = UNSET,
        host: int | str | Unset = UNSET,
        co_host: int | str | Unset = UNSET,
        supervisor: int | str | Unset = UNSET,
        scheduled: datetime | str | Unset = UNSET,
        duration: int | Unset = UNSET,
        claimable: bool | Unset = UNSET,
        custom_roles: Sequence[CustomRole] | Unset = UNSET,
    ) -> UpdatedSession:
        """Change some fields of a session; only the arguments you give are sent.

        Args:
            session_id: The session's id.
            title: New title.
            description: New description.
            host: New host (Roblox user id).
            co_host: New co-host.
            supervisor: New supervisor.
            scheduled: New start time (aware ``datetime`` or ISO 8601 with offset).
            duration: New length in minutes (>= 1).
            claimable: Whether custom-role slots can be claimed.
            custom_roles: Replaces every custom role; ``[]`` removes them all.

        Returns:
            The session id and the fields the API echoes.

        Raises:
            ValidationError: No field given, ``None`` given, or a rule broken.
        """
        segment = encode_segment("session_id", session_id)
        body: dict[str, Any] = {}
        if title is not UNSET:
            body["Title"] = check_str("title", not_none("title", title))
        if description is not UNSET:
            body["Description"] = check_optional_text(
                "description", not_none("description", description)
            )
        for field, wire, value in (
            ("host", "Host", host),
            ("co_host", "CoHost", co_host),
            ("supervisor", "Supervisor", supervisor),
        ):
            if value is not UNSET:
                body[wire] = check_user_id(field, not_none(field, value))
        if scheduled is not UNSET:
            body["Scheduled"] = check_timestamp("scheduled", not_none("scheduled", scheduled))
        if duration is not UNSET:
            body["Duration"] = check_int(
                "duration", not_none("duration", duration), low=1, unit="minutes"
            )
        if claimable is not UNSET:
            body["Claimable"] = check_bool("claimable", not_none("claimable", claimable))
        if custom_roles is not UNSET:
            body["CustomRoles"] = roles_body(custom_roles)
        if not body:
            raise ValidationError("update", "give at least one field to change")
        return await self._call(
            Call(
                name="sessions.update",
                method="PATCH",
                template="/sessions/update/{sessionId}",
                path_params={"sessionId": segment},
                model=UpdatedSession,
                idempotent=True,
                body=body,
                prepare=fill_missing(sessionId=session_id),
            )
        )

    def _role_call(
        self, action: str, session_id: str, body: dict[str, Any], user_key: str
    ) -> Call[RoleAssignment]:
        return Call(
            name=f"sessions.{action}_custom_role",
            method="PATCH",
            template="/sessions/{sessionId}/custom-roles/" + action,
            path_params={"sessionId": encode_segment("session_id", session_id)},
            model=RoleAssignment,
            idempotent=False,
            body=body,
            prepare=fill_missing(
                SessionId=session_id, RoleName=body["RoleName"], UserId=body[user_key]
            ),
        )

    async def claim_custom_role(
        self, session_id: str, *, user_id: int | str, role_name: str, slot_key: str
    ) -> RoleAssignment:
        """Put a member into a vacant slot of a custom role.

        Args:
            session_id: The session's id.
            user_id: The claiming member's Roblox user id.
            role_name: The custom role, e.g. ``"Trainer"``.
            slot_key: A vacant slot such as ``"VACANT_0"``
                (see ``RoleSlots.vacant_slot_keys()``).

        Returns:
            The assignment and the API's message.

        Raises:
            BadRequestError: Not claimable, slot taken, or already holding the role.
            PermissionDeniedError: Free workspace, or rank below the role's minimum.
            NotFoundError: No such session or role.
        """
        body = {
            "UserId": check_user_id("user_id", user_id),
            "RoleName": check_str("role_name", role_name),
            "SlotKey": check_slot_key("slot_key", slot_key),
        }
        return await self._call(self._role_call("claim", session_id, body, "UserId"))

    async def quit_custom_role(
        self, session_id: str, *, user_id: int | str, role_name: str
    ) -> RoleAssignment:
        """Give up a custom role the member holds; the slot becomes vacant again.

        Args:
            session_id: The session's id.
            user_id: The member's Roblox user id.
            role_name: The custom role.

        Returns:
            The assignment that ended and the API's message.

        Raises:
            BadRequestError: Not holding the role, not a member, or the session is over.
            NotFoundError: No such session or role.
        """
        body = {
            "UserId": check_user_id("user_id", user_id),
            "RoleName": check_str("role_name", role_name),
        }
        return await self._call(self._role_call("quit", session_id, body, "UserId"))

    async def remove_custom_role(
        self, session_id: str, *, target_user_id: int | str, role_name: str
    ) -> RoleAssignment:
        """Take a member out of a custom role (an admin action).

        Args:
            session_id: The session's id.
            target_user_id: The Roblox user id to remove.
            role_name: The custom role.

        Returns:
            The assignment that ended and the API's message.

        Raises:
            BadRequestError: The target does not hold the role or is not a member.
            NotFoundError: No such session or role.
        """
        body = {
            "TargetUserId": check_user_id("target_user_id", target_user_id),
            "RoleName": check_str("role_name", role_name),
        }
        return await self._call(self._role_call("remove", session_id, body, "TargetUserId"))
