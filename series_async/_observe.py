"""What a call shows of itself: its OpenTelemetry span and its log lines (design §12).

The pipeline asks :func:`watch` for one :class:`Watch` per call and tells it each
attempt, each retry and how the call ended. With neither the ``otel`` extra nor
DEBUG logging, that is one shared object that does nothing: nothing of
OpenTelemetry is imported (the import is tried once, at the first client's
creation, by :func:`first_client`) and a call pays a few empty method calls.

Only names the SDK chose go into a span: the method, the path template (never
the real path: check-key's holds the key), the API's host and port, statuses,
counts and error class names. No message, header or URL is ever recorded.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import threading
import time
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

import yarl

from ._errors import SeriesError, ValidationError
from ._version import __version__

if TYPE_CHECKING:
    from opentelemetry.trace import Span, Tracer

__all__ = ["TRACER_NAME", "UNWATCHED", "Watch", "first_client", "watch"]

TRACER_NAME = "series_async"
"""The tracer every span of the SDK is recorded on."""

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

logger = logging.getLogger("series")


class _Otel:
    """The few pieces of the OpenTelemetry API a call uses, imported once."""

    def __init__(self) -> None:
        from opentelemetry import context, propagate, trace

        self.tracer: Tracer = trace.get_tracer(TRACER_NAME, __version__)
        self.provider = trace.get_tracer_provider
        # What the global provider is until the application sets one (or if it sets
        # the no-op one): no span can record, only the caller's trace is passed on.
        self.unset = (trace.ProxyTracerProvider, trace.NoOpTracerProvider)
        self.current_span = trace.get_current_span
        self.client_kind = trace.SpanKind.CLIENT
        self.error = trace.Status(trace.StatusCode.ERROR)
        self.in_context = trace.set_span_in_context
        self.attach = context.attach
        self.detach = context.detach
        self.inject = propagate.inject


_otel: _Otel | None = None
_first_done = False
_first_lock = threading.Lock()


def _load_otel() -> _Otel | None:
    try:
        return _Otel()
    except ImportError:
        return None


def first_client() -> None:
    """Once per process, at the first client's creation: ``SERIES_LOG`` and the ``otel`` extra.

    Raises:
        ValidationError: ``SERIES_LOG`` is set to something other than ``debug`` or ``info``.
    """
    global _otel, _first_done  # noqa: PLW0603 - process-wide, decided once
    if _first_done:
        return
    with _first_lock:
        if not _first_done:  # another thread may have got here first
            _log_switch(os.environ.get("SERIES_LOG", ""))
            _otel = _load_otel()
            _first_done = True


def _log_switch(value: str) -> None:
    """``SERIES_LOG=debug|info``: a stderr handler on ``series`` unless logging is set up."""
    name = value.strip().lower()
    if not name:
        return
    level = _LEVELS.get(name)
    if level is None:
        raise ValidationError(
            "SERIES_LOG", f"must be 'debug' or 'info' (or unset), got {value.strip()!r}"
        )
    if logger.hasHandlers():
        return  # the program configured logging: it decides what is shown
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level)


@functools.lru_cache(maxsize=64)
def _server(base_url: str) -> tuple[str, int]:
    url = yarl.URL(base_url)
    return url.host or "", url.port or 0


class Watch:
    """One call seen through: this base class (the shared :data:`UNWATCHED`) sees nothing.

    Use it as a context manager around the whole call (the span is current
    inside, so a request's ``traceparent`` and any aiohttp span hang under it).
    """

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def headers(self) -> Mapping[str, str] | None:
        """Headers to add to the next attempt (``traceparent``), or ``None``."""
        return None

    def attempt(self) -> None:
        """An attempt starts."""

    def answered(self, status: int) -> None:
        """The attempt got an HTTP answer with ``status``."""

    def failed(self, error: BaseException) -> None:
        """The attempt ended in ``error`` (after :meth:`answered`, when it answered)."""

    def retry(self, attempt: int, wait_s: float, error: BaseException | None) -> None:
        """Attempt number ``attempt`` failed with ``error``; the next one follows ``wait_s``."""


UNWATCHED = Watch()


def watch(name: str, method: str, template: str, base_url: str) -> Watch:
    """The :class:`Watch` of one call (``name`` is ``group.method``, e.g. ``sessions.get``)."""
    otel = _otel
    if logger.isEnabledFor(logging.DEBUG):
        return _Watched(otel, name, method, template, base_url)
    if otel is None or (
        isinstance(otel.provider(), otel.unset)
        and not otel.current_span().get_span_context().is_valid
    ):
        return UNWATCHED  # nothing to record, no trace to pass on
    return _Watched(otel, name, method, template, base_url)


class _Watched(Watch):
    """A call with a span (``otel`` given) and/or DEBUG lines per attempt."""

    __slots__ = (
        "_attempts",
        "_debug",
        "_method",
        "_name",
        "_otel",
        "_relay",
        "_server",
        "_span",
        "_started",
        "_status",
        "_template",
        "_token",
    )

    def __init__(
        self, otel: _Otel | None, name: str, method: str, template: str, base_url: str
    ) -> None:
        self._otel = otel
        self._name = name
        self._method = method
        self._template = template
        self._server = _server(base_url)
        self._debug = logger.isEnabledFor(logging.DEBUG)
        self._span: Span | None = None
        self._token: object = None
        self._relay = False
        self._attempts = 0
        self._status: int | None = None
        self._started = 0.0

    def __enter__(self) -> None:
        otel = self._otel
        if otel is None:
            return
        if isinstance(otel.provider(), otel.unset):
            self._relay = True  # no span to record: pass the caller's trace on, if any
            return
        address, port = self._server
        span = otel.tracer.start_span(
            "series." + self._name,
            kind=otel.client_kind,
            attributes={
                "http.request.method": self._method,
                "url.template": self._template,
                "server.address": address,
                "server.port": port,
            },
        )
        if span.is_recording() or span.get_span_context().is_valid:
            self._span = span
            self._token = otel.attach(otel.in_context(span))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        span = self._span
        if span is None or self._otel is None:
            return
        self._otel.detach(self._token)  # type: ignore[arg-type]
        if span.is_recording():
            if self._status is not None:
                span.set_attribute("http.response.status_code", self._status)
            span.set_attribute("series.attempts", self._attempts)
            if exc is not None:
                span.set_status(self._otel.error)
                span.set_attribute("error.type", type(exc).__name__)
                if isinstance(exc, SeriesError):
                    span.set_attribute("series.may_have_acted", exc.may_have_acted)
        span.end()

    def headers(self) -> Mapping[str, str] | None:
        otel = self._otel
        if otel is None:
            return None
        if self._span is None and not (
            self._relay and otel.current_span().get_span_context().is_valid
        ):
            return None
        carrier: dict[str, str] = {}
        otel.inject(carrier)
        return carrier

    def attempt(self) -> None:
        self._attempts += 1
        self._status = None
        if self._debug:
            self._started = time.perf_counter()

    def answered(self, status: int) -> None:
        self._status = status
        if self._debug:
            self._log(str(status))

    def failed(self, error: BaseException) -> None:
        if self._debug and self._status is None:
            self._log(type(error).__name__)

    def _log(self, outcome: str) -> None:
        logger.debug(
            "%s %s attempt %d -> %s in %.1f ms",
            self._method,
            self._template,
            self._attempts,
            outcome,
            (time.perf_counter() - self._started) * 1000,
        )

    def retry(self, attempt: int, wait_s: float, error: BaseException | None) -> None:
        span = self._span
        if span is None or not span.is_recording():
            return
        attributes: dict[str, Any] = {"series.attempt": attempt, "series.wait_s": wait_s}
        if self._status is not None:
            attributes["http.response.status_code"] = self._status
        else:
            attributes["error.type"] = type(error).__name__
        span.add_event("retry", attributes)
