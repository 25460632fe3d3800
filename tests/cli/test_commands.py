"""Every command of ``series`` as a subprocess against the emulator (design §7).

Each test checks the exit status, the JSON printed, and what the emulator
received: the request log and the state the request left behind.
"""

from __future__ import annotations

import copy
import json
import signal
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from series_async.testing import SeriesEmulator
from series_async.testing._demo_workspace import DEMO_WORKSPACE
from series_sync import CustomRole, SeriesClient

from .conftest import RUN_TIMEOUT, clean_env, command, series

pytestmark = pytest.mark.timeout(90)

HOST = "714760171"  # demo: rank 100
TRAINER = "2143265871"  # demo: rank 50
STAFF = "3020518862"  # demo: rank 20


def routes(emulator: SeriesEmulator) -> list[tuple[str, str | None, int | None]]:
    return [(r.method, r.route, r.status) for r in emulator.state.requests]


def new_session(sdk: SeriesClient, *, claimable: bool = True) -> str:
    created = sdk.sessions.create(
        title="Setup",
        scheduled="2026-12-01T15:00:00Z",
        duration=60,
        claimable=claimable,
        custom_roles=[CustomRole(name="Trainer", slots=2, min_rank=50)],
    )
    return created.session_id


def test_keys_check(series_emulator: SeriesEmulator, emu_env: dict[str, str]) -> None:
    data = series("keys", "check", env=emu_env).json()
    assert data == {
        "valid": True,
        "status": "active",
        "workspace_id": series_emulator.workspace_id,
        "workspace_name": "Demo Training Group",
        "created_at": data["created_at"],  # type: ignore[index]
        "last_used": data["last_used"],  # type: ignore[index]
        "rate_limit_remaining": data["rate_limit_remaining"],  # type: ignore[index]
        "rate_limit_reset": data["rate_limit_reset"],  # type: ignore[index]
        "message": data["message"],  # type: ignore[index]
        "extra": {},
    }
    assert str(data["created_at"]).endswith("Z")  # type: ignore[index]
    assert routes(series_emulator) == [("GET", "keys.check", 200)]


def test_sessions_create_sends_every_field(
    series_emulator: SeriesEmulator, emu_env: dict[str, str]
) -> None:
    data = series(
        "sessions", "create",
        "--title", "Training", "--scheduled", "2026-12-01T17:00:00+02:00", "--duration", "45",
        "--description", "Bring a mic", "--host", HOST, "--co-host", TRAINER,
        "--supervisor", STAFF, "--claimable",
        "--role", "name=Trainer,slots=2,min-rank=50,pass-or-fail-attendees,modify-attendance",
        "--role", "name=Helper,slots=3,change-session-status",
        env=emu_env,
    ).json()  # fmt: skip
    assert isinstance(data, dict)
    assert data["scheduled"] == "2026-12-01T15:00:00Z"  # sent and echoed as UTC
    assert data["custom_roles"]["Trainer"] == {
        "min_rank": 50,
        "permissions": {
            "change_session_status": False,
            "pass_or_fail_attendees": True,
            "modify_attendance": True,
            "extra": {},
        },
        "slots": {
            "VACANT_0": {"attended": False, "extra": {}},
            "VACANT_1": {"attended": False, "extra": {}},
        },
        "extra": {},
    }
    stored = series_emulator.state.sessions[data["session_id"]]
    assert (stored.title, stored.duration, stored.description) == ("Training", 45, "Bring a mic")
    assert (stored.host, stored.co_host, stored.supervisor) == (HOST, TRAINER, STAFF)
    assert stored.scheduled == datetime(2026, 12, 1, 15, tzinfo=timezone.utc)
    assert stored.claimable is True
    trainer, helper = stored.custom_roles
    assert (trainer.name, trainer.min_rank, len(trainer.slots)) == ("Trainer", 50, 2)
    assert (trainer.pass_or_fail_attendees, trainer.modify_attendance) == (True, True)
    assert not trainer.change_session_status
    assert (helper.name, helper.min_rank, len(helper.slots)) == ("Helper", 0, 3)
    assert helper.change_session_status
    assert routes(series_emulator) == [("POST", "sessions.create", 201)]


def test_sessions_create_relative_time(
    series_emulator: SeriesEmulator, emu_env: dict[str, str]
) -> None:
    before = datetime.now(timezone.utc)
    data = series(
        "sessions", "create", "--title", "Soon", "--scheduled", "+2h", "--duration", "30",
        env=emu_env,
    ).json()  # fmt: skip
    assert isinstance(data, dict)
    stored = series_emulator.state.sessions[data["session_id"]]
    assert before + timedelta(hours=2) <= stored.scheduled
    assert stored.scheduled <= datetime.now(timezone.utc) + timedelta(hours=2)
    assert stored.custom_roles == ()  # no --role: no CustomRoles sent
    assert stored.claimable is False


def test_sessions_get(
    series_emulator: SeriesEmulator, emu_env: dict[str, str], sdk: SeriesClient
) -> None:
    session_id = new_session(sdk)
    data = series("sessions", "get", session_id, env=emu_env).json()
    assert isinstance(data, dict)
    assert list(data) == [
        "session_id", "title", "description", "workspace_id", "host", "co_host", "supervisor",
        "scheduled", "delayed", "status", "claimable", "duration", "min_host_rank",
        "custom_roles", "extra",
    ]  # fmt: skip
    assert data["session_id"] == session_id
    assert data["status"] == "upcoming"  # the enum by value
    assert data["scheduled"] == "2026-12-01T15:00:00Z"
    assert list(data["custom_roles"]) == ["Trainer"]
    assert routes(series_emulator)[-1] == ("GET", "sessions.get", 200)


def test_sessions_list_one_page(
    series_emulator: SeriesEmulator, emu_env: dict[str, str], sdk: SeriesClient
) -> None:
    first, second = new_session(sdk), new_session(sdk)
    series_emulator.set_session_status(second, "completed")
    data = series("sessions", "list", "--status", "upcoming", env=emu_env).json()
    assert isinstance(data, dict)
    assert list(data) == ["page", "sessions", "workspace_id", "extra"]
    assert data["page"] == 1
    assert [s["session_id"] for s in data["sessions"]] == [first]


@pytest.mark.series_emulator(
    config={**copy.deepcopy(dict(DEMO_WORKSPACE)), "workspace": {"name": "Paged", "page_size": 2}}
)
def test_sessions_list_all_streams_json_lines(
    series_emulator: SeriesEmulator, emu_env: dict[str, str], sdk: SeriesClient
) -> None:
    made = [new_session(sdk) for _ in range(5)]
    result = series("sessions", "list", "--all", env=emu_env)
    assert (result.status, result.err) == (0, "")
    lines = result.out.splitlines()
    assert len(lines) == 5
    assert [json.loads(line)["session_id"] for line in lines] == made
    # pages 1-3 hold the sessions, page 4 is the empty one that ends the walk
    assert routes(series_emulator).count(("GET", "sessions.list", 200)) == 4


def test_sessions_update_and_no_roles(
    series_emulator: SeriesEmulator, emu_env: dict[str, str], sdk: SeriesClient
) -> None:
    session_id = new_session(sdk)
    data = series(
        "sessions", "update", session_id, "--title", "Renamed", "--duration", "90",
        "--no-claimable", "--no-roles",
        env=emu_env,
    ).json()  # fmt: skip
    assert isinstance(data, dict)
    assert data["session_id"] == session_id
    stored = series_emulator.state.sessions[session_id]
    assert (stored.title, stored.duration, stored.claimable) == ("Renamed", 90, False)
    assert stored.custom_roles == ()  # CustomRoles: [] removed them all
    assert stored.scheduled == datetime(2026, 12, 1, 15, tzinfo=timezone.utc)  # not sent
    assert routes(series_emulator)[-1] == ("PATCH", "sessions.update", 200)


def test_sessions_claim_quit_remove(
    series_emulator: SeriesEmulator, emu_env: dict[str, str], sdk: SeriesClient
) -> None:
    session_id = new_session(sdk)
    claim = ("sessions", "claim", session_id, "--role", "Trainer")
    claimed = series(*claim, "--user", TRAINER, "--slot", "VACANT_0", env=emu_env).json()
    assert claimed == {
        "session_id": session_id,
        "role_name": "Trainer",
        "user_id": TRAINER,
        "message": claimed["message"],  # type: ignore[index]
        "extra": {},
    }
    assert series_emulator.state.sessions[session_id].role("Trainer").holders() == [TRAINER]  # type: ignore[union-attr]

    quit_ = series(
        "sessions", "quit", session_id, "--user", TRAINER, "--role", "Trainer", env=emu_env
    )
    assert quit_.json()["user_id"] == TRAINER  # type: ignore[index]
    assert series_emulator.state.sessions[session_id].role("Trainer").holders() == []  # type: ignore[union-attr]

    sdk.sessions.claim_custom_role(
        session_id, user_id=HOST, role_name="Trainer", slot_key="VACANT_1"
    )
    removed = series(
        "sessions", "remove", session_id, "--user", HOST, "--role", "Trainer", env=emu_env
    ).json()
    assert removed["user_id"] == HOST  # type: ignore[index]
    assert series_emulator.state.sessions[session_id].role("Trainer").holders() == []  # type: ignore[union-attr]
    assert [r[1] for r in routes(series_emulator)[-4:]] == [
        "sessions.claim_custom_role",
        "sessions.quit_custom_role",
        "sessions.claim_custom_role",  # the set-up claim made through the SDK
        "sessions.remove_custom_role",
    ]


def test_attendance_add_and_update(
    series_emulator: SeriesEmulator, emu_env: dict[str, str], sdk: SeriesClient
) -> None:
    session_id = new_session(sdk)
    added = series(
        "attendance", "add", session_id, "--user", STAFF, "--username", "StaffSky",
        "--display-name", "Sky", "--avatar-url", "https://example.com/a.png",
        "--join", "2026-12-01T15:00:00Z",
        env=emu_env,
    ).json()  # fmt: skip
    assert isinstance(added, dict)
    assert (added["user_id"], added["join_time"], added["leave_time"]) == (
        STAFF,
        "2026-12-01T15:00:00Z",
        None,
    )
    [record] = series_emulator.state.attendees_of(session_id)
    assert (record.username, record.display_name) == ("StaffSky", "Sky")
    assert record.avatar_url == "https://example.com/a.png"

    updated = series(
        "attendance", "update", session_id, "--user", STAFF,
        "--leave", "2026-12-01T16:15:00+00:00",
        env=emu_env,
    ).json()  # fmt: skip
    assert updated["duration_seconds"] == 4500  # type: ignore[index]
    [record] = series_emulator.state.attendees_of(session_id)
    assert record.join_time == datetime(2026, 12, 1, 15, tzinfo=timezone.utc)  # not sent
    assert record.leave_time == datetime(2026, 12, 1, 16, 15, tzinfo=timezone.utc)


def test_ranking_promote_demote_set_rank(
    series_emulator: SeriesEmulator, emu_env: dict[str, str]
) -> None:
    promoted = series("ranking", "promote", STAFF, "--comment", "well done", env=emu_env).json()
    assert promoted == {
        "user_id": STAFF,
        "action": "promote",
        "previous_rank": 20,
        "new_rank": 50,
        "previous_role": "Junior Staff",
        "new_role": "Senior Staff",
        "workspace_id": series_emulator.workspace_id,
        "extra": {},
    }
    demoted = series("ranking", "demote", STAFF, env=emu_env).json()
    assert demoted["new_rank"] == 20  # type: ignore[index]
    set_rank = series("ranking", "set-rank", STAFF, "5", "--comment", "reset", env=emu_env).json()
    assert set_rank["new_rank"] == 5  # type: ignore[index]
    assert series_emulator.state.member_ranks[STAFF] == 5
    history = series_emulator.state.ranking_history
    assert [(h.action, h.comment) for h in history] == [
        ("promote", "well done"),
        ("demote", None),
        ("set-rank", "reset"),
    ]


def test_demo_runs() -> None:
    result = series("demo")
    assert result.status == 0, result.err
    assert "keys.check()" in result.out
    assert result.out.splitlines()[-1].startswith("Done: ")


def test_emulator_serves_until_ctrl_c() -> None:
    proc = subprocess.Popen(
        command("emulator", "--port", "0", "--seed", "5", "--fault-rate", "0"),
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("Series emulator listening on http://127.0.0.1:"), first
        url = first.split()[-1]
        with SeriesClient("sk_test_demo", base_url=url) as client:
            assert client.keys.check().valid is True
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=RUN_TIMEOUT)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 0, err
    assert out.splitlines()[-1] == "Series emulator stopped."
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "env",
    [{"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}],
    ids=["PYTHONIOENCODING=ascii", "LC_ALL=C"],
)
def test_table_output_degrades_on_a_non_utf8_stdout(
    sdk: SeriesClient, emu_env: dict[str, str], env: dict[str, str]
) -> None:
    title = "Café ☕ Ωmega"
    sid = sdk.sessions.create(title=title, scheduled="2026-12-01T15:00:00Z", duration=60).session_id
    env = {**emu_env, **env}
    table = series("--format", "table", "sessions", "get", sid, env=env)
    assert (table.status, table.err) == (0, "")
    assert "title          Caf? ? ?mega" in table.out.splitlines()
    listed = series("--format", "table", "sessions", "list", env=env)
    assert (listed.status, listed.err) == (0, "")
    assert listed.out.splitlines()[-1].endswith("  Caf? ? ?mega")
    streamed = series("--format", "table", "sessions", "list", "--all", env=env)
    assert (streamed.status, streamed.err) == (0, "")
    assert streamed.out.splitlines()[-1].endswith("  Caf? ? ?mega")
    # JSON escapes non-ASCII itself: unchanged, and the title comes back whole.
    assert json.loads(series("sessions", "get", sid, env=env).out)["title"] == title
