"""``series``: parse, find the key, run one command, print, map errors to exit statuses.

Exit statuses (design §7): 0 success; 1 the API answered with an error status
(after retries); 2 bad usage, a ``ValidationError`` or no key (nothing sent);
3 the API could not be reached or timed out; 4 any other ``SeriesError``;
130 Ctrl-C. An error is one line on stderr,
``series: <ErrorClass>[ <status>]: <message>``, and nothing on stdout.

The SDK is imported only after the command line parsed, so ``--help`` and
usage errors never pay for aiohttp's import.
"""

from __future__ import annotations

import os
import re
import sys

from ._escape import shown
from ._parser import GLOBAL_AFTER, PROG, UsageError, build_parser

# Neither typing nor logging is imported at run time before a command runs:
# together they would add ~15 ms to every --help.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence
    from typing import TextIO

    from series_sync import SeriesClient, SeriesError

__all__ = ["main"]

EXIT_OK = 0
EXIT_API_STATUS = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_OTHER = 4
EXIT_INTERRUPTED = 130

# Shorter strings are not scrubbed from output: replacing them would garble it.
_MIN_SCRUB = 4
_ROLE_FIELD = re.compile(r"custom_roles\[(\d+)\]\.?(.*)")
# SDK argument names whose command-line spelling is not simply --the-same-name.
_OPTION_OF = {
    "session_id": "SESSION_ID",
    "target_user_id": "--user",
    "role_name": "--role",
    "slot_key": "--slot",
    "join_time": "--join",
    "leave_time": "--leave",
    "custom_roles": "--role",
    "rank": "RANK",
    "api_key": "the API key",
    # rules about a call as a whole name the method
    "update": "sessions update",
    "update_attendee": "attendance update",
}
_TIME_WORDS = re.compile(r"\b(join|leave)_time\b")


class _Scrubber:
    """Removes the API key from any text that is about to be printed (a second guard)."""

    def __init__(self, key: str | None = None) -> None:
        self.key = key if key and len(key) >= _MIN_SCRUB else None

    def __call__(self, text: str) -> str:
        return text.replace(self.key, "<redacted>") if self.key else text


def _say(err: TextIO, scrub: _Scrubber, kind: str, message: str, status: int | None = None) -> None:
    """Write the one error line: ``series: <ErrorClass>[ <status>]: <message>``."""
    where = f" {status}" if status is not None else ""
    # Scrubbed before escaping (which could split the key) and after (belt and braces);
    # escaped, so that what a server wrote is shown, never obeyed, and stays one line.
    one_line = shown(scrub(message.strip()))
    err.write(scrub(f"{PROG}: {kind}{where}: {one_line}") + "\n")
    err.flush()


def _read_key(path: str | None) -> str:
    """Return the key from ``path`` (stripped) or ``$SERIES_API_KEY``.

    Raises:
        UsageError: No key, or the file cannot be read or is empty. The
            message never quotes the file's content.
    """
    if path is not None:
        try:
            with open(path, encoding="utf-8") as file:
                key = file.read().strip()
        except UnicodeDecodeError:
            raise UsageError(f"--api-key-file: {path!r} is not UTF-8 text") from None
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise UsageError(f"--api-key-file: cannot read {path!r}: {reason}") from None
        if not key:
            raise UsageError(f"--api-key-file: {path!r} is empty")
        return key
    key = os.environ.get("SERIES_API_KEY", "").strip()
    if not key:
        raise UsageError("no API key: pass --api-key-file PATH or set SERIES_API_KEY")
    return key


def _configure_logging(verbosity: int, scrub: _Scrubber, err: TextIO) -> Callable[[], None]:
    """``-v``: the SDK's retries (INFO); ``-vv``: its DEBUG lines. Only the ``series`` logger.

    Other libraries' loggers stay off: aiohttp's could quote a URL, and
    ``keys check`` carries the key in its path.

    Returns:
        A function that undoes the set-up (``main`` may run more than once in a process).
    """
    if verbosity <= 0:
        return lambda: None
    import logging

    class ScrubbingFormatter(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return scrub(super().format(record))

    handler = logging.StreamHandler(err)
    handler.setFormatter(ScrubbingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("series")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbosity == 1 else logging.DEBUG)

    def undo() -> None:
        logger.removeHandler(handler)
        logger.setLevel(level)

    return undo


def _merge_globals(args: argparse.Namespace) -> argparse.Namespace:
    """Fold global options given after ``GROUP COMMAND`` into the ones given before.

    The later one wins; ``-v`` counts add up (design §7).
    """
    for name in GLOBAL_AFTER:
        after = "after_" + name
        if hasattr(args, after):
            value = getattr(args, after)
            delattr(args, after)
            setattr(args, name, args.verbose + value if name == "verbose" else value)
    return args


def _http_refused(message: str) -> str:
    """The SDK's refusal of ``http://``, with advice a shell user can follow."""
    head = message.split(". Use https://", 1)[0]
    return (
        f"{head}; use an https:// URL, or http:// only to a loopback emulator "
        "(127.0.0.1, ::1 or localhost, e.g. from 'series emulator')"
    )


def _option(field: str, args: argparse.Namespace) -> str:
    role = _ROLE_FIELD.fullmatch(field)
    if role:
        index, rest = role.groups()
        return f"--role #{int(index) + 1}" + (f" {rest.replace('_', '-')}" if rest else "")
    if field == "user_id":
        return "USER_ID" if args.group == "ranking" else "--user"
    return _OPTION_OF.get(field, "--" + field.replace("_", "-"))


def _describe(exc: SeriesError, args: argparse.Namespace) -> tuple[int, str, str, int | None]:
    """Map an SDK error to (exit status, class name, message, HTTP status or None)."""
    from series_sync import APIConnectionError, APIStatusError, ValidationError

    kind = type(exc).__name__
    status = getattr(exc, "status", None)
    if isinstance(exc, ValidationError):
        message = exc.message
        if message.startswith(exc.field + ": "):
            rule = _TIME_WORDS.sub(r"--\1", message[len(exc.field) + 2 :])
            if exc.field == "base_url" and "allow_insecure_http" in rule:
                rule = _http_refused(rule)
            message = f"{_option(exc.field, args)}: {rule}"
        return EXIT_USAGE, kind, message, None
    if isinstance(exc, APIStatusError):
        return EXIT_API_STATUS, kind, exc.message, exc.status
    if isinstance(exc, APIConnectionError):
        return EXIT_UNREACHABLE, kind, exc.message, None
    return EXIT_OTHER, kind, exc.message, status if isinstance(status, int) else None


def _print(result: object, args: argparse.Namespace, out: TextIO) -> None:
    from . import _output as output
    from ._commands import Echo, Stream

    table = args.format == "table"
    header = [name.upper() for name in output.SESSION_COLUMNS]
    if isinstance(result, Stream):
        if table:  # sized to what it prints, so written once every page has arrived
            output.write_table(out, header, [output.session_row(s) for s in result.sessions])
            return
        for session in result.sessions:
            out.write(output.dump_json(session, lines=True) + "\n")
            out.flush()  # a reader (jq, a pipe) gets each session as its page arrives
        return
    if isinstance(result, Echo):
        result = output.echo(result.model)
    if not table:
        out.write(output.dump_json(result) + "\n")
        return
    sessions = getattr(result, "sessions", None)
    if isinstance(sessions, list):  # a SessionPage
        workspace, page = getattr(result, "workspace_id", None), getattr(result, "page", None)
        out.write(shown(f"workspace {workspace}, page {page}") + "\n")
        output.write_table(out, header, (output.session_row(s) for s in sessions))
    else:
        output.write_record(out, result)


def _lenient(out: TextIO) -> Callable[[], None] | None:
    """Let ``out`` print ``?`` for what its encoding cannot hold; return the undo.

    A table holds titles as they are, and a stdout that is not UTF-8 (``LANG=C``,
    ``PYTHONIOENCODING=ascii``, an old Windows console) would raise
    ``UnicodeEncodeError`` half-way through it. JSON needs none of this: it is
    written as ASCII. Undone afterwards, since ``main`` can run inside a program.
    """
    errors = getattr(out, "errors", None)
    reconfigure = getattr(out, "reconfigure", None)
    # The C locale gives "surrogateescape", which fails on any non-ASCII text too.
    if errors not in ("strict", "surrogateescape") or reconfigure is None:
        return None  # already lenient (backslashreplace...), or not a TextIOWrapper
    reconfigure(errors="replace")
    return lambda: reconfigure(errors=errors)


def _client(args: argparse.Namespace, key: str) -> SeriesClient:
    from series_sync import SeriesClient, Timeout

    return SeriesClient(
        key,
        base_url=args.base_url,
        timeout=Timeout() if args.timeout is None else args.timeout,
        max_retries=2 if args.max_retries is None else args.max_retries,
        user_agent="series-cli",
    )


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    scrub = _Scrubber()
    try:
        key = _read_key(args.api_key_file)
    except UsageError as exc:
        _say(err, scrub, "UsageError", str(exc))
        return EXIT_USAGE
    scrub = _Scrubber(key)
    undo_logging = _configure_logging(args.verbose, scrub, err)
    from series_sync import SeriesError

    from ._commands import COMMANDS

    try:
        with _client(args, key) as client:
            result = COMMANDS[args.group, args.command](client, args)
            undo_lenient = _lenient(out) if args.format == "table" else None
            try:
                _print(result, args, out)
                out.flush()
            finally:
                if undo_lenient is not None:
                    undo_lenient()
    except SeriesError as exc:
        code, kind, message, status = _describe(exc, args)
        _say(err, scrub, kind, message, status)
        return code
    finally:
        undo_logging()
    return EXIT_OK


def _stdout_gone() -> None:
    # The reader went away (`series sessions list --all | head -1`): point stdout
    # at /dev/null so the interpreter's final flush does not complain.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``series`` command line; return the exit status.

    Args:
        argv: The arguments after the program name (default: ``sys.argv[1:]``).
    """
    out, err = sys.stdout, sys.stderr
    try:
        parser = build_parser(argv)
        try:
            args = _merge_globals(parser.parse_args(argv))
        except UsageError as exc:
            _say(err, _Scrubber(), "UsageError", str(exc))
            return EXIT_USAGE
        except SystemExit as exc:  # --help, --version
            return exc.code if isinstance(exc.code, int) else EXIT_OK
        if args.group == "emulator":
            from series_async.testing import cli

            try:
                return cli.main(args.emulator_args, prog=f"{PROG} emulator")
            except SystemExit as exc:  # its own --help or usage error
                return exc.code if isinstance(exc.code, int) else EXIT_OK
        if args.group == "demo":
            from series_async.testing import demo

            return demo.main([])
        return _run(args, out, err)
    except KeyboardInterrupt:
        _say(err, _Scrubber(), "KeyboardInterrupt", "interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _stdout_gone()
        return EXIT_OK
