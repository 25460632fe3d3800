"""Running the emulator: async with, start/stop on a thread, the pytest plugin, the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import aiohttp
import pytest

from series_async.testing import SeriesEmulator
from series_async.testing.cli import parse_fault


def _get(url: str, key: str) -> dict[str, object]:
    request = urllib.request.Request(url, headers={"apikey": key})
    with urllib.request.urlopen(request, timeout=5) as response:
        body = json.loads(response.read())
    assert isinstance(body, dict)
    return body


def test_start_stop_from_sync_code_serves_on_its_own_thread() -> None:
    emulator = SeriesEmulator()
    with pytest.raises(RuntimeError, match="not running"):
        _ = emulator.url
    assert emulator.start() is emulator
    try:
        assert emulator.url.startswith("http://127.0.0.1:")
        body = _get(emulator.url + "/sessions/list", emulator.api_key)
        assert body["success"] is True
        with pytest.raises(RuntimeError, match="already running"):
            emulator.start()
    finally:
        emulator.stop()
    emulator.stop()  # idempotent
    with pytest.raises(RuntimeError, match="not running"):
        _ = emulator.url


def test_with_statement_and_restart() -> None:
    emulator = SeriesEmulator()
    with emulator:
        first = emulator.url
        assert _get(first + "/sessions/list", emulator.api_key)["success"] is True
    with emulator:  # a stopped emulator can serve again, state kept
        assert _get(emulator.url + "/sessions/list", emulator.api_key)["success"] is True
    assert len(emulator.state.requests) == 2


def test_port_in_use_raises_oserror_from_start() -> None:
    with SeriesEmulator() as first:
        port = int(first.url.rsplit(":", 1)[1])
        with pytest.raises(OSError, match="in use"):
            SeriesEmulator(port=port).start()


async def test_async_with_serves_on_the_running_loop() -> None:
    async with SeriesEmulator() as emulator, aiohttp.ClientSession() as session:
        async with session.get(
            emulator.url + "/sessions/list", headers={"apikey": emulator.api_key}
        ) as response:
            assert response.status == 200
        assert "127.0.0.1" in repr(emulator)
    assert "not running" in repr(emulator)


def test_fixture_is_fresh_per_test_part_one(series_emulator: SeriesEmulator) -> None:
    assert series_emulator.state.requests == ()
    _get(series_emulator.url + "/sessions/list", series_emulator.api_key)
    assert len(series_emulator.state.requests) == 1


def test_fixture_is_fresh_per_test_part_two(series_emulator: SeriesEmulator) -> None:
    assert series_emulator.state.requests == ()


@pytest.mark.timeout(60)
def test_plugin_as_users_load_it(tmp_path: Path) -> None:
    (tmp_path / "ws.toml").write_text(
        '[workspace]\ntier = "free"\n[[api_keys]]\nkey = "sk_mine"\n', encoding="utf-8"
    )
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent(
            """
            import json, urllib.request
            import pytest

            @pytest.fixture
            def series_emulator_config():
                return "ws.toml"

            def test_config_override(series_emulator):
                assert series_emulator.api_key == "sk_mine"
                assert series_emulator.config.workspace.tier == "free"

            @pytest.mark.series_emulator(config=None, seed=1)
            async def test_marker_wins(series_emulator):
                assert series_emulator.api_key == "sk_test_demo"
                request = urllib.request.Request(
                    series_emulator.url + "/sessions/list",
                    headers={"apikey": series_emulator.api_key},
                )
                with urllib.request.urlopen(request, timeout=5) as response:
                    assert json.loads(response.read())["success"] is True

            @pytest.mark.series_emulator("positional")
            def test_bad_marker(series_emulator):
                pass
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
        "filterwarnings = error\n",
        encoding="utf-8",
    )
    command = _pytest_command("test_user.py")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    result = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=50, env=env, check=False
    )
    assert "2 passed, 1 error" in result.stdout, result.stdout + result.stderr
    assert "takes keyword arguments config, faults, seed, real_waits only" in result.stdout


@pytest.mark.timeout(60)
def test_plugin_skips_retry_waits_unless_real_waits_is_asked(tmp_path: Path) -> None:
    (tmp_path / "test_waits.py").write_text(
        textwrap.dedent(
            """
            import asyncio
            import pytest
            from series_async import RateLimitError, SeriesClient
            from series_async.testing import FaultPlan, FaultRule

            LIMITED = FaultPlan(rules=[FaultRule(kind="rate_limit", retry_after=30)])

            @pytest.mark.series_emulator(faults=LIMITED)
            async def test_fast(series_emulator):
                async with SeriesClient(
                    series_emulator.api_key, base_url=series_emulator.url
                ) as client:
                    with pytest.raises(RateLimitError) as info:
                        await client.keys.check()  # three attempts, no 30 s waits
                assert info.value.retry_after == 30
                assert len(series_emulator.state.requests) == 3

            @pytest.mark.series_emulator(faults=LIMITED, real_waits=True)
            async def test_real(series_emulator):
                async with SeriesClient(
                    series_emulator.api_key, base_url=series_emulator.url
                ) as client:
                    call = asyncio.create_task(client.keys.check())
                    done, _ = await asyncio.wait({call}, timeout=0.5)
                    assert not done  # really waiting the 30 s
                    call.cancel()
                assert len(series_emulator.state.requests) == 1

            @pytest.mark.series_emulator(real_waits="yes")
            def test_bad_marker(series_emulator):
                pass
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
        "filterwarnings = error\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    result = subprocess.run(
        _pytest_command("test_waits.py"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=50,
        env=env,
        check=False,
    )
    assert "2 passed, 1 error" in result.stdout, result.stdout + result.stderr
    assert "real_waits=...) takes True or False" in result.stdout


def _pytest_command(*args: str) -> list[str]:
    import importlib.metadata

    # -o addopts= : run like a user's project, not with this repository's settings.
    command = [sys.executable, "-m", "pytest", "-q", "-o", "addopts=", "-p", "no:cacheprovider"]
    command += args
    names = {ep.name for ep in importlib.metadata.entry_points(group="pytest11")}
    if "series_emulator" not in names:  # a bare checkout: load the plugin by hand
        command += ["-p", "series_async.testing.pytest_plugin"]
    return command


@pytest.mark.timeout(60)
def test_the_documented_example_tests_pass() -> None:
    root = Path(__file__).parents[2]
    result = subprocess.run(
        _pytest_command("examples/emulator_bot_test.py"),
        cwd=root,
        capture_output=True,
        text=True,
        timeout=50,
        env={**os.environ, "PYTHONPATH": str(root)},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


@pytest.mark.timeout(30)
def test_cli_prints_url_and_key_and_stops_on_ctrl_c() -> None:
    command = [sys.executable, "-m", "series_async.testing.cli", "--port", "0", "--seed", "1"]
    command += ["--fault", "http_503:0.5@sessions.get", "--fault-rate", "0.1"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Series emulator listening on http://127.0.0.1:")
        url = first.split()[-1]
        lines = [process.stdout.readline() for _ in range(4)]
        assert any("API key:   sk_test_demo" in line for line in lines)
        check = urllib.request.urlopen(url + "/basic/check-key/sk_test_demo", timeout=5)
        assert check.status in (200, 429, 500, 502, 503)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Series emulator stopped." in out
    assert "Traceback" not in err


def test_cli_refuses_bad_arguments(tmp_path: Path) -> None:
    from series_async.testing.cli import main

    bad = tmp_path / "bad.json"
    bad.write_text('{"workspace": {"tier": "gold"}}', encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["--config", str(bad)])
    assert info.value.code == 2
    with pytest.raises(SystemExit):
        main(["--fault", "explode"])


def test_parse_fault_spec() -> None:
    rule = parse_fault("drop_after:0.25@ranking.promote,ranking.demote", retry_after=3)
    assert rule.kind.value == "drop_after"
    assert rule.probability == 0.25
    assert rule.routes == {"ranking.promote", "ranking.demote"}
    assert rule.retry_after == 3
    assert parse_fault("http_500").probability == 1.0
