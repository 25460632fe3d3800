"""What the ``series`` command prints: JSON documents, JSON Lines, or tables for people.

JSON (design §7): the model as an object whose keys are its attribute names,
datetimes in ISO 8601 UTC with ``Z``, enums by value, dicts (``custom_roles``)
as objects. Tables are for people and are not a stable interface.

Server text is shown, never obeyed: tables write terminal controls as their
``repr`` escapes (:func:`shown`), JSON as ``\\uXXXX`` escapes of the same value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TextIO

from ._escape import shown

__all__ = [
    "SESSION_COLUMNS",
    "dump_json",
    "echo",
    "plain",
    "session_row",
    "write_record",
    "write_table",
]

#: Columns of a session in table form.
SESSION_COLUMNS = ("session_id", "status", "scheduled", "duration", "host", "title")

# ensure_ascii escapes every character outside " "-"~" as \uXXXX, but five C0
# controls in short form (\n...): those become \uXXXX too.
_JSON_ESCAPE = re.compile(r"\\(.)")
_SHORT = {"b": "\\u0008", "t": "\\u0009", "n": "\\u000a", "f": "\\u000c", "r": "\\u000d"}


def plain(value: object) -> object:
    """Return ``value`` as JSON-ready data: a model's own ``to_dict()``, a dict as is.

    The models' ``to_dict()`` is the one encoder (design §10); the CLI adds only
    the escaping of what it prints.
    """
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    return value


def _u_escape(match: re.Match[str]) -> str:
    return _SHORT.get(match.group(1), match.group(0))


def dump_json(value: object, *, lines: bool = False) -> str:
    """Serialise a model: indented for one document, compact for a JSON Lines row.

    Pure ASCII, and every character a terminal would obey is a ``\\uXXXX`` escape.
    """
    text = json.dumps(plain(value), indent=None if lines else 2, allow_nan=False)
    return _JSON_ESCAPE.sub(_u_escape, text)


def echo(model: object) -> dict[str, object]:
    """The echo of a create or update: the model's fields, those that are ``None`` left out.

    ``None`` there means "the answer did not carry it", and printed as ``null``
    or ``-`` it would read as "cleared". ``extra`` is always kept.
    """
    data = plain(model)
    assert isinstance(data, dict)
    return {key: value for key, value in data.items() if value is not None or key == "extra"}


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    return shown(str(value))


def _flatten(data: object, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(data, dict) and data:
        pairs: list[tuple[str, str]] = []
        for key, value in data.items():
            name = shown(str(key))
            pairs += _flatten(value, f"{prefix}.{name}" if prefix else name)
        return pairs
    if isinstance(data, list) and data:
        return [(f"{prefix}", ", ".join(_cell(v) for v in data))]
    return [(prefix, "{}" if data == {} else _cell(data))]


def write_record(out: TextIO, value: object) -> None:
    """Print one model as aligned ``key  value`` lines (nested keys dotted)."""
    pairs = _flatten(plain(value))
    width = max((len(k) for k, _ in pairs), default=0)
    for key, text in pairs:
        out.write(f"{key:<{width}}  {text}\n")


def session_row(session: object) -> list[str]:
    """The table cells of one session, escaped (:func:`shown`)."""
    data = plain(session)
    assert isinstance(data, dict)
    return [_cell(data.get(name)) for name in SESSION_COLUMNS]


def write_table(out: TextIO, header: list[str], rows: Iterable[list[str]]) -> None:
    """Print rows under a header, each column as wide as its widest (escaped) cell."""
    table = [[shown(cell) for cell in row] for row in (header, *rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
