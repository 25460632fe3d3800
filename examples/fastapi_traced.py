"""A FastAPI backend whose Series calls show up in its traces (OpenTelemetry).

Each request to this app gets a server span, continuing the caller's trace when
its ``traceparent`` header carries one; each Series call made while handling it
records a ``series.<group>.<method>`` span under that one, with its attempts,
its retries and its errors, and passes the trace on to the API in its own
``traceparent``.

A real deployment would use ``opentelemetry-instrumentation-fastapi`` for the
server spans and an OTLP exporter; this file keeps to the OpenTelemetry API and
SDK so that it runs anywhere, and prints the spans to the console.

Run it (``pip install "series-sdk[otel,examples]" opentelemetry-sdk uvicorn``)::

    SERIES_API_KEY=... uvicorn --factory examples.fastapi_traced:traced_app
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor, SpanExporter

from series_async import SeriesClient

tracer = trace.get_tracer("hr-backend")


def setup_tracing(exporter: SpanExporter) -> TracerProvider:
    """Send every span of this process (the SDK's included) to ``exporter``.

    Call it once, before the first request: OpenTelemetry's provider is set once
    per process. The SDK finds it through the global API; nothing is passed to it.
    """
    provider = TracerProvider(resource=Resource.create({"service.name": "hr-backend"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))  # BatchSpanProcessor in production
    trace.set_tracer_provider(provider)
    return provider


def create_app() -> FastAPI:
    """The app: one Series client for its lifetime, a server span per request."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with SeriesClient(user_agent="hr-backend/1.0") as client:
            app.state.series = client
            yield

    app = FastAPI(lifespan=lifespan)

    @app.middleware("http")
    async def server_span(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if trace.get_current_span().get_span_context().is_valid:
            # Recent FastAPI releases (and opentelemetry-instrumentation-fastapi)
            # record the request's server span themselves: nothing to add.
            return await call_next(request)
        caller = propagate.extract(request.headers)  # the caller's trace, if it sent one
        with tracer.start_as_current_span(
            f"{request.method} {request.url.path}", context=caller, kind=trace.SpanKind.SERVER
        ) as span:
            response = await call_next(request)  # Series spans started in here are children
            route = request.scope.get("route")
            if route is not None:  # name it by the route, as the semantic conventions ask
                span.update_name(f"{request.method} {route.path}")
            span.set_attribute("http.response.status_code", response.status_code)
            return response

    @app.get("/sessions/{session_id}")
    async def get_session(session_id: str, request: Request) -> dict[str, str]:
        client: SeriesClient = request.app.state.series
        session = await client.sessions.get(session_id)  # records series.sessions.get
        return {"session_id": session.session_id, "title": session.title}

    return app


def traced_app() -> FastAPI:
    """For ``uvicorn --factory``: the app, its spans printed to the console."""
    setup_tracing(ConsoleSpanExporter())
    return create_app()
