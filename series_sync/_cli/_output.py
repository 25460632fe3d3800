"""What the ``series`` command prints: JSON documents, JSON Lines, or tables for people.

JSON (design §7): the model as an object whose keys are its attribute names,
datetimes in ISO 8601 UTC with ``Z``, enums by value, dicts (``custom_roles``)
as objects. Tables are for people and are not a stable interface.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timezone
from typing import TextIO

import attrs

__all__ = ["SESSION_COLUMNS", "dump_json", "plain", "session_row", "write_record", "write_table"]

#: Columns of a session in table form, with the width streaming rows are padded to.
SESSION_COLUMNS = (
    ("session_id", 36),
    ("status", 9),
    ("scheduled", 20),
    ("duration", 8),
    ("host", 10),
    ("title", 0),
)


def _timestamp(value: datetime) -> str:
    utc = value.astimezone(timezone.utc).replace(tzinfo=None)
    return utc.isoformat(timespec="milliseconds" if utc.microsecond else "seconds") + "Z"


def plain(value: object) -> object:
    """Return ``value`` as JSON-ready data (attrs models become dicts, recursively)."""
    cls = type(value)
    if attrs.has(cls):
        return {f.name: plain(getattr(value, f.name)) for f in attrs.fields(cls)}
    if isinstance(value, enum.Enum):  # before str: SessionStatus is a str too
        return plain(value.value)
    if isinstance(value, datetime):
        return _timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, frozenset, set)):
        return [plain(v) for v in value]
    return value


def dump_json(value: object, *, lines: bool = False) -> str:
    """Serialise a model: indented for one document, compact for a JSON Lines row."""
    return json.dumps(plain(value), indent=None if lines else 2, allow_nan=False)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _flatten(data: object, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(data, dict) and data:
        pairs: list[tuple[str, str]] = []
        for key, value in data.items():
            pairs += _flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return pairs
    if isinstance(data, list) and data:
        return [(f"{prefix}", ", ".join(_cell(v) for v in data))]
    return [(prefix, _cell(data) if data != {} else "-")]


def write_record(out: TextIO, value: object) -> None:
    """Print one model as aligned ``key  value`` lines (nested keys dotted)."""
    pairs = _flatten(plain(value))
    width = max((len(k) for k, _ in pairs), default=0)
    for key, text in pairs:
        out.write(f"{key:<{width}}  {text}\n")


def session_row(session: object, *, pad: bool) -> list[str]:
    """The table cells of one session (padded to fixed widths for streaming)."""
    data = plain(session)
    assert isinstance(data, dict)
    cells = [_cell(data.get(name)) for name, _ in SESSION_COLUMNS]
    if pad:
        cells = [c.ljust(w) for c, (_, w) in zip(cells, SESSION_COLUMNS, strict=True)]
    return cells


def write_table(out: TextIO, header: list[str], rows: Iterable[list[str]]) -> None:
    """Print rows under a header, each column as wide as its widest cell."""
    table = [header, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
