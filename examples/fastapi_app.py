"""A FastAPI backend over Series: one client for the app's lifetime, SDK errors as HTTP errors.

- The lifespan opens **one** :class:`~series_async.SeriesClient` (a bounded connection
  pool, safe to share between concurrent requests) and, on shutdown, lets the requests in
  flight finish (up to ``shutdown_grace`` seconds) before closing it.
- Handlers get the client through a dependency, so a test can swap it.
- One exception handler turns every :class:`~series_async.SeriesError` into the HTTP error
  the caller of *this* API should see (table in :func:`http_error`).

Run it (``pip install "series-sdk[examples]" uvicorn``)::

    SERIES_API_KEY=... uvicorn examples.fastapi_app:app
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from series_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    CustomRole,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    SeriesClient,
    SeriesError,
    Session,
    SessionStatus,
    Timeout,
    ValidationError,
)

#: A web request should not wait for long: bounded attempts, and a whole-call deadline.
DEFAULT_TIMEOUT = Timeout(total=10, connect=3, read=8)
DEFAULT_RETRY = RetryPolicy(max_retries=2, initial_delay=0.2, max_delay=1.0, total_timeout=15)


class SessionOut(BaseModel):
    """A session as this backend shows it."""

    session_id: str
    title: str
    status: str
    scheduled: datetime | None
    free_slots: dict[str, int]

    @classmethod
    def of(cls, session: Session) -> SessionOut:
        """Build from the SDK's model."""
        return cls(
            session_id=session.session_id,
            title=session.title,
            status=session.status.value,
            scheduled=session.scheduled,
            free_slots={
                name: len(role.vacant_slot_keys()) for name, role in session.custom_roles.items()
            },
        )


class NewSession(BaseModel):
    """``POST /sessions``: validated by the SDK, which names the field and the rule."""

    title: str
    scheduled: str
    duration: int
    trainer_slots: int = 0


class Claim(BaseModel):
    """``POST /sessions/{id}/claim``."""

    user_id: str
    role: str = "Trainer"


class InFlight:
    """Counts the requests using the client, so shutdown can wait for them."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def enter(self) -> None:
        self.count += 1
        self._idle.clear()

    def leave(self) -> None:
        self.count -= 1
        if self.count == 0:
            self._idle.set()

    async def wait_idle(self, timeout: float) -> bool:
        """Wait until no request uses the client; False if ``timeout`` ran out first."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except asyncio.TimeoutError:
            return False
        return True


class ShuttingDown(Exception):
    """A request arrived after shutdown closed the client."""


def http_error(exc: SeriesError) -> tuple[int, str, dict[str, str]]:
    """The status, detail and headers this API answers for an SDK error.

    | SDK error | answer | why |
    |---|---|---|
    | ``ValidationError`` | 422 | the caller's input broke a rule (the message names it) |
    | ``NotFoundError`` | 404 | |
    | ``BadRequestError`` | 400 | the API refused the caller's request as made |
    | ``PermissionDeniedError``, ``ConflictError`` | 409 | refused by the workspace's rules |
    | ``RateLimitError`` | 503 + ``Retry-After`` | *our* upstream is busy, not the caller's quota |
    | ``APITimeoutError`` | 504 | |
    | ``APIConnectionError``, 5xx, odd answers | 502 | |
    | ``AuthenticationError`` | 500 | our configuration is wrong; nothing the caller can do |

    Returns:
        ``(status, detail, headers)``.
    """
    if isinstance(exc, ValidationError):
        return 422, str(exc), {}
    if isinstance(exc, NotFoundError):
        return 404, exc.message, {}
    if isinstance(exc, BadRequestError):
        return 400, exc.message, {}
    if isinstance(exc, (PermissionDeniedError, ConflictError)):
        return 409, exc.message, {}
    if isinstance(exc, RateLimitError):
        wait = math.ceil(exc.retry_after) if exc.retry_after is not None else 1
        return 503, "Series is rate limiting this service", {"Retry-After": str(max(wait, 1))}
    if isinstance(exc, AuthenticationError):
        return 500, "this service is misconfigured", {}
    if isinstance(exc, APITimeoutError):
        return 504, "Series did not answer in time; a change may or may not have been made", {}
    if isinstance(exc, APIConnectionError):
        return 502, "Series could not be reached; a change may or may not have been made", {}
    if isinstance(exc, APIStatusError):
        return (
            502,
            f"Series failed with HTTP {exc.status}; a change may or may not have been made",
            {},
        )
    return 502, "Series answered something unexpected", {}


async def series(request: Request) -> AsyncIterator[SeriesClient]:
    """The dependency handing the app's one client to a handler (tests can override it).

    Raises:
        ShuttingDown: The lifespan already closed the client.
    """
    client: SeriesClient = request.app.state.series
    if client.closed:
        raise ShuttingDown
    in_flight: InFlight = request.app.state.in_flight
    in_flight.enter()
    try:
        yield client
    finally:
        in_flight.leave()


Series = Annotated[SeriesClient, Depends(series)]
router = APIRouter()


@router.get("/sessions/{session_id}")
async def get_session(session_id: str, client: Series) -> SessionOut:
    """One session."""
    return SessionOut.of(await client.sessions.get(session_id))


@router.get("/sessions")
async def list_sessions(client: Series, status: str = "upcoming") -> list[SessionOut]:
    """The first page of sessions with that status."""
    # SessionStatus("someday") is UNKNOWN, which list() refuses: a 422 that names "status".
    page = await client.sessions.list(status=SessionStatus(status))
    return [SessionOut.of(s) for s in page.sessions]


@router.post("/sessions", status_code=201)
async def create_session(body: NewSession, client: Series) -> dict[str, str]:
    """Create a claimable session, with Trainer slots when asked."""
    roles = [CustomRole(name="Trainer", slots=body.trainer_slots, min_rank=50)]
    created = await client.sessions.create(
        title=body.title,
        scheduled=body.scheduled,
        duration=body.duration,
        claimable=True,
        custom_roles=roles if body.trainer_slots else None,
    )
    return {"session_id": created.session_id}


@router.post("/sessions/{session_id}/claim")
async def claim(session_id: str, body: Claim, client: Series) -> dict[str, str]:
    """Give ``body.user_id`` the first free slot of ``body.role``."""
    session = await client.sessions.get(session_id)
    role = session.custom_roles.get(body.role)
    vacant = role.vacant_slot_keys() if role is not None else []
    if not vacant:
        problem = "no such role" if role is None else "every slot is taken"
        raise HTTPException(409, f"{body.role}: {problem}")
    done = await client.sessions.claim_custom_role(
        session_id, user_id=body.user_id, role_name=body.role, slot_key=vacant[0]
    )
    return {"message": done.message or "claimed"}


async def series_error(request: Request, exc: Exception) -> JSONResponse:
    """Answer an SDK error with the HTTP error of :func:`http_error`."""
    assert isinstance(exc, SeriesError)
    status, detail, headers = http_error(exc)
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


async def shutting_down(request: Request, exc: Exception) -> JSONResponse:
    """Answer a request that came after shutdown."""
    return JSONResponse({"detail": "shutting down"}, status_code=503, headers={"Retry-After": "5"})


def create_app(
    *,
    timeout: Timeout = DEFAULT_TIMEOUT,
    retry: RetryPolicy = DEFAULT_RETRY,
    shutdown_grace: float = 10.0,
) -> FastAPI:
    """Build the app; the client reads ``SERIES_API_KEY`` / ``SERIES_BASE_URL`` at startup.

    Args:
        timeout: Per-attempt timeouts of the Series client.
        retry: Its retry policy.
        shutdown_grace: Seconds shutdown waits for requests in flight before closing.

    Returns:
        The FastAPI application.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        in_flight = InFlight()
        async with SeriesClient(timeout=timeout, retry=retry, user_agent="hr-backend/1.0") as c:
            app.state.series = c
            app.state.in_flight = in_flight
            yield
            # Requests still using the client finish first; then `async with` closes it.
            await in_flight.wait_idle(shutdown_grace)

    app = FastAPI(title="HR backend", lifespan=lifespan)
    app.include_router(router)
    app.add_exception_handler(SeriesError, series_error)
    app.add_exception_handler(ShuttingDown, shutting_down)
    return app


app = create_app()
