"""The converter's strict scalar hooks: tolerant of names elsewhere, strict on values here.

A value of the wrong JSON type is refused, never coerced ("false" must not become True,
null must not become "None"). Two spellings are accepted because real APIs use them: a
JSON number for an id string, and a digit-only string for an integer. Messages name
types, never values (a value could be anything the server echoed, the key included).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ._models import SessionStatus
from ._time import parse_timestamp

__all__ = [
    "json_type",
    "structure_bool",
    "structure_datetime",
    "structure_extra",
    "structure_int",
    "structure_status",
    "structure_str",
]

_INT_TEXT_LIMIT = 30


def json_type(value: Any) -> str:
    """Name a decoded JSON value's type the way the API docs would."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def structure_str(value: Any, _: Any) -> str:
    """A string; a JSON integer is accepted for ids."""
    if type(value) is str:
        return value
    if type(value) is int:
        return str(value)  # ids sent as JSON numbers
    raise TypeError(f"expected a string, got {json_type(value)}")


def structure_int(value: Any, _: Any) -> int:
    """An integer; a digit-only string is accepted."""
    if type(value) is int:
        return value
    if type(value) is str:
        digits = value[1:] if value[:1] == "-" else value
        if digits.isascii() and digits.isdigit() and len(digits) <= _INT_TEXT_LIMIT:
            return int(value)
        raise ValueError("expected an integer, got a string that is not one")
    raise TypeError(f"expected an integer, got {json_type(value)}")


def structure_bool(value: Any, _: Any) -> bool:
    """``true`` or ``false`` and nothing else."""
    if type(value) is bool:
        return value
    raise TypeError(f"expected true or false, got {json_type(value)}")


def structure_status(value: Any, _: Any) -> SessionStatus:
    """A session status; an unknown string is ``UNKNOWN``, by design."""
    if isinstance(value, str):  # a SessionStatus is a str too
        return SessionStatus(value)
    raise TypeError(f"expected a status string, got {json_type(value)}")


def structure_datetime(value: Any, _: Any) -> datetime:
    """An ISO 8601 timestamp; one without an offset is UTC."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 string, got {type(value).__name__}")
    return parse_timestamp(value, assume_utc=True)


def structure_extra(value: Any, _: Any) -> dict[str, Any]:
    """A model's ``extra``: an object with string keys, kept as it is."""
    if not isinstance(value, Mapping):
        raise TypeError(f"expected an object, got {json_type(value)}")
    for key in value:
        if type(key) is not str:
            raise TypeError(f"expected an object with string keys, got a key of {json_type(key)}")
    return dict(value)
