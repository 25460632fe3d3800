"""Fixtures for the emulator tests: raw HTTP access over real loopback sockets.

The ``series_emulator`` fixture itself comes from ``tests/conftest.py``, which
imports the pytest plugin's fixtures.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping

import aiohttp
import attrs
import pytest

from series_async.testing import SeriesEmulator

HOST = "714760171"  # demo: rank 100
TRAINER = "2143265871"  # demo: rank 50
STAFF = "3020518862"  # demo: rank 20
ROOKIE = "4173392009"  # demo: rank 5
GROUP_ONLY = "5569120347"  # demo: group member, rank 5


@attrs.frozen
class Answer:
    """A decoded answer of the emulator."""

    status: int
    body: dict[str, object]
    headers: Mapping[str, str]

    @property
    def data(self) -> dict[str, object]:
        """The ``data`` of a success envelope."""
        assert self.body.get("success") is True, self.body
        data = self.body["data"]
        assert isinstance(data, dict)
        return data

    @property
    def message(self) -> str:
        """The ``error.message`` of an error envelope (checks the envelope's shape)."""
        assert self.body.get("success") is False, self.body
        error = self.body["error"]
        assert isinstance(error, dict)
        assert error["code"] == self.status
        message = error["message"]
        assert isinstance(message, str)
        return message


class Api:
    """Minimal raw client: the emulator must be right on the wire, not just via our SDK."""

    def __init__(self, session: aiohttp.ClientSession, emulator: SeriesEmulator) -> None:
        self.session = session
        self.emulator = emulator
        self.key: str | None = emulator.api_key

    async def call(
        self,
        method: str,
        path: str,
        body: object = None,
        *,
        headers: Mapping[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Answer:
        sent = dict(headers) if headers is not None else ({"apikey": self.key} if self.key else {})
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
        async with self.session.request(
            method, self.emulator.url + path, data=data, headers=sent
        ) as response:
            text = await response.text()
            return Answer(response.status, json.loads(text), dict(response.headers))

    async def create(self, **fields: object) -> str:
        body = {"Title": "Training", "Scheduled": "2026-12-01T15:00:00Z", "Duration": 60}
        body.update(fields)
        answer = await self.call("POST", "/sessions/create", body)
        assert answer.status == 201, answer.body
        session_id = answer.data["sessionId"]
        assert isinstance(session_id, str)
        return session_id


@pytest.fixture
async def api(series_emulator: SeriesEmulator) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(session, series_emulator)


TRAINER_ROLE = {
    "name": "Trainer",
    "slots": 2,
    "minRank": 50,
    "permissions": {"PassOrFailAttendees": True, "ModifyAttendance": True},
}
