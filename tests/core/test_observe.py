"""OpenTelemetry spans of calls (design §12), read from the SDK's in-memory exporter.

The ``spans`` fixture points the SDK's ``series_async`` tracer (and its view of the
global provider) at a provider of the test's own, so that no global provider leaks
into other tests (one would add ``traceparent`` to every request of the suite). The
global path, provider and propagator set as an application does, is run by
examples/fastapi_traced.py.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

import series_sync
from series_async import (
    APIConnectionError,
    InternalServerError,
    NotFoundError,
    RetryPolicy,
    SeriesClient,
    SeriesError,
    ValidationError,
    _observe,
)
from series_async._version import __version__
from series_async.testing import SeriesEmulator
from tests.conftest import API_KEY, RetryLog
from tests.proxy import ForwardProxy
from tests.recorder import Recorder, fail, ok

SESSION = {"SessionId": "s1", "Title": "T"}


@attrs.frozen
class Spans:
    """The exporter the SDK's spans go to, and a tracer for the caller's own spans."""

    exporter: InMemorySpanExporter
    app: trace.Tracer

    def series(self) -> list[ReadableSpan]:
        return [s for s in self.exporter.get_finished_spans() if s.name.startswith("series.")]

    def one(self) -> ReadableSpan:
        found = self.series()
        assert len(found) == 1, [s.name for s in found]
        return found[0]


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[Spans]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    _observe.first_client()
    otel = _observe._otel
    assert otel is not None  # the test extra installs opentelemetry
    monkeypatch.setattr(otel, "tracer", provider.get_tracer(_observe.TRACER_NAME, __version__))
    monkeypatch.setattr(otel, "provider", lambda: provider)
    yield Spans(exporter, provider.get_tracer("app"))
    provider.shutdown()


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def events(span: ReadableSpan) -> list[tuple[str, dict[str, Any]]]:
    return [(e.name, dict(e.attributes or {})) for e in span.events]


def strings_of(found: Sequence[ReadableSpan]) -> list[str]:
    """Every text an exporter would send of these spans."""
    texts: list[str] = []
    for span in found:
        texts.append(span.name)
        texts.append(span.status.description or "")
        for attributes in [span.attributes, *(e.attributes for e in span.events)]:
            for name, value in (attributes or {}).items():
                texts.append(name)
                texts.append(str(value))
    return texts


def emulated(emulator: SeriesEmulator, **policy: Any) -> SeriesClient:
    return SeriesClient(
        emulator.api_key, base_url=emulator.url, retry=RetryPolicy(jitter=False, **policy)
    )


async def test_a_call_records_one_client_span_with_its_attributes(
    spans: Spans, series_emulator: SeriesEmulator
) -> None:
    async with emulated(series_emulator) as client:
        created = await client.sessions.create(
            title="T", scheduled="2030-01-01T18:00:00Z", duration=60
        )
        spans.exporter.clear()
        await client.sessions.get(created.session_id)
    span = spans.one()
    assert span.name == "series.sessions.get"
    assert span.kind is SpanKind.CLIENT
    assert span.instrumentation_scope is not None
    assert span.instrumentation_scope.name == "series_async"
    assert dict(span.attributes or {}) == {
        "http.request.method": "GET",
        "url.template": "/sessions/get/{sessionId}",
        "server.address": "127.0.0.1",
        "server.port": port_of(series_emulator.url),
        "http.response.status_code": 200,
        "series.attempts": 1,
    }
    assert span.status.status_code is StatusCode.UNSET
    assert span.events == ()
    assert span.parent is None  # the caller had no span of its own


async def test_each_retry_is_an_event_with_the_failed_attempt_and_the_wait_decided(
    spans: Spans, series_emulator: SeriesEmulator, retry_log: RetryLog
) -> None:
    # fast_retries() is on (the suite's default): the events still show the decided waits.
    # times=2: aiohttp itself resends a GET once after a dropped connection.
    series_emulator.inject("drop_before", routes="sessions.list", times=2)
    series_emulator.inject("rate_limit", routes="sessions.list", retry_after=7)
    series_emulator.inject("http_503", routes="sessions.list", retry_after=3)
    async with emulated(series_emulator, max_retries=3, initial_delay=0.25) as client:
        await client.sessions.list()
    span = spans.one()
    assert span.name == "series.sessions.list"
    assert retry_log.delays == [0.25, 7.0, 3.0]  # the backoff, then each Retry-After
    assert events(span) == [
        ("retry", {"series.attempt": 1, "series.wait_s": 0.25, "error.type": "APIConnectionError"}),
        ("retry", {"series.attempt": 2, "series.wait_s": 7.0, "http.response.status_code": 429}),
        ("retry", {"series.attempt": 3, "series.wait_s": 3.0, "http.response.status_code": 503}),
    ]
    assert span.attributes is not None
    assert span.attributes["series.attempts"] == 4
    assert span.attributes["http.response.status_code"] == 200
    assert span.status.status_code is StatusCode.UNSET


async def test_a_failed_call_is_an_error_span_saying_whether_it_may_have_acted(
    spans: Spans, series_emulator: SeriesEmulator
) -> None:
    series_emulator.inject("http_500", routes="sessions.create")
    async with emulated(series_emulator) as client:
        with pytest.raises(InternalServerError):
            await client.sessions.create(title="T", scheduled="2030-01-01T18:00:00Z", duration=60)
        with pytest.raises(NotFoundError):
            await client.sessions.get("no-such-session")
    create, get = spans.series()
    assert create.name == "series.sessions.create"
    assert create.status.status_code is StatusCode.ERROR
    assert create.attributes is not None
    assert create.attributes["error.type"] == "InternalServerError"
    assert create.attributes["series.may_have_acted"] is True  # a 500 on a create: unsure
    assert create.attributes["http.response.status_code"] == 500
    assert create.attributes["series.attempts"] == 1  # a create is not replayed after a 5xx
    assert get.status.status_code is StatusCode.ERROR
    assert get.attributes is not None
    assert get.attributes["error.type"] == "NotFoundError"
    assert get.attributes["series.may_have_acted"] is False
    assert get.attributes["http.response.status_code"] == 404


async def test_a_call_no_attempt_of_which_answered_has_no_status_code(
    spans: Spans, series_emulator: SeriesEmulator
) -> None:
    series_emulator.inject("drop_before", routes="sessions.list", times=6)  # see above
    async with emulated(series_emulator) as client:
        with pytest.raises(APIConnectionError):
            await client.sessions.list()
    span = spans.one()
    assert span.attributes is not None
    assert "http.response.status_code" not in span.attributes
    assert span.attributes["error.type"] == "APIConnectionError"
    assert span.attributes["series.attempts"] == 3
    assert [e.attributes["error.type"] for e in span.events if e.attributes] == [
        "APIConnectionError",
        "APIConnectionError",
    ]


async def test_the_span_is_a_child_of_the_callers_span_in_each_task(
    spans: Spans, series_emulator: SeriesEmulator
) -> None:
    async with emulated(series_emulator) as client:

        async def handler(name: str) -> trace.SpanContext:
            with spans.app.start_as_current_span(name) as parent:
                await client.sessions.list()
                return parent.get_span_context()

        first, second = await asyncio.gather(handler("one"), handler("two"))
    by_parent = {s.parent.span_id: s for s in spans.series() if s.parent is not None}
    assert set(by_parent) == {first.span_id, second.span_id}
    assert by_parent[first.span_id].context.trace_id == first.trace_id
    assert by_parent[second.span_id].context.trace_id == second.trace_id


async def test_every_attempt_carries_the_spans_traceparent(
    spans: Spans, recorder: Recorder
) -> None:
    recorder.reply(fail(503, "busy"), ok(SESSION))
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        with spans.app.start_as_current_span("handler"):
            await client.sessions.get("s1")
    ours = spans.one().context
    expected = f"00-{ours.trace_id:032x}-{ours.span_id:016x}-{int(ours.trace_flags):02x}"
    assert [r.headers.get("traceparent") for r in recorder.requests] == [expected, expected]


async def test_no_traceparent_without_a_trace_to_join(recorder: Recorder) -> None:
    # The otel extra is installed but no provider records, and the caller has no span.
    recorder.reply(ok(SESSION))
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        await client.sessions.get("s1")
    assert "traceparent" not in recorder.last.headers


async def test_without_a_provider_the_callers_trace_is_passed_on(recorder: Recorder) -> None:
    # No provider records (none is set in this process): the SDK records nothing, but a
    # trace the caller is part of (here one a server extracted) still reaches the API.
    recorder.reply(ok(SESSION))
    caller = trace.SpanContext(
        trace_id=0x4BF92F3577B34DA6A3CE929D0E0E4736,
        span_id=0x00F067AA0BA902B7,
        is_remote=True,
        trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED),
    )
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        with trace.use_span(trace.NonRecordingSpan(caller)):
            await client.sessions.get("s1")
    assert recorder.last.headers["traceparent"] == (
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    )


def test_the_sync_twin_carries_each_threads_context_to_its_loop(
    spans: Spans, series_emulator: SeriesEmulator
) -> None:
    with series_sync.SeriesClient(series_emulator.api_key, base_url=series_emulator.url) as client:

        def job(n: int) -> int:
            with spans.app.start_as_current_span(f"job-{n}") as parent:
                client.sessions.list()
                return parent.get_span_context().span_id

        with ThreadPoolExecutor(max_workers=4) as pool:
            parents = list(pool.map(job, range(8)))
        with spans.app.start_as_current_span("main") as main:
            client.keys.check()
    found = spans.series()
    assert len(found) == 9
    children = sorted(s.parent.span_id for s in found if s.parent is not None)
    assert children == sorted([*parents, main.get_span_context().span_id])


async def test_iterate_records_one_list_span_per_page(spans: Spans, recorder: Recorder) -> None:
    recorder.reply(
        ok({"Page": 1, "Sessions": [SESSION]}),
        ok({"Page": 2, "Sessions": []}),
    )
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        found = [s.session_id async for s in client.sessions.iterate()]
    assert found == ["s1"]
    assert [s.name for s in spans.series()] == ["series.sessions.list"] * 2


async def test_a_call_refused_before_any_io_records_no_span(
    spans: Spans, recorder: Recorder
) -> None:
    recorder.reply(ok(SESSION))
    client = SeriesClient(API_KEY, base_url=recorder.url)
    with pytest.raises(ValidationError):
        await client.sessions.get("")
    await client.aclose()
    with pytest.raises(SeriesError, match="client is closed"):
        await client.sessions.get("s1")
    assert spans.series() == []
    assert recorder.requests == []


async def test_check_key_shows_its_template_never_the_key(
    spans: Spans, series_emulator: SeriesEmulator
) -> None:
    async with emulated(series_emulator) as client:
        await client.keys.check()
    span = spans.one()
    assert span.name == "series.keys.check"
    assert span.attributes is not None
    assert span.attributes["url.template"] == "/basic/check-key/{apiKey}"
    assert not [t for t in strings_of([span]) if series_emulator.api_key in t]


_KEY_CHARS = st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp", "Cf", "Co", "Cn"))


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.text(_KEY_CHARS, min_size=12, max_size=48))
def test_no_span_ever_holds_the_key_whatever_its_shape(
    spans: Spans, series_emulator: SeriesEmulator, key: str
) -> None:
    spans.exporter.clear()
    series_emulator.inject("http_503", routes="keys.check")
    series_emulator.inject("drop_before", routes="sessions.get", times=2)
    with series_sync.SeriesClient(key, base_url=series_emulator.url) as client:
        for call in (lambda: client.keys.check(key), lambda: client.sessions.get(key)):
            # An unknown key, or an id nobody has: the spans are what matters.
            with contextlib.suppress(SeriesError):
                call()
    found = spans.series()
    assert [s.name for s in found] == ["series.keys.check", "series.sessions.get"]
    secrets = {key, quote(key, safe="")}
    leaks = [t for t in strings_of(found) for secret in secrets if secret in t]
    assert leaks == []


async def test_no_span_holds_the_proxy_or_its_credentials(spans: Spans, recorder: Recorder) -> None:
    proxy = ForwardProxy(credentials=("alice", "s3cr3t-Pa55"))
    await proxy.start()
    try:
        recorder.reply(fail(503, "busy"), ok(SESSION))
        url = proxy.url.replace("http://", "http://alice:s3cr3t-Pa55@")
        async with SeriesClient(API_KEY, base_url=recorder.url, proxy=url) as client:
            await client.sessions.get("s1")
    finally:
        await proxy.stop()
    assert len(proxy.requests) == 2  # both attempts went through the proxy
    span = spans.one()
    assert span.attributes is not None
    assert span.attributes["server.port"] == port_of(recorder.url)  # the API's, not the proxy's
    texts = strings_of([span])
    assert [t for t in texts if "s3cr3t" in t or "alice" in t or API_KEY in t] == []
    assert str(port_of(proxy.url)) not in texts


async def test_a_derived_clients_key_is_in_no_span_either(spans: Spans, recorder: Recorder) -> None:
    other = "sk_live_other_workspace_5a4b3c2d1e"
    recorder.reply(fail(503, "busy"), ok({"Valid": True}))
    async with SeriesClient(API_KEY, base_url=recorder.url) as client:
        await client.with_options(api_key=other).keys.check()
    assert recorder.requests[-1].raw_path == f"/basic/check-key/{other}"  # the key went out
    found = spans.series()
    assert [s.name for s in found] == ["series.keys.check"]
    assert [t for t in strings_of(found) if other in t or API_KEY in t] == []
