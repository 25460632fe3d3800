"""``client.attendance``: record who attended a session and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ._errors import ValidationError
from ._models import Attendee
from ._pipeline import Call, encode_segment
from ._resource import Resource, fill_missing
from ._types import UNSET, Unset
from ._validation import check_optional_text, check_timestamp, check_user_id

__all__ = ["Attendance"]


def _check_order(body: dict[str, Any]) -> None:
    join, leave = body.get("JoinTime"), body.get("LeaveTime")
    # Both are normalised to UTC "...Z" strings of one format, so they sort as times.
    if join is not None and leave is not None and leave < join:
        raise ValidationError("leave_time", f"must not be before join_time ({leave} < {join})")


class Attendance(Resource):
    """Attendance records (``client.attendance``; Premium/Enterprise workspaces)."""

    async def add_attendee(
        self,
        session_id: str,
        *,
        user_id: int | str,
        username: str | None = None,
        display_name: str | None = None,
        avatar_url: str | None = None,
        join_time: datetime | str | None = None,
        leave_time: datetime | str | None = None,
    ) -> Attendee:
        """Add a player to a session's attendance.

        Args:
            session_id: The session's id.
            user_id: The player's Roblox user id.
            username: Roblox username.
            display_name: Roblox display name.
            avatar_url: Avatar image URL.
            join_time: When they joined (aware ``datetime`` or ISO 8601 with offset).
            leave_time: When they left; not before ``join_time``.

        Returns:
            The attendance record, ``duration_seconds`` computed by the API.

        Raises:
            PermissionDeniedError: Free workspace.

        Not retried after a 5xx or timeout (it could add the attendee twice)
        unless the policy has ``retry_non_idempotent=True``.
        """
        segment = encode_segment("session_id", session_id)
        body: dict[str, Any] = {"UserId": check_user_id("user_id", user_id)}
        for field, wire, value in (
            ("username", "Username", username),
            ("display_name", "DisplayName", display_name),
            ("avatar_url", "AvatarUrl", avatar_url),
        ):
            if value is not None:
                body[wire] = check_optional_text(field, value)
        if join_time is not None:
            body["JoinTime"] = check_timestamp("join_time", join_time)
        if leave_time is not None:
            body["LeaveTime"] = check_timestamp("leave_time", leave_time)
        _check_order(body)
        call = Call(
            name="attendance.add_attendee",
            method="POST",
            template="/attendance/add-attendee/{sessionId}",
            path_params={"sessionId": segment},
            model=Attendee,
            idempotent=False,
            body=body,
            prepare=fill_missing(sessionId=session_id, UserId=body["UserId"]),
        )
        return await self._call(call)

    async def update_attendee(
        self,
        session_id: str,
        *,
        user_id: int | str,
        join_time: datetime | str | Unset = UNSET,
        leave_time: datetime | str | Unset = UNSET,
    ) -> Attendee:
        """Change an attendee's join and/or leave time.

        Args:
            session_id: The session's id.
            user_id: The attendee's Roblox user id.
            join_time: New join time.
            leave_time: New leave time.

        Returns:
            The updated record.

        Raises:
            ValidationError: Neither time given, or leave before join.
        """
        segment = encode_segment("session_id", session_id)
        body: dict[str, Any] = {"UserId": check_user_id("user_id", user_id)}
        if join_time is not UNSET:
            body["JoinTime"] = check_timestamp("join_time", join_time)
        if leave_time is not UNSET:
            body["LeaveTime"] = check_timestamp("leave_time", leave_time)
        if len(body) == 1:
            raise ValidationError("update_attendee", "give join_time, leave_time or both")
        _check_order(body)
        call = Call(
            name="attendance.update_attendee",
            method="POST",
            template="/attendance/update-attendee/{sessionId}",
            path_params={"sessionId": segment},
            model=Attendee,
            idempotent=True,
            body=body,
            prepare=fill_missing(sessionId=session_id, UserId=body["UserId"]),
        )
        return await self._call(call)
