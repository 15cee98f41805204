"""A lean HTTP/1.1 load generator for the benches: N keep-alive connections, each
request sent exactly once, run in its own process.

``requests`` in threads costs about a millisecond of CPU per request and shares
the GIL, so on a 2-core machine the senders ate the CPU the server needed (the
"ceiling" a trivial 404 reached was ~250 req/s). This one writes the request
bytes and reads the answer with asyncio streams: a few tens of microseconds per
request.

    python bench/_senders.py WORK.json CONNECTIONS  →  JSON on stdout

WORK.json is a list of ``{"url": …, "body": "<latin-1 text>", "headers": {…}}``
(every URL on one host:port). Prints ``{"elapsed": s, "statuses": {…},
"latencies": [s, …]}``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from urllib.parse import urlsplit


def _request_bytes(item: dict) -> tuple[str, int, bytes]:
    parts = urlsplit(item["url"])
    body = item["body"].encode("latin-1")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {
        "Host": parts.netloc,
        "Content-Length": str(len(body)),
        "Connection": "keep-alive",
        **item.get("headers", {}),
    }
    head = f"{item.get('method', 'POST')} {path} HTTP/1.1\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()
    )
    return parts.hostname, parts.port, head.encode("latin-1") + b"\r\n" + body


async def _read_answer(reader: asyncio.StreamReader) -> int:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("the server closed the connection")
    status = int(status_line.split()[1])
    length, close = 0, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "connection" and value.strip().lower() == "close":
            close = True
    if length:
        await reader.readexactly(length)
    return status if not close else -status


async def _run(work: list[dict], connections: int) -> dict:
    prepared = [_request_bytes(item) for item in work]
    host, port = prepared[0][0], prepared[0][1]
    queue: asyncio.Queue = asyncio.Queue()
    for item in prepared:
        queue.put_nowait(item[2])
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    opened = [await asyncio.open_connection(host, port) for _ in range(connections)]

    async def sender(reader, writer):
        while True:
            try:
                payload = queue.get_nowait()
            except asyncio.QueueEmpty:
                writer.close()
                return
            began = time.perf_counter()
            writer.write(payload)
            status = await _read_answer(reader)
            latencies.append(time.perf_counter() - began)
            if status < 0:  # the server asked to close: reconnect for the next one
                status = -status
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
            statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(sender(reader, writer) for reader, writer in opened))
    return {
        "elapsed": time.perf_counter() - started,
        "statuses": statuses,
        "latencies": latencies,
    }


def send(work_file: str, connections: int) -> dict:
    with open(work_file, encoding="utf-8") as handle:
        work = json.load(handle)
    return asyncio.run(_run(work, connections))


if __name__ == "__main__":
    json.dump(send(sys.argv[1], int(sys.argv[2])), sys.stdout)
