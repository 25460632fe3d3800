"""Exit statuses, error lines, Ctrl-C, start-up and the key's secrecy, as a user sees them.

All subprocesses: the point is what a shell gets back (status, stdout, stderr).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from series_async.testing import SeriesEmulator

from .conftest import RUN_TIMEOUT, clean_env, command, series

pytestmark = pytest.mark.timeout(90)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens on it any more


def test_1_api_error_status(series_emulator: SeriesEmulator, emu_env: dict[str, str]) -> None:
    result = series("sessions", "get", "no-such-session", env=emu_env)
    assert result.status == 1
    assert result.out == ""
    assert result.err == "series: NotFoundError 404: Session not found\n"


def test_2_no_key_nothing_sent(series_emulator: SeriesEmulator) -> None:
    result = series("--base-url", series_emulator.url, "keys", "check")
    assert (result.status, result.out) == (2, "")
    assert result.err == (
        "series: UsageError: no API key: pass --api-key-file PATH or set SERIES_API_KEY\n"
    )
    assert series_emulator.state.requests == ()


def test_2_unreadable_key_file(series_emulator: SeriesEmulator, tmp_path: Path) -> None:
    missing = tmp_path / "nope.key"
    result = series(
        "--base-url", series_emulator.url, "--api-key-file", str(missing), "keys", "check"
    )
    assert (result.status, result.out) == (2, "")
    assert result.err == (
        f"series: UsageError: --api-key-file: cannot read {str(missing)!r}: "
        "No such file or directory\n"
    )
    assert series_emulator.state.requests == ()


def test_2_api_key_option_refused_without_echo(series_emulator: SeriesEmulator) -> None:
    key = series_emulator.api_key
    result = series("--base-url", series_emulator.url, "--api-key", key, "keys", "check")
    assert (result.status, result.out) == (2, "")
    assert result.err.startswith("series: UsageError: --api-key: there is no option")
    assert key not in result.err
    assert series_emulator.state.requests == ()


def test_3_unreachable() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    result = series(
        "--base-url", url, "--max-retries", "0", "ranking", "promote", "1",
        env={"SERIES_API_KEY": "sk_test_unreachable_1234"},
    )  # fmt: skip
    assert (result.status, result.out) == (3, "")
    assert result.err.startswith("series: APIConnectionError: ")
    assert len(result.err.splitlines()) == 1


def test_4_unexpected_response(series_emulator: SeriesEmulator, emu_env: dict[str, str]) -> None:
    series_emulator.inject("non_json_body", routes="keys.check")
    result = series("--max-retries", "0", "keys", "check", env=emu_env)
    assert (result.status, result.out) == (4, "")
    assert result.err.startswith("series: UnexpectedResponseError 200: ")
    assert len(result.err.splitlines()) == 1


def test_130_ctrl_c_cancels_the_request() -> None:
    """Ctrl-C while the API is slow: exit 130, one line, the request is abandoned."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(RUN_TIMEOUT)
        port = server.getsockname()[1]
        proc = subprocess.Popen(
            command("--base-url", f"http://127.0.0.1:{port}", "sessions", "get", "slow"),
            env=clean_env({"SERIES_API_KEY": "sk_test_ctrl_c_123456"}),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            conn, _ = server.accept()
            with conn:
                conn.settimeout(RUN_TIMEOUT)
                request = b""
                while b"\r\n\r\n" not in request:
                    request += conn.recv(4096)
                assert request.startswith(b"GET /sessions/get/slow HTTP/1.1\r\n")
                proc.send_signal(signal.SIGINT)  # the request is in flight, unanswered
                out, err = proc.communicate(timeout=RUN_TIMEOUT)
                assert conn.recv(4096) == b""  # the client closed the connection
        finally:
            proc.kill()
            proc.wait()
    assert (proc.returncode, out) == (130, "")
    assert err == "series: KeyboardInterrupt: interrupted\n"


def test_key_never_printed_at_vv_with_retries(
    series_emulator: SeriesEmulator, tmp_path: Path
) -> None:
    key = series_emulator.api_key
    key_file = tmp_path / "series.key"
    key_file.write_text(f"  {key}\n")  # stripped
    # keys.check carries the key in its URL path: the riskiest call to log.
    series_emulator.inject("rate_limit", routes="keys.check", times=2, retry_after=0)
    base = ("--base-url", series_emulator.url, "--api-key-file", str(key_file), "-vv")
    result = series(*base, "keys", "check")
    assert result.status == 0, result.err
    assert result.err.count("Retrying GET /basic/check-key/{apiKey} after 429") == 2
    assert "DEBUG series: GET" in result.err
    # and on an error exit, through the header-authenticated path
    series_emulator.inject("rate_limit", routes="ranking.promote", times=1, retry_after=0)
    failed = series(*base, "ranking", "promote", "999")
    assert failed.status == 1
    assert "Retrying POST /ranking/promote/{userId} after 429" in failed.err
    assert failed.err.splitlines()[-1].startswith("series: NotFoundError 404: ")
    for text in (result.out, result.err, failed.out, failed.err):
        assert key not in text


def test_help_lists_every_group_without_loading_the_sdk() -> None:
    probe = (
        "import sys\n"
        "from series_sync._cli import main\n"
        "status = main(['--help'])\n"
        "loaded = sorted(m for m in ('aiohttp', 'series_async', 'attrs') if m in sys.modules)\n"
        "print('LOADED', status, loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", "-c", probe],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "LOADED 0 []"
    for group in ("keys", "sessions", "attendance", "ranking", "emulator", "demo"):
        assert f"\n    {group} " in done.stdout, group


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("series")
    if not script.exists():  # pragma: no cover - e.g. an interpreter outside the venv
        pytest.skip("no 'series' script beside this interpreter")
    done = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False
    )
    from series_sync import __version__

    assert (done.returncode, done.stdout, done.stderr) == (0, f"series {__version__}\n", "")
