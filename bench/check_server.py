"""Show that the bench server is never the bottleneck: load it from several processes.

Each load process opens ``--connections`` keep-alive sockets and, on each, sends the next
``GET /sessions/get/{id}`` as soon as the previous answer is complete: a client far
cheaper per request than any real HTTP client, so the server is pushed much harder
than in ``run.py``. It prints the aggregate rate and the server's CPU per request;
``1e6 / cpu_us_per_request`` is what one server core can answer.

Usage::

    python bench/check_server.py --processes 2 --connections 32 --seconds 3
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import multiprocessing
import time

from run import bench_server, server_stats
from server import SESSION_ID

__all__ = ["main"]

_REQUEST = (f"GET /sessions/get/{SESSION_ID} HTTP/1.1\r\nHost: bench\r\napikey: k\r\n\r\n").encode()


class _Pinger(asyncio.Protocol):
    """Sends one request, waits for ``size`` bytes of answer, repeats until ``deadline``."""

    def __init__(self, size: int, deadline: float, done: asyncio.Future[int]) -> None:
        self._size = size
        self._deadline = deadline
        self._done = done
        self._pending = 0
        self._count = 0
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._send()

    def _send(self) -> None:
        assert self._transport is not None
        self._pending = self._size
        self._transport.write(_REQUEST)

    def data_received(self, data: bytes) -> None:
        self._pending -= len(data)
        if self._pending > 0:
            return
        self._count += 1
        if time.perf_counter() < self._deadline:
            self._send()
        elif not self._done.done():
            self._done.set_result(self._count)
            assert self._transport is not None
            self._transport.close()


async def _load(port: int, connections: int, seconds: float, size: int) -> int:
    loop = asyncio.get_running_loop()
    deadline = time.perf_counter() + seconds
    futures: list[asyncio.Future[int]] = []
    for _ in range(connections):
        done: asyncio.Future[int] = loop.create_future()
        futures.append(done)
        await loop.create_connection(
            functools.partial(_Pinger, size, deadline, done), "127.0.0.1", port
        )
    return sum(await asyncio.gather(*futures))


def _worker(
    port: int, connections: int, seconds: float, size: int, out: multiprocessing.Queue[int]
) -> None:
    out.put(asyncio.run(_load(port, connections, seconds, size)))


def _answer_size(base_url: str) -> int:
    import urllib.request

    with urllib.request.urlopen(f"{base_url}/sessions/get/{SESSION_ID}") as resp:
        body = resp.read()
        head = "".join(f"{k}: {v}\r\n" for k, v in resp.headers.items())
    return len(f"HTTP/1.1 200 OK\r\n{head}\r\n".encode()) + len(body)


def main(argv: list[str] | None = None) -> None:
    """Run the load processes against a fresh bench server and print what it sustained."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32, help="per process")
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args(argv)
    with bench_server() as (base_url, _):
        port = int(base_url.rsplit(":", 1)[1])
        size = _answer_size(base_url)
        queue: multiprocessing.Queue[int] = multiprocessing.Queue()
        before = server_stats(base_url)
        started = time.perf_counter()
        procs = [
            multiprocessing.Process(
                target=_worker, args=(port, args.connections, args.seconds, size, queue)
            )
            for _ in range(args.processes)
        ]
        for proc in procs:
            proc.start()
        total = sum(queue.get(timeout=args.seconds + 60) for _ in procs)
        for proc in procs:
            proc.join()
        elapsed = time.perf_counter() - started
        after = server_stats(base_url)
    served = after["requests"] - before["requests"]
    cpu = after["cpu_seconds"] - before["cpu_seconds"]
    report = {
        "processes": args.processes,
        "connections_per_process": args.connections,
        "answers": total,
        "answers_per_s": round(total / elapsed),
        "server_cpu_us_per_request": round(cpu / served * 1e6, 2),
        "server_busy": round(cpu / elapsed, 3),
        "one_core_capacity_per_s": round(served / cpu),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
