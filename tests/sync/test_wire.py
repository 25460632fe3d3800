"""Every endpoint through the sync client, against aioresponses: the exact request sent."""

from __future__ import annotations

import inspect
import json
import platform
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from yarl import URL

from series_async import (
    Attendee,
    CreatedSession,
    CustomRole,
    KeyInfo,
    NotFoundError,
    RankChange,
    RetryPolicy,
    RoleAssignment,
    SeriesError,
    Session,
    SessionPage,
    UpdatedSession,
    ValidationError,
    __version__,
)
from series_sync import SeriesClient
from tests.conftest import API_KEY

pytestmark = pytest.mark.timeout(15)

BASE = "https://api.series.hr"
UA = (
    f"series-sdk/{__version__} python/{'.'.join(platform.python_version_tuple()[:2])} "
    f"aiohttp/{aiohttp.__version__} sync"
)
SESSION = {
    "SessionId": "s1",
    "Title": "Training",
    "Scheduled": "2026-12-01T15:00:00Z",
    "Status": "upcoming",
    "Duration": 60,
}
ROLE = {"message": "ok", "SessionId": "s1", "RoleName": "Trainer", "UserId": "714760171"}
RANK = {"UserId": "714760171", "Action": "promote", "PreviousRank": 5, "NewRank": 20}
ATTENDEE = {"attendeeId": "a1", "sessionId": "s1", "UserId": "714760171"}

Call = Callable[[SeriesClient], Any]
CASES: list[tuple[str, Call, str, str, Any, Any, type]] = [
    (
        "sessions.create",
        lambda c: c.sessions.create(
            title="Training",
            scheduled=datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc),
            duration=60,
            custom_roles=[CustomRole(name="Trainer", slots=2, min_rank=50)],
        ),
        "POST",
        "/sessions/create",
        {
            "Title": "Training",
            "Scheduled": "2026-12-01T15:00:00Z",
            "Duration": 60,
            "CustomRoles": [
                {
                    "name": "Trainer",
                    "slots": 2,
                    "minRank": 50,
                    "permissions": {
                        "ChangeSessionStatus": False,
                        "PassOrFailAttendees": False,
                        "ModifyAttendance": False,
                    },
                }
            ],
        },
        {"sessionId": "s1"},
        CreatedSession,
    ),
    (
        "sessions.get",
        lambda c: c.sessions.get("s1"),
        "GET",
        "/sessions/get/s1",
        None,
        SESSION,
        Session,
    ),
    (
        "sessions.list",
        lambda c: c.sessions.list(page=2, status="completed", date="2024-01-15", host=7),
        "GET",
        "/sessions/list?page=2&status=completed&date=2024-01-15&host=7",
        None,
        {"Page": 2, "Sessions": [SESSION]},
        SessionPage,
    ),
    (
        "sessions.update",
        lambda c: c.sessions.update("s1", title="New", custom_roles=[]),
        "PATCH",
        "/sessions/update/s1",
        {"Title": "New", "CustomRoles": []},
        {"sessionId": "s1", "Title": "New"},
        UpdatedSession,
    ),
    (
        "sessions.claim_custom_role",
        lambda c: c.sessions.claim_custom_role(
            "s1", user_id=714760171, role_name="Trainer", slot_key="VACANT_0"
        ),
        "PATCH",
        "/sessions/s1/custom-roles/claim",
        {"UserId": "714760171", "RoleName": "Trainer", "SlotKey": "VACANT_0"},
        ROLE,
        RoleAssignment,
    ),
    (
        "sessions.quit_custom_role",
        lambda c: c.sessions.quit_custom_role("s1", user_id="714760171", role_name="Trainer"),
        "PATCH",
        "/sessions/s1/custom-roles/quit",
        {"UserId": "714760171", "RoleName": "Trainer"},
        ROLE,
        RoleAssignment,
    ),
    (
        "sessions.remove_custom_role",
        lambda c: c.sessions.remove_custom_role(
            "s1", target_user_id=714760171, role_name="Trainer"
        ),
        "PATCH",
        "/sessions/s1/custom-roles/remove",
        {"TargetUserId": "714760171", "RoleName": "Trainer"},
        {**ROLE, "TargetUserId": "714760171"},
        RoleAssignment,
    ),
    (
        "attendance.add_attendee",
        lambda c: c.attendance.add_attendee(
            "s1", user_id=714760171, username="builderman", join_time="2024-01-15T10:30:00Z"
        ),
        "POST",
        "/attendance/add-attendee/s1",
        {"UserId": "714760171", "Username": "builderman", "JoinTime": "2024-01-15T10:30:00Z"},
        ATTENDEE,
        Attendee,
    ),
    (
        "attendance.update_attendee",
        lambda c: c.attendance.update_attendee(
            "s1", user_id=714760171, leave_time="2024-01-15T11:50:00+01:00"
        ),
        "POST",
        "/attendance/update-attendee/s1",
        {"UserId": "714760171", "LeaveTime": "2024-01-15T10:50:00Z"},
        ATTENDEE,
        Attendee,
    ),
    (
        "ranking.promote",
        lambda c: c.ranking.promote(714760171, comment="Passed"),
        "POST",
        "/ranking/promote/714760171",
        {"comment": "Passed"},
        RANK,
        RankChange,
    ),
    (
        "ranking.demote",
        lambda c: c.ranking.demote("714760171"),
        "POST",
        "/ranking/demote/714760171",
        None,
        {**RANK, "Action": "demote"},
        RankChange,
    ),
    (
        "ranking.set_rank",
        lambda c: c.ranking.set_rank(714760171, 50, comment="Passed"),
        "POST",
        "/ranking/set-rank/714760171/50",
        {"comment": "Passed"},
        {**RANK, "Action": "set-rank"},
        RankChange,
    ),
    (
        "keys.check",
        lambda c: c.keys.check(),
        "GET",
        f"/basic/check-key/{API_KEY}",
        None,
        {"valid": True, "status": "active"},
        KeyInfo,
    ),
]


class _Response(aiohttp.ClientResponse):
    """aioresponses 0.7.9 predates the ``stream_writer`` argument aiohttp 3.14 requires.

    Known upstream (pnuckowski/aioresponses#289); this supplies a finished
    writer so mocked responses can be built.
    """

    def __init__(self, method: str, url: URL, **kwargs: Any) -> None:
        if "stream_writer" in inspect.signature(aiohttp.ClientResponse.__init__).parameters:
            kwargs.setdefault("stream_writer", SimpleNamespace(output_size=0))
        super().__init__(method, url, **kwargs)


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    with aioresponses() as mock:
        yield mock


def reply(mocked: aioresponses, method: str, url: str, data: Any, status: int = 200) -> None:
    """Answer one request to ``url`` with the API's envelope around ``data``."""
    payload = {"success": status < 400, **({"data": data} if status < 400 else {"error": data})}
    mocked.add(url, method, status=status, payload=payload, response_class=_Response)


@pytest.mark.parametrize(
    ("call", "method", "path", "body", "answer", "model"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_endpoint_sends_the_documented_request(
    mocked: aioresponses,
    call: Call,
    method: str,
    path: str,
    body: Any,
    answer: Any,
    model: type,
) -> None:
    url = BASE + path
    reply(mocked, method, url, answer)
    with SeriesClient(API_KEY, max_retries=0) as client:
        result = call(client)
    assert isinstance(result, model)
    ((_, sent_url), calls), *others = mocked.requests.items()
    assert others == []
    # aioresponses sorts the query when it records; compare it as a mapping.
    assert (sent_url.path, dict(sent_url.query)) == (URL(url).path, dict(URL(url).query))
    (request,) = calls
    headers = request.kwargs["headers"]
    assert headers["User-Agent"] == UA
    assert headers["User-Agent"].endswith(" sync")
    if path.startswith("/basic/check-key/"):
        assert "apikey" not in headers  # the key travels in the path instead
    else:
        assert headers["apikey"] == API_KEY
    sent = request.kwargs.get("data")
    if body is None:
        assert not sent
    else:
        assert headers["Content-Type"] == "application/json"
        assert json.loads(sent) == body
    assert request.kwargs["allow_redirects"] is False


def test_iterate_walks_the_pages(mocked: aioresponses) -> None:
    for page, ids in enumerate([["a", "b"], ["c"], []], start=1):
        sessions = [{**SESSION, "SessionId": i} for i in ids]
        url = f"{BASE}/sessions/list?page={page}&status=upcoming"
        reply(mocked, "GET", url, {"Page": page, "Sessions": sessions})
    with SeriesClient(API_KEY, max_retries=0) as client:
        seen = [s.session_id for s in client.sessions.iterate(status="upcoming")]
    assert seen == ["a", "b", "c"]
    assert len(mocked.requests) == 3


def test_errors_are_the_shared_classes(mocked: aioresponses) -> None:
    error = {"code": 404, "message": "Session not found"}
    reply(mocked, "GET", f"{BASE}/sessions/get/missing", error, status=404)
    with SeriesClient(API_KEY, max_retries=0) as client, pytest.raises(NotFoundError) as caught:
        client.sessions.get("missing")
    assert caught.value.status == 404
    assert caught.value.message == "Session not found"


def test_closed_client_refuses_calls_without_io(mocked: aioresponses) -> None:
    client = SeriesClient(API_KEY)
    client.close()
    client.close()  # idempotent
    assert client.closed
    closed = r"^client is closed: create a new SeriesClient$"
    with pytest.raises(SeriesError, match=closed) as call:
        client.keys.check()
    assert type(call.value) is SeriesError
    with pytest.raises(SeriesError, match=closed) as enter, client:
        pass
    assert type(enter.value) is SeriesError
    assert mocked.requests == {}


def test_properties_and_repr_come_from_the_async_client() -> None:
    policy = RetryPolicy(max_retries=5, jitter=False)
    client = SeriesClient(API_KEY, base_url="http://localhost:8080/", retry=policy)
    assert client.base_url == "http://localhost:8080"
    assert client.retry_policy is policy
    assert client.closed is False
    assert repr(client) == "<SeriesClient base_url='http://localhost:8080' api_key='sk_l…'>"
    assert API_KEY not in repr(client)
    client.close()
    assert client.closed
    assert repr(client).startswith("<SeriesClient closed ")


def test_invalid_arguments_raise_in_the_callers_thread_before_any_loop() -> None:
    with pytest.raises(ValidationError, match="timeout"):
        SeriesClient(API_KEY, timeout=None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="allow_insecure_http"):
        SeriesClient(API_KEY, base_url="http://api.example.com")
