"""Concurrent pressure on one kind of Prefect API call (or the UI's mix of them), for inducing incidents.

With a tiny pool (PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE=2, MAX_OVERFLOW=0, POOL_TIMEOUT=5) a few dozen
concurrent runs-page reads exhaust the pool; with a second PostgreSQL session holding a lock they hang. Every
request (and every retry of Prefect's client) lands in the recorder's JSONL when tools/prefect/recorder is on
PYTHONPATH, so the harness knows what the server answered (500 or 503) and when. Bounded by --seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from prefect.client.orchestration import PrefectClient, get_client


async def dashboard(client: PrefectClient, pool: str) -> None:
    """What an open Prefect UI asks for, each call on its own: one that fails does not keep the others back."""
    calls = [
        lambda: client.request("POST", "/flow_runs/filter", json={"limit": 50}),
        lambda: client.request("POST", "/flow_runs/count", json={}),
        lambda: client.request("POST", "/task_runs/count", json={}),
        lambda: client.request("POST", "/deployments/filter", json={"limit": 50}),
        lambda: client.read_work_pool(pool),
    ]
    for call in calls:
        try:
            await call()
        except Exception:  # noqa: BLE001 - failures are the point; the recorder keeps them
            await asyncio.sleep(0.2)


async def one(client: PrefectClient, call: str, pool: str) -> None:
    if call == "runs-page":
        await client.request("POST", "/flow_runs/filter", json={"limit": 50})
        await client.request("POST", "/flow_runs/count", json={})
    elif call == "work-pool":
        await client.read_work_pool(pool)
    elif call == "dashboard":
        await dashboard(client, pool)
    else:
        raise ValueError(call)


async def loop(args: argparse.Namespace, k: int) -> None:
    deadline = time.monotonic() + args.seconds
    # Loops that all wait for the same lock fail together; spread over --spread seconds, their answers reach the
    # server's histogram steadily instead of in one burst per timeout.
    await asyncio.sleep(k * args.spread / max(1, args.concurrency))
    async with get_client() as client:
        while time.monotonic() < deadline:
            try:
                await one(client, args.call, args.pool)
            except Exception:  # noqa: BLE001 - failures are the point; the recorder keeps them
                await asyncio.sleep(0.2)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--call", choices=["runs-page", "work-pool", "dashboard"], default="runs-page")
    parser.add_argument("--pool", default="insights")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--spread", type=float, default=0, help="seconds over which the loops start")
    args = parser.parse_args()
    await asyncio.gather(*(loop(args, k) for k in range(args.concurrency)))


if __name__ == "__main__":
    asyncio.run(main())
