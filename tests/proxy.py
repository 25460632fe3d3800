"""A tiny forward HTTP proxy on 127.0.0.1 that records what it is asked to forward.

Enough of RFC 9112 for the SDK's requests: it reads one request (absolute-form
target, Content-Length body), checks ``Proxy-Authorization`` when told to, sends
the request on to the origin in origin-form with ``Connection: close``, and
relays the origin's answer byte for byte, then closes the client connection.
A ``CONNECT`` (an https:// target) is recorded and refused with 403 (or 407).
"""

from __future__ import annotations

import asyncio
import base64
from urllib.parse import urlsplit

import attrs

from tests.loopback import listen_raw

__all__ = ["ForwardProxy", "ProxiedRequest"]


@attrs.frozen
class ProxiedRequest:
    """One request as the proxy received it."""

    method: str
    target: str  # the request-target exactly as sent: absolute-form for a proxy
    headers: dict[str, str]  # header names lower-cased
    body: bytes


class ForwardProxy:
    """Start with ``await proxy.start()``; ``proxy.url`` is ``http://127.0.0.1:<port>``.

    Args:
        credentials: ``(user, password)`` the proxy demands (407 otherwise), or ``None``.
        connect_status: The status a ``CONNECT`` is refused with (default: 403, or
            407 when the credentials are wrong).
        connect_reason: The reason phrase of that refusal (default: the standard one).
    """

    def __init__(
        self,
        credentials: tuple[str, str] | None = None,
        *,
        connect_status: int | None = None,
        connect_reason: str | None = None,
    ) -> None:
        self.requests: list[ProxiedRequest] = []
        self._credentials = credentials
        self._connect_status = connect_status
        self._connect_reason = connect_reason
        self._server: asyncio.Server | None = None
        self.url = ""

    async def start(self) -> None:
        self._server, self.url = await listen_raw(self._serve)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def _authorized(self, headers: dict[str, str]) -> bool:
        if self._credentials is None:
            return True
        pair = ":".join(self._credentials).encode()
        return headers.get("proxy-authorization") == "Basic " + base64.b64encode(pair).decode()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _version = lines[0].split(" ", 2)
            headers: dict[str, str] = {}
            for line in lines[1:]:
                if line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append(ProxiedRequest(method, target, headers, body))
            if method == "CONNECT":
                # Tunnels are recorded and refused: enough to see what a client
                # sends in the clear before its TLS handshake.
                status = b"403 Forbidden"
                if not self._authorized(headers):
                    status = b"407 Proxy Authentication Required"
                if self._connect_status is not None:
                    reason = self._connect_reason or "Refused"
                    status = f"{self._connect_status} {reason}".encode("latin-1")
                writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
                return
            if not self._authorized(headers):
                writer.write(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                    b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n'
                    b"Connection: close\r\n\r\n"
                )
                await writer.drain()
                return
            await self._forward(method, target, headers, body, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _forward(
        self,
        method: str,
        target: str,
        headers: dict[str, str],
        body: bytes,
        writer: asyncio.StreamWriter,
    ) -> None:
        parts = urlsplit(target)
        assert parts.hostname is not None
        assert parts.port is not None
        origin_reader, origin_writer = await asyncio.open_connection(parts.hostname, parts.port)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        skip = {"proxy-authorization", "proxy-connection", "connection", "keep-alive"}
        out = [f"{method} {path} HTTP/1.1"]
        out += [f"{name}: {value}" for name, value in headers.items() if name not in skip]
        out.append("Connection: close")
        origin_writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)
        await origin_writer.drain()
        answer = await origin_reader.read()  # the origin closes after one answer
        origin_writer.close()
        writer.write(answer)
        await writer.drain()
