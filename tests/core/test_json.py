"""The ``speed`` extra's orjson backend gives exactly the stdlib's results and errors.

``series_async._json`` uses orjson only where it provably agrees with the stdlib; these
tests hold it to that: request bodies byte for byte, response bodies value for value and
error for error, down to the odd corners where the two libraries differ (``NaN``,
integers beyond 64 bits, lone surrogates, DEL, deep nesting, bad UTF-8, a BOM).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from series_async import _json

pytest.importorskip("orjson")

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def restore_backend() -> Iterator[None]:
    before = _json.backend()
    yield
    _json._force_backend(before)


def _both(fn: Any, value: Any) -> tuple[Any, Any]:
    """Run ``fn(value)`` under each backend; return each outcome (value or error)."""
    outcomes = []
    for name in ("stdlib", "orjson"):
        _json._force_backend(name)
        try:
            outcomes.append(("ok", fn(value)))
        except Exception as exc:  # compared below: class and message
            outcomes.append(("error", type(exc), str(exc)))
    return outcomes[0], outcomes[1]


def _same_tree(a: Any, b: Any) -> bool:
    """Equal values of equal types all the way down (1 == 1.0 == True is not enough).

    Iterative: the trees can be nested deeper than the recursion limit allows.
    """
    pending = [(a, b)]
    while pending:
        x, y = pending.pop()
        if type(x) is not type(y):
            return False
        if isinstance(x, dict):
            if list(x) != list(y):
                return False
            pending += [(x[k], y[k]) for k in x]
        elif isinstance(x, list):
            if len(x) != len(y):
                return False
            pending += zip(x, y, strict=True)
        elif isinstance(x, float) and math.isnan(x):
            if not math.isnan(y):
                return False
        elif x != y:
            return False
    return True


def _json_native(ints: st.SearchStrategy[int]) -> st.SearchStrategy[Any]:
    text = st.text(st.characters(codec=None))  # surrogates and DEL included
    return st.recursive(
        st.none() | st.booleans() | ints | text,
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.text(st.characters(codec=None), max_size=5), inner, max_size=4)
        ),
        max_leaves=12,
    )


json_native = _json_native(st.integers() | st.integers(min_value=-(2**70), max_value=2**70))


@given(json_native)
def test_request_bodies_are_the_same_bytes(value: Any) -> None:
    try:
        stdlib, fast = _both(_json.dumps, value)
    finally:
        _json._force_backend(None)
    assert stdlib == fast
    assert stdlib[0] == "ok"
    assert stdlib[1] == json.dumps(value, separators=(",", ":")).encode()


@pytest.mark.parametrize(
    "value",
    [
        {"Title": "Fête d'été", "n": 1},  # non-ASCII: the stdlib escapes it
        {"Title": "a\x7fb"},  # DEL: the stdlib escapes it, orjson does not
        {"Title": "\ud800"},  # lone surrogate: orjson refuses it
        {"Duration": 2**64},  # beyond 64 bits: orjson refuses it
        {"Duration": -(2**63) - 1},
        {"CustomRoles": [{"name": "Trainer", "slots": 2, "permissions": {"A": True}}]},
    ],
)
def test_request_body_corners(value: Any, restore_backend: None) -> None:
    stdlib, fast = _both(_json.dumps, value)
    assert fast == stdlib == ("ok", json.dumps(value, separators=(",", ":")).encode())


@pytest.mark.parametrize(
    "body",
    [
        b'{"success":true,"data":{"a":[1,2.5,"x",null,true,false]}}',
        b"NaN",
        b'{"a":Infinity,"b":-Infinity}',
        b"[1e400]",
        b'{"a":"\\ud800"}',  # an escaped lone surrogate: the stdlib accepts it
        b'{"a":1,"a":2}',
        b"[-0, -0.0, 0.1, 1E5]",
        b" \t\n[]\r\n",
        b"\xef\xbb\xbf{}",  # a BOM
        b'{"a":"\xff"}',  # bad UTF-8
        b'"\xed\xa0\x80"',  # an encoded surrogate
        b"[]\x0c",
        b'"\x1f"',
        b"",
        b"[1,]",
        b"{} x",
        b"[" * 600 + b"]" * 600,  # deeper than orjson's shortcut allows, fine for the stdlib
        b"[" * 2000 + b"]" * 2000,  # deeper than the stdlib allows
        b"[" * 100_000,
    ],
)
def test_response_body_corners(body: bytes, restore_backend: None) -> None:
    stdlib, fast = _both(_json.loads, body)
    assert stdlib[0] == fast[0]
    if stdlib[0] == "ok":
        assert _same_tree(stdlib[1], fast[1])
    else:
        assert fast == stdlib


@pytest.mark.parametrize(
    "body",
    [
        b"[18446744073709551616]",
        b'{"id":-9223372036854775809}',
        b'{"success":true,"data":{"SessionId":"s","Title":"t","Big":123456789012345678901234}}',
    ],
)
def test_huge_integers_read_as_the_stdlib_reads_them(body: bytes, restore_backend: None) -> None:
    # orjson alone reads integers beyond 64 bits as floats: a field kept in a model's
    # extra would then differ between the two backends.
    _json._force_backend("orjson")
    assert _same_tree(_json.loads(body), json.loads(body))
    assert _same_tree(_json.loads_exact(body), json.loads(body))


@given(json_native, st.booleans())
def test_response_bodies_decode_alike(value: Any, ascii_only: bool) -> None:
    body = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    try:
        stdlib, fast = _both(_json.loads, body)
    finally:
        _json._force_backend(None)
    assert stdlib[0] == fast[0]
    if stdlib[0] == "ok":
        assert _same_tree(stdlib[1], fast[1])
    else:
        assert fast == stdlib


def test_forcing_a_backend(restore_backend: None) -> None:
    _json._force_backend("stdlib")
    assert _json.backend() == "stdlib"
    _json._force_backend(None)
    assert _json.backend() == "orjson"  # installed with the test extra
    with pytest.raises(ValueError, match="unknown JSON backend 'ujson'"):
        _json._force_backend("ujson")
