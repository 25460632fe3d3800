"""UNSET, Timeout and the converter's edge cases."""

from __future__ import annotations

import copy
import pickle

import pytest

from series_async import (
    UNSET,
    CreatedSession,
    Session,
    Timeout,
    UnexpectedResponseError,
    Unset,
    ValidationError,
)
from series_async._converter import converter


def test_unset_is_a_falsy_singleton() -> None:
    assert repr(UNSET) == "UNSET"
    assert not UNSET
    assert UNSET is Unset.UNSET
    assert copy.deepcopy(UNSET) is UNSET
    assert pickle.loads(pickle.dumps(UNSET)) is UNSET


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"total": 0}, "timeout.total"),
        ({"connect": -1}, "timeout.connect"),
        ({"read": float("nan")}, "timeout.read"),
        ({"read": "5"}, "timeout.read"),
        ({"total": True}, "timeout.total"),
    ],
)
def test_timeout_validation(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        Timeout(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_non_object_payloads_fail_cleanly() -> None:
    with pytest.raises(TypeError, match="expected an object for Session"):
        converter.structure(["SessionId"], Session)
    with pytest.raises(TypeError, match="expected an ISO 8601 string"):
        converter.structure({"sessionId": "s", "createdAt": 12}, CreatedSession)


def test_unexpected_response_repr_is_short() -> None:
    err = UnexpectedResponseError("bad", status=200, body="x" * 1000)
    assert repr(err) == "UnexpectedResponseError(status=200, message='bad')"
    assert "... (cut at 200 characters)" in str(err)
    assert len(str(err)) < 300
    assert str(err).startswith("bad (HTTP 200; body: ")
