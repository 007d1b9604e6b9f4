"""Releasing many prepared HTTP requests at one instant, from a process of its own.

The load generator must not share a GIL with the stand-ins it measures against, so it is forked; each
request gets a thread, and a barrier releases them together. CLOCK_MONOTONIC is system-wide on Linux, so
the send times it reports compare with the stand-ins' arrival times.
"""

from __future__ import annotations

import http.client
import multiprocessing
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Prepared:
    path: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Sent:
    at: float  # time.monotonic() when it was sent
    seconds: float  # until the response (or the failure)
    status: int  # 0 when the connection failed
    body: bytes


def send_together(port: int, requests: list[Prepared], timeout: float = 60.0) -> list[Sent]:
    """POSTs every request to 127.0.0.1:`port` at the same instant; the results in the same order."""
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        return pool.apply(_send_together, (port, requests, timeout))


def _send_together(port: int, requests: list[Prepared], timeout: float) -> list[Sent]:
    results: list[Sent | None] = [None] * len(requests)
    gate = threading.Barrier(len(requests))

    def one(index: int) -> None:
        request = requests[index]
        gate.wait()
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            connection.request("POST", request.path, body=request.body, headers=request.headers)
            reply = connection.getresponse()
            results[index] = Sent(started, time.monotonic() - started, reply.status, reply.read())
        except OSError:
            results[index] = Sent(started, time.monotonic() - started, 0, b"")
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(index,)) for index in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
