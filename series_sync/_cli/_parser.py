"""The argparse tree of the ``series`` command (design §7), and nothing else.

Standard library only, so ``series --help`` costs an interpreter start-up plus
argparse, not aiohttp. Every parser is built with ``allow_abbrev=False``:
with prefix matching on, ``--api-key KEY`` would silently be read as
``--api-key-file KEY``. Errors raise :class:`UsageError` instead of printing
argparse's two-line usage message: the command prints one line and exits 2.
"""

from __future__ import annotations

import argparse
import re
import sys

from . import _convert as convert

# typing costs milliseconds of start-up that --help should not pay.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, NoReturn

__all__ = ["GLOBAL_AFTER", "GROUPS", "UsageError", "build_parser"]

PROG = "series"

#: Every group and its commands, in the order ``--help`` lists them.
GROUPS: dict[str, tuple[str, ...]] = {
    "keys": ("check",),
    "sessions": ("create", "get", "list", "update", "claim", "quit", "remove"),
    "attendance": ("add", "update"),
    "ranking": ("promote", "demote", "set-rank"),
    "emulator": (),
    "demo": (),
}

_NO_KEY_OPTION = (
    "there is no option that takes the API key (argv shows in ps and in shell history): "
    "put the key in a file and pass --api-key-file PATH, or set SERIES_API_KEY"
)


#: Global options also accepted after ``GROUP COMMAND``, stored as ``after_<name>``.
GLOBAL_AFTER = ("base_url", "api_key_file", "timeout", "max_retries", "format", "verbose")

_CHOICE = re.compile(r"invalid choice: '([^']*)'")
_WHICH = re.compile(r"argument (?:GROUP|COMMAND): invalid choice: '([^']{1,40})'")
_WORD = re.compile(r"[A-Za-z][A-Za-z-]{0,24}")


class UsageError(Exception):
    """The command line is wrong; ``str()`` is the one-line explanation."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises :class:`UsageError` instead of exiting."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False  # subparsers come through here too
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        # The hint never quotes the word typed, so it may be looked at before hiding it.
        which = _WHICH.match(message)
        close = self._closest(which.group(1)) if which else None
        hint = f"; did you mean '{close}'?" if close else ""
        prefix = "unrecognized arguments: "
        if message.startswith(prefix):
            # Echo option names only: a stray value may be a key pasted in the wrong place.
            words = message[len(prefix) :].split()
            options = [w.split("=", 1)[0] for w in words if w.startswith("-")]
            others = len(words) - len(options)
            shown = options + ([f"{others} other argument(s), not shown"] if others else [])
            message = prefix + ", ".join(shown)
        # "invalid choice: 'sk_live_...'" after a typo such as --api-k KEY: quote only
        # what looks like a command word.
        message = _CHOICE.sub(
            lambda m: m.group(0) if _WORD.fullmatch(m.group(1)) else "invalid choice (not shown)",
            message,
        )
        raise UsageError(f"{message}{hint} (see '{self.prog} --help')")

    def _closest(self, word: str) -> str | None:
        """The group or command of this parser closest to the mistyped ``word``, if any."""
        import difflib  # only on this error path: it costs start-up time

        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                names = list(action.choices)
                close = difflib.get_close_matches(word.lower(), names, n=1, cutoff=0.6)
                return close[0] if close else None
        return None


class _RefuseKey(argparse.Action):
    """``--api-key``: refused, without ever echoing the value it was given."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        raise UsageError(f"--api-key: {_NO_KEY_OPTION}")


def _refuse_key_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api-key", nargs="?", action=_RefuseKey, help=argparse.SUPPRESS)


def _globals(parser: argparse.ArgumentParser, *, after: bool) -> None:
    """The global options; ``after``: their copies for after ``GROUP COMMAND``.

    The copies store into ``after_<name>`` and only when given (``SUPPRESS``), so
    ``_main`` can let the later one win and add up ``-v`` counts.
    """
    target = parser.add_argument_group("global options") if after else parser

    def option(*flags: str, **kwargs: Any) -> None:
        if after:
            dest = kwargs.pop("dest", flags[-1].lstrip("-").replace("-", "_"))
            kwargs.update(dest=f"after_{dest}", default=argparse.SUPPRESS)
        target.add_argument(*flags, **kwargs)

    option("--base-url", metavar="URL", help="API root (default: $SERIES_BASE_URL or the real API)")
    option("--api-key-file", metavar="PATH", help="file holding the API key (else $SERIES_API_KEY)")
    option("--timeout", type=convert.positive_float, metavar="SECONDS", help="per attempt")
    option("--max-retries", type=convert.non_negative_int, metavar="N", help="retries (default 2)")
    option("--format", choices=("json", "table"), default="json")
    option("-v", "--verbose", action="count", default=0, help="-v retries, -vv debug logs (stderr)")


def _command(
    sub: argparse._SubParsersAction[_Parser], name: str, help_text: str
) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_text, description=help_text)
    _refuse_key_option(parser)
    return parser


def _globals_after_command(root: argparse._SubParsersAction[_Parser], words: set[str]) -> None:
    """Let the commands named in ``words`` take the global options too.

    Only those: adding them to all 13 commands would cost every ``series --help``
    some milliseconds. A word that is really a value only adds them to one more parser.
    """
    for group_name, group in root.choices.items():
        if group_name not in words:
            continue
        for action in group._actions:
            if isinstance(action, argparse._SubParsersAction):
                for command_name, command in action.choices.items():
                    if command_name in words:
                        _globals(command, after=True)


def _group(
    root: argparse._SubParsersAction[_Parser], name: str, help_text: str
) -> argparse._SubParsersAction[_Parser]:
    parser = root.add_parser(name, help=help_text, description=help_text)
    _refuse_key_option(parser)
    return parser.add_subparsers(dest="command", metavar="COMMAND", required=True)


def _roles(parser: argparse.ArgumentParser, *, with_no_roles: bool) -> None:
    target = parser.add_mutually_exclusive_group() if with_no_roles else parser
    target.add_argument(
        "--role",
        dest="roles",
        action="append",
        type=convert.role_spec,
        metavar="SPEC",
        help="a custom role, repeatable: name=Trainer,slots=2,min-rank=50 plus any of the "
        f"flags {', '.join(convert.ROLE_FLAGS)}",
    )
    if with_no_roles:
        target.add_argument(
            "--no-roles", action="store_true", help="remove every custom role (CustomRoles: [])"
        )


def _session_fields(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument("--title", required=required, metavar="T", help="session title")
    parser.add_argument(
        "--scheduled",
        required=required,
        type=convert.when,
        metavar="WHEN",
        help="start: ISO 8601 with offset or Z, or +30m, +2h, +7d",
    )
    parser.add_argument(
        "--duration",
        required=required,
        type=convert.minutes,
        metavar="MINUTES",
        help="length in minutes (>= 1)",
    )
    parser.add_argument("--description", metavar="D", help="free text")
    parser.add_argument("--host", metavar="ID", help="host's Roblox user id")
    parser.add_argument("--co-host", metavar="ID", help="co-host's Roblox user id")
    parser.add_argument("--supervisor", metavar="ID", help="supervisor's Roblox user id")
    parser.add_argument(
        "--claimable",
        action=argparse.BooleanOptionalAction,
        help="whether members may claim custom-role slots",
    )


def _sessions(root: argparse._SubParsersAction[_Parser]) -> None:
    sub = _group(root, "sessions", "create, read, change sessions and their custom roles")
    create = _command(sub, "create", "schedule a new session")
    _session_fields(create, required=True)
    _roles(create, with_no_roles=False)

    get = _command(sub, "get", "fetch one session")
    get.add_argument("session_id", metavar="SESSION_ID")

    listing = _command(sub, "list", "list sessions: one page, or every page as JSON Lines")
    which = listing.add_mutually_exclusive_group()
    # default None, not 1: argparse spots "--page 1 --all" only when the value is not the default.
    which.add_argument("--page", type=convert.positive_int, metavar="N", help="page (default 1)")
    which.add_argument(
        "--all", action="store_true", help="every page, one session per line as they arrive"
    )
    listing.add_argument(
        "--status",
        choices=("upcoming", "ongoing", "completed", "cancelled"),
        metavar="S",
        help="upcoming, ongoing, completed or cancelled",
    )
    listing.add_argument("--date", type=convert.day, metavar="DAY", help="one day, YYYY-MM-DD")
    listing.add_argument("--start", type=convert.day, metavar="DAY", help="first day (with --end)")
    listing.add_argument("--end", type=convert.day, metavar="DAY", help="last day (with --start)")
    listing.add_argument("--host", metavar="ID", help="only sessions hosted by this user id")

    update = _command(sub, "update", "change some fields of a session")
    update.add_argument("session_id", metavar="SESSION_ID")
    _session_fields(update, required=False)
    _roles(update, with_no_roles=True)

    for name, help_text, user_help in (
        ("claim", "put a member into a vacant custom-role slot", "the claiming member"),
        ("quit", "give up a custom role the member holds", "the member"),
        ("remove", "take a member out of a custom role (admin)", "the member to remove"),
    ):
        parser = _command(sub, name, help_text)
        parser.add_argument("session_id", metavar="SESSION_ID")
        parser.add_argument("--user", required=True, metavar="ID", help=user_help)
        parser.add_argument("--role", required=True, metavar="NAME", help="the custom role")
        if name == "claim":
            parser.add_argument("--slot", required=True, metavar="KEY", help="e.g. VACANT_0")


def _attendance(root: argparse._SubParsersAction[_Parser]) -> None:
    sub = _group(root, "attendance", "add attendees and correct their times")
    add = _command(sub, "add", "add a player to a session's attendance")
    update = _command(sub, "update", "change an attendee's join and/or leave time")
    for parser in (add, update):
        parser.add_argument("session_id", metavar="SESSION_ID")
        parser.add_argument("--user", required=True, metavar="ID", help="Roblox user id")
    add.add_argument("--username", metavar="U")
    add.add_argument("--display-name", metavar="N")
    add.add_argument("--avatar-url", metavar="URL")
    for parser in (add, update):
        parser.add_argument("--join", type=convert.when, metavar="WHEN", help="join time")
        parser.add_argument("--leave", type=convert.when, metavar="WHEN", help="leave time")


def _ranking(root: argparse._SubParsersAction[_Parser]) -> None:
    sub = _group(root, "ranking", "promote, demote or set the group rank of a member")
    for name, help_text in (
        ("promote", "move a member one rank up"),
        ("demote", "move a member one rank down"),
        ("set-rank", "put a member at a given rank"),
    ):
        parser = _command(sub, name, help_text)
        parser.add_argument("user_id", metavar="USER_ID")
        if name == "set-rank":
            parser.add_argument("rank", type=convert.non_negative_int, metavar="RANK")
        parser.add_argument("--comment", metavar="C", help="note kept with the change")


class _Version(argparse.Action):
    """``--version``: the SDK is imported only when asked (it costs aiohttp's import)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        from series_sync import __version__

        sys.stdout.write(f"{PROG} {__version__}\n")  # like argparse's own version action
        parser.exit()


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Build the whole command-line parser, for ``argv`` (default: ``sys.argv[1:]``).

    ``argv`` only decides which commands also accept the global options after them.
    """
    parser = _Parser(
        prog=PROG,
        description="The Series API from the shell: every endpoint, JSON on stdout.",
        epilog="Exit status: 0 success, 1 API error status, 2 bad usage or no key, "
        "3 API unreachable or timed out, 4 unexpected response, 130 Ctrl-C. "
        "The key comes from --api-key-file or $SERIES_API_KEY.",
    )
    _globals(parser, after=False)
    parser.add_argument("--version", action=_Version)
    _refuse_key_option(parser)
    root = parser.add_subparsers(dest="group", metavar="GROUP", required=True)

    keys = _group(root, "keys", "check the API key")
    _command(keys, "check", "check the API key: validity, workspace, rate limit")
    _sessions(root)
    _attendance(root)
    _ranking(root)
    # The emulator's own parser (series_async.testing.cli) reads these arguments:
    # with no '-' among its prefix characters, this one hands every word over untouched.
    emulator = root.add_parser(
        "emulator",
        help="serve the local emulator (the series-emulator options; see 'series emulator --help')",
        add_help=False,
        prefix_chars="\0",
    )
    emulator.add_argument("emulator_args", nargs="*")
    root.add_parser("demo", help="a guided tour of every endpoint against the emulator")
    _globals_after_command(root, set(sys.argv[1:] if argv is None else argv))
    return parser
