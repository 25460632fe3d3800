"""JSON in and out of the wire: the stdlib, or ``orjson`` when the ``speed`` extra is installed.

The two backends must be indistinguishable to users, so ``orjson`` is only ever a shortcut
for what it provably does exactly as the stdlib does, and everything else goes through
the stdlib itself:

- ``loads``: ``orjson`` is stricter than ``json`` (no ``NaN``/``Infinity``, no lone
  surrogates, no invalid UTF-8), so whatever it refuses is decoded again by the stdlib,
  which accepts it or raises its own error: the errors are the stdlib's, always. Bodies
  that could be nested deeper than ``_ORJSON_MAX_OPENERS`` levels skip ``orjson``, so
  its nesting limit (1024) never answers where the stdlib's (the recursion limit) would
  not. ``orjson`` reads an integer beyond 64 bits as a float, so bodies with a run of 19
  or more digits (every such integer has one) are decoded by the stdlib too: a huge
  number kept in a model's ``extra`` is the same ``int`` whatever the backend.
- ``dumps``: request bodies hold only strings, integers, booleans, ``None``, lists and
  objects (the argument checks guarantee it). ``orjson`` writes those byte for byte as
  the compact stdlib encoder does, except that it writes non-ASCII text and DEL raw where
  the stdlib escapes them, and refuses integers beyond 64 bits and lone surrogates:
  those bodies are encoded by the stdlib instead.

``_force_backend`` switches the process between the two (the benchmark and the test
suite run both); the default is ``orjson`` when it can be imported.
"""

from __future__ import annotations

import importlib
import json
import re
from typing import Any, Final

__all__ = ["backend", "dumps", "loads", "loads_exact"]

# json.dumps(..., separators=...) builds a new encoder per call; this one is reused.
_ENCODER: Final = json.JSONEncoder(separators=(",", ":"))
# No body with at most this many "[" and "{" can be nested deeper than this, far below
# both decoders' limits: orjson's 1024 and the stdlib's recursion limit (1000 by default,
# minus the frames already on the stack).
_ORJSON_MAX_OPENERS: Final = 512
# Every integer orjson would read as a float (beyond 64 bits) has at least 19 digits.
_LONG_DIGITS: Final = re.compile(rb"[0-9]{19}")

_orjson: Any
try:
    _orjson = importlib.import_module("orjson")
except ImportError:  # the speed extra is optional
    _orjson = None


def loads_exact(body: bytes) -> Any:
    """Decode a UTF-8 JSON body with the stdlib, whatever the backend.

    Raises:
        UnicodeDecodeError: The body is not UTF-8.
        ValueError: The body is not JSON (``json.JSONDecodeError``).
        RecursionError: The body is nested too deeply.
    """
    return json.loads(body.decode())


_loads_stdlib = loads_exact


def _dumps_stdlib(value: Any) -> bytes:
    return _ENCODER.encode(value).encode()


def _loads_orjson(body: bytes) -> Any:
    if (
        len(body) <= 2 * _ORJSON_MAX_OPENERS
        or body.count(b"[") + body.count(b"{") <= _ORJSON_MAX_OPENERS
    ) and _LONG_DIGITS.search(body) is None:
        try:
            return _orjson.loads(body)
        except ValueError:  # orjson.JSONDecodeError: let the stdlib accept it or explain
            pass
    return json.loads(body.decode())


def _dumps_orjson(value: Any) -> bytes:
    try:
        out: bytes = _orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError: a huge integer or a lone surrogate
        return _ENCODER.encode(value).encode()
    # The stdlib escapes everything outside " " to "~"; orjson writes non-ASCII and DEL raw.
    if out.isascii() and b"\x7f" not in out:
        return out
    return _ENCODER.encode(value).encode()


def _force_backend(name: str | None) -> None:
    """Choose the backend: ``"stdlib"``, ``"orjson"``, or ``None`` for the default.

    Private: for the benchmark and the test suite, which run both backends in one process.

    Raises:
        RuntimeError: ``"orjson"`` was asked for and it is not installed.
        ValueError: Unknown name.
    """
    # Rebinding the module's names keeps each call a plain `_json.loads(body)`.
    global loads, dumps, _name  # noqa: PLW0603
    if name is None:
        name = "stdlib" if _orjson is None else "orjson"
    if name == "orjson":
        if _orjson is None:
            raise RuntimeError("orjson is not installed (pip install 'series-sdk[speed]')")
        loads, dumps = _loads_orjson, _dumps_orjson
    elif name == "stdlib":
        loads, dumps = _loads_stdlib, _dumps_stdlib
    else:
        raise ValueError(f"unknown JSON backend {name!r}")
    _name = name


def backend() -> str:
    """The backend in use: ``"orjson"`` or ``"stdlib"``."""
    return _name


# Rebound by _force_backend; callers look them up on the module at each call.
# loads(body) decodes a UTF-8 JSON body, raising UnicodeDecodeError, ValueError
# (json.JSONDecodeError) or RecursionError exactly as json.loads(body.decode()) does;
# dumps(value) encodes a request body compactly, ASCII only.
loads = _loads_stdlib
dumps = _dumps_stdlib
_name = "stdlib"
_force_backend(None)
