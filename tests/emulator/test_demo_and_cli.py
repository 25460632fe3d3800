"""The demo tour and the CLI, run in-process."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from series_async.testing import SeriesEmulator, cli, demo


async def test_demo_walks_every_endpoint_and_handles_one_error() -> None:
    lines: list[str] = []
    await demo.run_demo(lines.append)
    text = "\n".join(lines)
    for call in (
        "keys.check()",
        "sessions.create(",
        "sessions.get(",
        "sessions.list(",
        "sessions.update(",
        "claim_custom_role(",
        "quit_custom_role(",
        "remove_custom_role(",
        "attendance.add_attendee(",
        "attendance.update_attendee(",
        "ranking.promote(",
        "ranking.demote(",
        "ranking.set_rank(",
    ):
        assert call in text, call
    assert "refused, handled: PermissionDeniedError 403" in text
    assert "slots now 2143265871, VACANT_1" in text  # VACANT_0 became the holder's id
    assert "duration 4500 s" in text
    assert "5 Trainee -> 20 Junior Staff" in text
    assert lines[-1].startswith("Done: ")


def test_demo_main_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.main([]) == 0
    assert "Done: " in capsys.readouterr().out


def test_demo_help_prints_usage_and_runs_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def must_not_run(out: object = print) -> None:
        raise AssertionError("--help ran the demo")

    monkeypatch.setattr(demo, "run_demo", must_not_run)
    monkeypatch.setattr("sys.argv", ["/venv/bin/series-demo", "--help"])
    with pytest.raises(SystemExit) as exit_info:
        demo.main()
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: series-demo [-h]\n")
    assert "against the embedded emulator" in out


def test_demo_refuses_unknown_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        demo.main(["--fast"])
    assert exit_info.value.code == 2
    assert "unrecognized arguments: --fast" in capsys.readouterr().err


def test_demo_main_reports_an_unexpected_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from series_async import SeriesError

    async def broken(out: object = print) -> None:
        raise SeriesError("boom")

    monkeypatch.setattr(demo, "run_demo", broken)
    assert demo.main([]) == 1
    assert "demo failed: SeriesError: boom" in capsys.readouterr().err


async def test_cli_serve_prints_and_stops(capsys: pytest.CaptureFixture[str]) -> None:
    emulator = SeriesEmulator(seed=1)
    stop = asyncio.Event()
    task = asyncio.create_task(cli.serve(emulator, 2, stop))
    for _ in range(200):
        if "listening on" in capsys.readouterr().out or emulator._url:
            break
        await asyncio.sleep(0.005)
    async with (
        aiohttp.ClientSession() as session,
        session.get(emulator.url + "/basic/check-key/sk_test_demo") as response,
    ):
        assert response.status == 200
    stop.set()
    await asyncio.wait_for(task, 5)
    with pytest.raises(RuntimeError, match="not running"):
        _ = emulator.url


def test_cli_main_exit_codes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(coro: object) -> None:
        coro.close()  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    monkeypatch.setattr("series_async.testing.cli.asyncio.run", interrupted)
    assert cli.main(["--port", "0", "--fault-rate", "0.1"]) == 0
    assert "Series emulator stopped." in capsys.readouterr().out
    monkeypatch.undo()
    with SeriesEmulator() as busy:
        port = busy.url.rsplit(":", 1)[1]
        assert cli.main(["--port", port]) == 1
    assert "cannot listen on 127.0.0.1:" in capsys.readouterr().err
