"""Type-checked, never run: the public sync API as users write it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

from typing_extensions import assert_type

import series_async
from series_sync import (
    UNSET,
    CreatedSession,
    CustomRole,
    KeyInfo,
    NotFoundError,
    RankChange,
    RoleAssignment,
    SeriesClient,
    Session,
    SessionPage,
    SyncInAsyncContextWarning,
    UpdatedSession,
)


def everything() -> None:
    with SeriesClient("sk_test", max_retries=3) as client:
        created = client.sessions.create(
            title="Training",
            scheduled=datetime(2026, 12, 1, 15, tzinfo=timezone.utc),
            duration=60,
            custom_roles=[CustomRole(name="Trainer", slots=2)],
        )
        assert_type(created, CreatedSession)
        assert_type(client.sessions.get(created.session_id), Session)
        fast = client.with_options(timeout=2.5, max_retries=0)
        assert_type(fast, SeriesClient)
        assert_type(fast.sessions.get(created.session_id), Session)
        client.with_options(max_retries="3")  # type: ignore[arg-type]
        assert_type(client.sessions.list(status="upcoming"), SessionPage)
        client.sessions.list(status="upcomming")  # type: ignore[arg-type]
        assert_type(client.sessions.iterate(), Iterator[Session])
        assert_type(client.sessions.update("s", title="x", host=UNSET), UpdatedSession)
        assert_type(
            client.sessions.claim_custom_role("s", user_id=1, role_name="T", slot_key="VACANT_0"),
            RoleAssignment,
        )
        assert_type(client.ranking.set_rank(1, 50), RankChange)
        assert_type(client.keys.check(), KeyInfo)
        try:
            client.sessions.get("missing")
        except NotFoundError as exc:
            assert_type(exc.status, int)
    client.close()


def shared_objects() -> None:
    # The same classes, not copies: one except clause serves both packages.
    assert_type(NotFoundError, type[series_async.NotFoundError])
    assert issubclass(SyncInAsyncContextWarning, RuntimeWarning)


def misuse(client: SeriesClient) -> None:
    client.sessions.create("Training", "2026-12-01T15:00:00Z", 60)  # type: ignore[call-arg]
    SeriesClient("k", session=None)  # type: ignore[call-arg]
    result = client.sessions.get("s")
    result.session_id = "x"  # type: ignore[misc]
