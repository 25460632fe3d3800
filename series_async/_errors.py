"""The exception tree shared by ``series_async`` and ``series_sync``.

::

    SeriesError
    ├── ValidationError (also a ValueError)  bad input caught before any I/O
    ├── APIConnectionError                   could not reach the API / connection dropped
    │   └── APITimeoutError
    ├── UnexpectedResponseError              a body that is not what the API documents
    └── APIStatusError                       .status .message .code .body .method .url
        ├── BadRequestError          400
        ├── AuthenticationError      401
        ├── PermissionDeniedError    403
        ├── NotFoundError            404
        ├── ConflictError            409
        ├── RateLimitError           429   .retry_after
        └── InternalServerError      5xx

The HTTP status alone picks the class; the body only supplies the message.
No attribute or message of these errors, nor any exception chained to them, ever
holds the API key or a proxy's credentials: the pipeline scrubs each error, and
its whole chain, once, as it leaves a public call (``series_async._scrub``).
"""

from __future__ import annotations

from typing import Any

from ._scrub import LINE_LIMIT, excerpt

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "SeriesError",
    "UnexpectedResponseError",
    "ValidationError",
    "status_error_class",
]

#: The sentence ``str()`` adds when :attr:`SeriesError.may_have_acted` is set.
MAY_HAVE_ACTED_NOTE = (
    "The API may have carried out this call before it failed: check the current state "
    "before you retry or tell anyone it did not happen."
)


class SeriesError(Exception):
    """Base class of every error raised by the SDK.

    Attributes:
        message: What went wrong; for an HTTP error, the API's own words.
        may_have_acted: ``True`` when this call changes state and an attempt of it
            may have reached the API without a clear answer (the connection dropped
            or timed out after sending, a 5xx, or a later 4xx that may echo that
            earlier success). Never ``True`` for a read-only call, a validation
            error, a 429 on its own, or a failure before anything was sent.
            ``str()`` then adds one sentence; ``message`` is left as it was.
    """

    may_have_acted: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def _str_without_note(self) -> str:
        """``str()`` without the may-have-acted sentence."""
        return self.message

    def __str__(self) -> str:
        text = self._str_without_note()
        if not self.may_have_acted:
            return text
        return f"{text}{' ' if text.endswith('.') else '. '}{MAY_HAVE_ACTED_NOTE}"

    def __repr__(self) -> str:
        acted = ", may_have_acted=True" if self.may_have_acted else ""
        return f"{type(self).__name__}({self.message!r}{acted})"

    def __reduce__(self) -> tuple[Any, ...]:
        # An exception pickles as ``cls(*self.args)`` plus its ``__dict__``, but our
        # constructors take other arguments (``field, rule``; keyword-only ``status=``),
        # so that call fails. Rebuild without calling ``__init__``: the class, the args
        # and every attribute (``status``, ``retry_after``, ``may_have_acted``...) come
        # back as they were, for process pools, multiprocessing and task queues.
        return (_unpickle, (type(self), self.args, self.__dict__))


def _unpickle(cls: type[SeriesError], args: tuple[Any, ...], state: dict[str, Any]) -> SeriesError:
    """Rebuild a pickled error (see :meth:`SeriesError.__reduce__`)."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class ValidationError(SeriesError, ValueError):
    """An argument broke a documented rule; raised before any request is sent.

    Attributes:
        field: The name of the offending argument, e.g. ``"duration"`` or
            ``"custom_roles[1].slots"``.
    """

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field


class APIConnectionError(SeriesError):
    """The API could not be reached, or the connection broke mid-call.

    Attributes:
        method: The HTTP method of the failed call.
        url: The URL of the failed call, without the API key.
        sent: ``False`` when the request provably never reached the API (the
            connection failed before it was written); ``True`` when it may have.
        retryable: ``False`` when another attempt cannot go differently (a TLS
            failure, a request that cannot be built, a proxy refusing us).
    """

    sent: bool
    retryable: bool

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        url: str = "",
        sent: bool = True,
        retryable: bool = True,
    ) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.sent = sent
        self.retryable = retryable


class APITimeoutError(APIConnectionError):
    """A per-attempt timeout or the policy's ``total_timeout`` ran out."""


class UnexpectedResponseError(SeriesError):
    """The API answered with a body the SDK cannot make sense of.

    Also raised for a status outside 100-599, whose meaning nobody knows.

    Attributes:
        status: The HTTP status of the response.
        body: An excerpt of the raw response text, every secret removed (see
            ``str()`` for a shorter display).
        unreadable: ``True`` when the body could not be decoded at all (not
            JSON, not UTF-8, nested too deeply, failed decompression, cut short),
            ``False`` when it was read but is not what the API documents (JSON of
            the wrong shape). An unreadable 2xx is retried for idempotent calls;
            asking again for JSON of the wrong shape would give the same answer.
    """

    def __init__(self, message: str, *, status: int, body: str, unreadable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.body = body
        self.unreadable = unreadable

    def _str_without_note(self) -> str:
        return f"{self.message} (HTTP {self.status}; body: {excerpt(self.body, LINE_LIMIT)!r})"

    def __repr__(self) -> str:
        acted = ", may_have_acted=True" if self.may_have_acted else ""
        return f"{type(self).__name__}(status={self.status}, message={self.message!r}{acted})"


class APIStatusError(SeriesError):
    """The API answered with an error status.

    Attributes:
        status: The HTTP status code.
        message: The API's error message, or the reason phrase.
        code: The ``error.code`` of the body when the API sent one.
        body: The decoded JSON body, or the raw text when it was not JSON.
        method: The HTTP method of the call.
        url: The URL of the call, without the API key.
        retry_after: Seconds the API asked to wait (a readable ``Retry-After``
            header, on a 429 or a 5xx), or ``None``.
    """

    retry_after: float | None

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: int | str | None = None,
        body: Any = None,
        method: str = "",
        url: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.body = body
        self.method = method
        self.url = url
        self.retry_after = retry_after

    def _str_without_note(self) -> str:
        where = f" ({self.method} {self.url})" if self.method else ""
        return f"HTTP {self.status}: {self.message}{where}"

    def __repr__(self) -> str:
        acted = ", may_have_acted=True" if self.may_have_acted else ""
        return f"{type(self).__name__}(status={self.status}, message={self.message!r}{acted})"


class BadRequestError(APIStatusError):
    """HTTP 400: the API refused the request as invalid."""


class AuthenticationError(APIStatusError):
    """HTTP 401: the API key is missing, unknown or inactive."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403: a Premium/Enterprise feature on a free workspace, or a rank too low."""


class NotFoundError(APIStatusError):
    """HTTP 404: the session, role, user or rank does not exist."""


class ConflictError(APIStatusError):
    """HTTP 409: the request conflicts with the current state."""


class RateLimitError(APIStatusError):
    """HTTP 429: too many requests.

    Attributes:
        retry_after: Seconds the API asked to wait (``Retry-After``), or ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 429,
        code: int | str | None = None,
        body: Any = None,
        method: str = "",
        url: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            message,
            status=status,
            code=code,
            body=body,
            method=method,
            url=url,
            retry_after=retry_after,
        )


class InternalServerError(APIStatusError):
    """HTTP 5xx: the API failed on its side."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def status_error_class(status: int) -> type[APIStatusError]:
    """Return the error class for an HTTP status (undocumented ones: ``APIStatusError``)."""
    if status >= 500:
        return InternalServerError
    return _BY_STATUS.get(status, APIStatusError)
