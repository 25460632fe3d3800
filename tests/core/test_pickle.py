"""Every public error survives pickle (process pools, multiprocessing, Celery) whole."""

from __future__ import annotations

import concurrent.futures
import copy
import multiprocessing
import pickle
from collections.abc import Callable

import pytest

import series_async
import series_sync
from series_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SeriesClient,
    SeriesError,
    UnexpectedResponseError,
    ValidationError,
)
from series_async.testing import SeriesEmulator

pytestmark = pytest.mark.timeout(30)

URL = "https://api.series.hr/sessions/get/s1"
BODY = {"error": {"code": "E42", "message": "nope"}}


def _status(cls: type[APIStatusError], status: int) -> Callable[[], SeriesError]:
    return lambda: cls("nope", status=status, code="E42", body=BODY, method="GET", url=URL)


# One sample per public error class, with every attribute it has set to a non-default.
SAMPLES: dict[type[SeriesError], Callable[[], SeriesError]] = {
    SeriesError: lambda: SeriesError("the client was closed"),
    ValidationError: lambda: ValidationError("custom_roles[1].slots", "must be at least 1"),
    APIConnectionError: lambda: APIConnectionError(
        "could not connect to api.series.hr:443: refused", method="POST", url=URL
    ),
    APITimeoutError: lambda: APITimeoutError(
        "timed out waiting for an answer from api.series.hr:443", method="GET", url=URL
    ),
    UnexpectedResponseError: lambda: UnexpectedResponseError(
        "the response is not JSON", status=200, body="<html>" * 100
    ),
    APIStatusError: _status(APIStatusError, 418),
    BadRequestError: _status(BadRequestError, 400),
    AuthenticationError: _status(AuthenticationError, 401),
    PermissionDeniedError: _status(PermissionDeniedError, 403),
    NotFoundError: _status(NotFoundError, 404),
    ConflictError: _status(ConflictError, 409),
    RateLimitError: lambda: RateLimitError(
        "slow down", code=429, body="{}", method="POST", url=URL, retry_after=12.5
    ),
    InternalServerError: _status(InternalServerError, 503),
}

PUBLIC_ERRORS = [
    obj
    for name in series_async.__all__
    if isinstance(obj := getattr(series_async, name), type) and issubclass(obj, SeriesError)
]


def test_every_public_error_has_a_sample() -> None:
    assert set(PUBLIC_ERRORS) == set(SAMPLES)
    assert len(PUBLIC_ERRORS) == 13


def _same(before: SeriesError, after: SeriesError) -> None:
    assert type(after) is type(before)
    assert vars(after) == vars(before)  # status, message, code, body, retry_after, field...
    assert after.args == before.args
    assert after.may_have_acted is before.may_have_acted
    assert str(after) == str(before)
    assert repr(after) == repr(before)


@pytest.mark.parametrize("acted", [False, True], ids=["not-acted", "may-have-acted"])
@pytest.mark.parametrize("cls", PUBLIC_ERRORS, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("protocol", [0, pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL])
def test_every_public_error_round_trips_through_pickle(
    cls: type[SeriesError], acted: bool, protocol: int
) -> None:
    error = SAMPLES[cls]()
    if acted:
        error.may_have_acted = True
    _same(error, pickle.loads(pickle.dumps(error, protocol=protocol)))


@pytest.mark.parametrize("cls", PUBLIC_ERRORS, ids=lambda cls: cls.__name__)
def test_every_public_error_can_be_copied(cls: type[SeriesError]) -> None:
    error = SAMPLES[cls]()
    _same(error, copy.copy(error))
    _same(error, copy.deepcopy(error))


def test_sync_errors_are_the_same_classes_and_pickle_by_their_public_name() -> None:
    error = pickle.loads(pickle.dumps(series_sync.NotFoundError("gone", status=404)))
    assert type(error) is series_sync.NotFoundError is series_async.NotFoundError
    assert b"series_async" in pickle.dumps(error)
    assert isinstance(error, series_sync.APIStatusError)


async def test_an_error_the_client_raised_round_trips(series_emulator: SeriesEmulator) -> None:
    series_emulator.inject("rate_limit", routes="sessions.get", retry_after=30)
    async with SeriesClient(
        series_emulator.api_key, base_url=series_emulator.url, max_retries=0
    ) as client:
        with pytest.raises(RateLimitError) as info:
            await client.sessions.get("session_1")
    error = info.value
    again = pickle.loads(pickle.dumps(error))
    _same(error, again)
    assert isinstance(again, RateLimitError)
    assert (again.status, again.retry_after) == (429, 30.0)
    assert series_emulator.api_key not in repr(pickle.dumps(error))


def _fail_in_worker() -> None:
    error = RateLimitError("slow down", method="POST", url=URL, retry_after=7.0)
    error.may_have_acted = True
    raise error


def test_an_error_raised_in_a_process_pool_reaches_the_parent_whole() -> None:
    # spawn: a fresh interpreter, as on macOS and Windows (and no fork of a threaded process).
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        future = pool.submit(_fail_in_worker)
        with pytest.raises(RateLimitError) as info:
            future.result(timeout=25)
    error = info.value
    assert (error.status, error.retry_after, error.may_have_acted) == (429, 7.0, True)
    assert (error.method, error.url, error.message) == ("POST", URL, "slow down")
