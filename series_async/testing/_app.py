"""The aiohttp application: routes, the request pipeline, and fault rendering.

Pipeline of every request: log it, pick a fault; a *before* fault answers (or
hangs up) without running anything; otherwise authenticate (401), count the
rate limit (429), run the endpoint logic under the state lock, and answer,
unless an *after* fault mangles or drops the answer.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import Awaitable, Callable, Mapping

import attrs
from aiohttp import web

from series_async.testing import _attendance, _ranking, _roles, _sessions
from series_async.testing._access import (
    RateLimited,
    authenticate,
    check_key,
    consume_quota,
    touch,
)
from series_async.testing._faults import FaultInjector, FaultKind, FaultRule
from series_async.testing._state import RequestRecord, Store
from series_async.testing._wire import ApiError, Call, JsonObject, Reply, invalid

__all__ = ["ROUTE_TABLE", "Route", "build_app"]

Logic = Callable[[Store, Call], Reply]
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@attrs.frozen
class Route:
    """One documented endpoint."""

    name: str
    method: str
    path: str
    logic: Logic


def _check_key(store: Store, call: Call) -> Reply:
    return check_key(store, call.params["apiKey"])


ROUTE_TABLE = (
    Route("keys.check", "GET", "/basic/check-key/{apiKey}", _check_key),
    Route("sessions.create", "POST", "/sessions/create", _sessions.create_session),
    Route("sessions.get", "GET", "/sessions/get/{sessionId}", _sessions.get_session),
    Route("sessions.list", "GET", "/sessions/list", _sessions.list_sessions),
    Route("sessions.update", "PATCH", "/sessions/update/{sessionId}", _sessions.update_session),
    Route(
        "sessions.claim_custom_role",
        "PATCH",
        "/sessions/{sessionId}/custom-roles/claim",
        _roles.claim_role,
    ),
    Route(
        "sessions.quit_custom_role",
        "PATCH",
        "/sessions/{sessionId}/custom-roles/quit",
        _roles.quit_role,
    ),
    Route(
        "sessions.remove_custom_role",
        "PATCH",
        "/sessions/{sessionId}/custom-roles/remove",
        _roles.remove_role,
    ),
    Route(
        "attendance.add_attendee",
        "POST",
        "/attendance/add-attendee/{sessionId}",
        _attendance.add_attendee,
    ),
    Route(
        "attendance.update_attendee",
        "POST",
        "/attendance/update-attendee/{sessionId}",
        _attendance.update_attendee,
    ),
    Route("ranking.promote", "POST", "/ranking/promote/{userId}", _ranking.promote),
    Route("ranking.demote", "POST", "/ranking/demote/{userId}", _ranking.demote),
    Route("ranking.set_rank", "POST", "/ranking/set-rank/{userId}/{rankNumber}", _ranking.set_rank),
)

_GATEWAY_PAGE = (
    "<html><head><title>{status} {reason}</title></head><body><h1>{status} {reason}</h1>"
    "<p>series-emulator: injected fault</p></body></html>"
)


def _json_bytes(payload: JsonObject) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _json_response(status: int, payload: JsonObject, headers: Mapping[str, str]) -> web.Response:
    return web.Response(
        status=status,
        body=_json_bytes(payload),
        content_type="application/json",
        charset="utf-8",
        headers=headers,
    )


def _retry_after(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


# What aiohttp's own request size limit allows, applied after decompression too.
MAX_BODY = 1024**2


def _inflate(raw: bytes, wbits: int) -> bytes:
    inflater = zlib.decompressobj(wbits)
    out = inflater.decompress(raw, MAX_BODY + 1)
    if len(out) > MAX_BODY:
        raise ApiError(413, f"Request body is larger than {MAX_BODY} bytes once decompressed")
    if not inflater.eof:
        raise zlib.error("the compressed data ends early")
    return out


def _decompress(raw: bytes, encoding: str) -> bytes:
    """Undo ``Content-Encoding`` (gzip, x-gzip, deflate, identity; last applied first).

    The server decompresses itself rather than through aiohttp, whose errors for a
    corrupt or unsupported encoding are a plain-text answer and a logged traceback.
    """
    for coding in reversed([c.strip().lower() for c in encoding.split(",") if c.strip()]):
        if coding == "identity":
            continue
        if coding not in ("gzip", "x-gzip", "deflate"):
            raise invalid(
                f"Content-Encoding {coding[:40]!r} is not supported (gzip, deflate or identity)"
            )
        try:
            if coding == "deflate":
                try:
                    raw = _inflate(raw, zlib.MAX_WBITS)  # zlib-wrapped, as RFC 9110 says
                except zlib.error:
                    raw = _inflate(raw, -zlib.MAX_WBITS)  # raw deflate, as some clients send
            else:
                raw = _inflate(raw, 16 + zlib.MAX_WBITS)
        except zlib.error:
            raise invalid(f"request body cannot be decompressed ({coding})") from None
    return raw


def _decode_body(raw: bytes, method: str, encoding: str = "") -> JsonObject:
    if method == "GET":
        return {}
    if encoding:
        raw = _decompress(raw, encoding)
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise ApiError(400, "Validation error: request body is not valid JSON") from None
    except RecursionError:
        raise ApiError(400, "Validation error: request body is nested too deeply") from None
    if not isinstance(value, dict):
        raise ApiError(400, "Validation error: request body must be a JSON object")
    return value


def _hang_up(request: web.Request) -> web.Response:
    # Aborting the transport makes aiohttp drop the returned response quietly,
    # and the client sees the connection close with no (or half an) answer.
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=204)


class _Pipeline:
    """The request handler shared by every route of one emulator."""

    def __init__(
        self, store: Store, faults: FaultInjector, handlers: set[asyncio.Task[object]]
    ) -> None:
        self.store = store
        self.faults = faults
        self.handlers = handlers

    def record(
        self,
        request: web.Request,
        route: Route | None,
        status: int | None,
        fault: FaultRule | None,
        *,
        locked: bool = False,
    ) -> None:
        """Append to the request log; ``applied`` means the logic ran and succeeded."""
        is_check = route is not None and route.name == "keys.check"
        record = RequestRecord(
            seq=0,
            method=request.method,
            path="/basic/check-key/{apiKey}" if is_check else request.path,
            route=route.name if route else None,
            status=status,
            applied=locked and status is not None and status < 400,
            fault=fault.kind.value if fault else None,
        )
        if locked:
            self.store.log(record)
        else:
            with self.store.lock:
                self.store.log(record)

    def run(
        self, route: Route, request: web.Request, raw: bytes, fault: FaultRule | None
    ) -> tuple[int, JsonObject, dict[str, str]]:
        """Authenticate, rate-limit, run the logic and log it; return the answer."""
        with self.store.lock:
            status, payload, headers = self._run_locked(route, request, raw)
            self.record(request, route, status, fault, locked=True)
        return status, payload, headers

    def _run_locked(
        self, route: Route, request: web.Request, raw: bytes
    ) -> tuple[int, JsonObject, dict[str, str]]:
        headers: dict[str, str] = {}
        key: str | None = None
        try:
            if route.name != "keys.check":
                config = authenticate(self.store, request.headers)
                key = config.key
                consume_quota(self.store, config)
            call = Call(
                params=dict(request.match_info),
                query={k: request.query[k] for k in request.query},
                body=_decode_body(raw, request.method, request.headers.get("Content-Encoding", "")),
            )
            reply = route.logic(self.store, call)
            return reply.status, reply.body(), headers
        except RateLimited as exc:
            headers["Retry-After"] = str(exc.retry_after)
            return exc.status, exc.body(), headers
        except ApiError as exc:
            return exc.status, exc.body(), headers
        finally:
            if key is not None:
                touch(self.store, key)

    async def handle(self, route: Route, request: web.Request) -> web.StreamResponse:
        """Serve one request of ``route``, with any injected fault."""
        fault = self.faults.pick(route.name)
        kind = fault.kind if fault else None
        if fault is not None and not fault.kind.after_apply:
            return self.before_fault(request, route, fault)
        # The body is read before a delay: a client that gives up during the delay
        # must not turn the (documented as applied) delayed request into a read error.
        raw = await request.read()
        if fault is not None and kind is FaultKind.DELAY:
            await asyncio.sleep(fault.delay)
        status, payload, headers = self.run(route, request, raw, fault)
        if kind is FaultKind.DROP_AFTER:
            return _hang_up(request)
        if kind is FaultKind.NON_JSON_BODY:
            page = _GATEWAY_PAGE.format(status=status, reason="injected")
            return web.Response(status=status, text=page, content_type="text/html")
        if kind is FaultKind.TRUNCATED_BODY:
            body = _json_bytes(payload)
            response = web.StreamResponse(status=status, headers=headers)
            response.content_type = "application/json"
            response.content_length = len(body)
            await response.prepare(request)
            await response.write(body[: len(body) // 2])
            return _hang_up(request)
        return _json_response(status, payload, headers)

    def before_fault(self, request: web.Request, route: Route, fault: FaultRule) -> web.Response:
        """Answer a fault that fires before the logic runs (nothing is applied)."""
        kind = fault.kind
        if kind is FaultKind.DROP_BEFORE:
            self.record(request, route, None, fault)
            return _hang_up(request)
        status = {
            FaultKind.RATE_LIMIT: 429,
            FaultKind.HTTP_500: 500,
            FaultKind.HTTP_502: 502,
            FaultKind.HTTP_503: 503,
        }[kind]
        self.record(request, route, status, fault)
        headers: dict[str, str] = {}
        if kind in (FaultKind.RATE_LIMIT, FaultKind.HTTP_503):
            headers["Retry-After"] = _retry_after(fault.retry_after)
        if kind in (FaultKind.HTTP_502, FaultKind.HTTP_503):
            reason = "Bad Gateway" if status == 502 else "Service Unavailable"
            page = _GATEWAY_PAGE.format(status=status, reason=reason)
            return web.Response(status=status, text=page, content_type="text/html", headers=headers)
        message = "Too many requests" if status == 429 else "Internal server error"
        return _json_response(status, ApiError(status, message).body(), headers)

    def handler(self, route: Route) -> _Handler:
        """Bind :meth:`handle` to one route."""

        async def serve(request: web.Request) -> web.StreamResponse:
            task: asyncio.Task[object] | None = asyncio.current_task()
            if task is not None:
                self.handlers.add(task)
            try:
                return await self.handle(route, request)
            finally:
                self.handlers.discard(task)

        return serve


def build_app(
    store: Store, faults: FaultInjector, handlers: set[asyncio.Task[object]] | None = None
) -> web.Application:
    """Build the emulator's aiohttp application over ``store``.

    ``handlers`` receives the task of each request while its handler runs.
    """
    pipeline = _Pipeline(store, faults, set() if handlers is None else handlers)

    @web.middleware
    async def json_errors(request: web.Request, handler: _Handler) -> web.StreamResponse:
        # Unknown paths and wrong methods get the documented error body too.
        try:
            return await handler(request)
        except web.HTTPException as exc:  # only 404/405 from the router: no redirects here
            pipeline.record(request, None, exc.status, None)
            message = "Route not found" if exc.status == 404 else exc.reason
            headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else {}
            return _json_response(exc.status, ApiError(exc.status, message).body(), headers)

    app = web.Application(middlewares=[json_errors])
    for route in ROUTE_TABLE:
        app.router.add_route(route.method, route.path, pipeline.handler(route))
    return app
