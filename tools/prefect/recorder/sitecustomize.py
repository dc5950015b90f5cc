"""Ground truth for the test:prefect suite: every HTTP request a Prefect client makes, as the client saw it.

Python imports `sitecustomize` at start-up from PYTHONPATH, so putting this folder on the PYTHONPATH of the load
driver and of the worker (whose flow-run subprocesses inherit it) records the requests of all of them, retries
included, without touching Prefect. The server never gets this folder: its own measurements are what is judged.
Each request is one JSON line appended to $PREFECT_INSIGHTS_REQUEST_LOG (one write per line, O_APPEND, so lines
from several processes never interleave).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

_LOG = os.environ.get("PREFECT_INSIGHTS_REQUEST_LOG")


def _record(request: Any, status: int, started: float) -> None:
    line = json.dumps(
        {
            "end": time.time(),
            "method": request.method,
            "path": request.url.path,
            "status": status,
            "seconds": time.perf_counter() - started,
            "pid": os.getpid(),
        }
    )
    fd = os.open(_LOG or os.devnull, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def _install() -> None:
    import httpx

    async_send = httpx.AsyncClient.send
    sync_send = httpx.Client.send

    async def send_async(self: httpx.AsyncClient, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        started = time.perf_counter()
        status = 0
        try:
            response = await async_send(self, request, **kwargs)
            status = response.status_code
            return response
        finally:
            _record(request, status, started)

    def send_sync(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        started = time.perf_counter()
        status = 0
        try:
            response = sync_send(self, request, **kwargs)
            status = response.status_code
            return response
        finally:
            _record(request, status, started)

    httpx.AsyncClient.send = send_async  # type: ignore[method-assign]
    httpx.Client.send = send_sync  # type: ignore[method-assign]


if _LOG:
    _install()
