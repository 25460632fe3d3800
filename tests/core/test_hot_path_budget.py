"""A guard on the hot path's size that times nothing: the calls one ``sessions.get`` makes.

Benchmarks are too noisy for CI, but the number of Python function calls a call makes is
exact and moves with its cost. Here aiohttp's ``ClientSession.request`` is replaced by a
stub that answers at once with the benchmark's documented session (two custom roles, four
slots), so everything from ``client.sessions.get`` down to the structured ``Session`` runs
for real and nothing else does, and the calls are counted with ``sys.setprofile``.

Measured when the hot path was last tuned (issue 13; stdlib JSON; the stub's own five
calls included):

=========  ===========  ===========  ===========
call       CPython 3.10 CPython 3.11 CPython 3.13
=========  ===========  ===========  ===========
``get``    62           60           57
``create`` 52           48           47
=========  ===========  ===========  ===========

(before that work, ``get`` made 89 on 3.11 and ``create`` 67). The budgets are the
highest of these plus two. If a change pushes a count past its budget, either make it
cheaper or, if the cost is worth it, raise the budget here and say why in the commit.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import aiohttp
import pytest

from series_async import CustomRole, RolePermissions, SeriesClient, Session, _json

pytestmark = pytest.mark.timeout(10)

BUDGET = {"get": 64, "create": 54}  # Python calls per call (see the table above)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import server  # noqa: E402 - the benchmark's canned bodies, from bench/

SESSION_ID = server.SESSION_ID
ANSWERS = {
    "GET": (200, server.session_body(SESSION_ID)),
    "POST": (201, server.create_body()),
}


class _StubResponse:
    """Just what the transport reads from an aiohttp response."""

    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        self.reason = "OK"
        self.headers = {"Content-Type": "application/json"}
        self.content_length = len(body)
        self._body = body

    async def read(self) -> bytes:
        return self._body

    async def __aenter__(self) -> _StubResponse:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


def _stub_request(
    self: aiohttp.ClientSession, method: str, url: Any, **kwargs: Any
) -> _StubResponse:
    return _StubResponse(*ANSWERS[method])


@pytest.fixture
def stdlib_json() -> Iterator[None]:
    before = _json.backend()
    _json._force_backend("stdlib")  # the default install: the speed extra is optional
    yield
    _json._force_backend(before)


@pytest.fixture
async def client(monkeypatch: pytest.MonkeyPatch, stdlib_json: None) -> AsyncIterator[SeriesClient]:
    monkeypatch.setattr(aiohttp.ClientSession, "request", _stub_request)
    async with SeriesClient(
        "sk_live_budget_0123456789abcdef", base_url="https://api.series.hr"
    ) as c:
        yield c


def _operations(client: SeriesClient) -> dict[str, Callable[[], Coroutine[Any, Any, Any]]]:
    role = CustomRole(
        name="Trainer",
        slots=2,
        min_rank=50,
        permissions=RolePermissions(pass_or_fail_attendees=True, modify_attendance=True),
    )
    scheduled = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)
    return {
        "get": lambda: client.sessions.get(SESSION_ID),
        "create": lambda: client.sessions.create(
            title="Training Session", scheduled=scheduled, duration=60, custom_roles=[role]
        ),
    }


async def _count(call: Callable[[], Coroutine[Any, Any, Any]]) -> tuple[Any, Counter[str]]:
    """Run one call with the stub answering at once; count the Python functions entered."""
    entered: Counter[str] = Counter()

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event == "call":
            code = frame.f_code
            entered[f"{Path(code.co_filename).name}:{code.co_name}"] += 1

    coroutine = call()
    sys.setprofile(profile)
    try:
        result = await coroutine  # the stub never suspends: all of it runs right here
    finally:
        sys.setprofile(None)
    return result, entered


@pytest.mark.parametrize("operation", ["get", "create"])
async def test_one_call_stays_within_its_budget(client: SeriesClient, operation: str) -> None:
    call = _operations(client)[operation]
    for _ in range(3):
        await call()  # warm: the client's session, the converter's generated hooks
    result, entered = await _count(call)
    if operation == "get":
        assert isinstance(result, Session)
        assert result.session_id == SESSION_ID
        assert set(result.custom_roles) == {"Trainer", "Helper"}
    else:
        assert result.session_id == "session_abc123"
    calls = sum(entered.values())
    detail = ", ".join(f"{name} x{n}" for name, n in entered.most_common())
    assert calls <= BUDGET[operation], f"{operation}: {calls} Python calls: {detail}"
    # Nothing of the retry machinery runs before a first failure.
    assert not any(name.startswith(("_retry.py", "__init__.py:__call__")) for name in entered)
    # And the counter does count: a call cannot take fewer than its own layers.
    assert calls >= 20, detail
