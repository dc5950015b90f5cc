"""Concurrent pressure on one kind of Prefect API call (or the UI's mix of them), for inducing incidents.

With a tiny pool (PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE=2, MAX_OVERFLOW=0, POOL_TIMEOUT=5) a few dozen
concurrent runs-page reads exhaust the pool; with a second PostgreSQL session holding a lock they hang. `set-state`
loops each move a flow run of their own between Running and Pending, so row locks on flow_run hold their set_state.
Every request (and every retry of Prefect's client) lands in the recorder's JSONL when tools/prefect/recorder is on
PYTHONPATH, so the harness knows what the server answered (500 or 503) and when. Bounded by --seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from prefect.client.orchestration import PrefectClient, get_client
from prefect.states import Pending, Running, to_state_create


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


def ui_task_count_filter() -> dict[str, Any]:
    """The dashboard's task-run card: runs of the last day that ended, counted by the server over task_run."""
    since = datetime.now(timezone.utc) - timedelta(days=1)
    return {
        "task_runs": {
            "start_time": {"after_": since.isoformat()},
            "state": {"type": {"any_": ["COMPLETED", "FAILED", "CRASHED"]}},
        }
    }


def ui_runs_page_calls() -> list[tuple[str, dict[str, Any]]]:
    """The runs page as Prefect's UI opens it: a page of the last 7 days' runs, newest start first, and a flow's
    run list sorted the same way. Both sort flow_run by start time, which only the start-time indexes make cheap."""
    week = (datetime.now(timezone.utc) - timedelta(days=7)).isoformat()
    return [
        (
            "/flow_runs/paginate",
            {"page": 1, "limit": 10, "sort": "START_TIME_DESC", "flow_runs": {"expected_start_time": {"after_": week}}},
        ),
        ("/flow_runs/filter", {"limit": 50, "sort": "START_TIME_DESC"}),
    ]


async def own_run(client: PrefectClient) -> uuid.UUID:
    """A flow run of this loop's own, created before any lock is taken, whose state the loop then moves."""
    flow_id = await client.create_flow_from_name("insights-hammer")
    body: dict[str, Any] = {
        "flow_id": str(flow_id),
        "name": f"hammer-{uuid.uuid4().hex[:8]}",
        "state": to_state_create(Pending()).model_dump(mode="json"),
    }
    created = (await client.request("POST", "/flow_runs/", json=body)).json()
    return uuid.UUID(created["id"])


async def set_state(client: PrefectClient, run_id: uuid.UUID, k: int) -> None:
    """Running, then Pending again, forced: every call writes a state, so each one takes the run's row lock."""
    await client.set_flow_run_state(run_id, Running() if k % 2 == 0 else Pending(), force=True)


async def one(client: PrefectClient, call: str, pool: str) -> None:
    if call == "runs-page":
        await client.request("POST", "/flow_runs/filter", json={"limit": 50})
        await client.request("POST", "/flow_runs/count", json={})
    elif call == "ui-runs-page":
        for path, body in ui_runs_page_calls():
            try:
                await client.request("POST", path, json=body)
            except Exception:  # noqa: BLE001 - failures are the point; the recorder keeps them
                await asyncio.sleep(0.2)
    elif call == "work-pool":
        await client.read_work_pool(pool)
    elif call == "task-count":
        await client.request("POST", "/task_runs/count", json=ui_task_count_filter())
    elif call == "dashboard":
        await dashboard(client, pool)
    else:
        raise ValueError(call)


async def loop(args: argparse.Namespace, k: int) -> None:
    deadline = time.monotonic() + args.seconds
    # Loops that all wait for the same lock fail together; spread over --spread seconds, their answers reach the
    # server's histogram steadily instead of in one burst per timeout.
    async with get_client() as client:
        # set-state loops create their run at once, before the spread: a lock taken after start-up holds them all.
        run_id = await own_run(client) if args.call == "set-state" else None
        await asyncio.sleep(k * args.spread / max(1, args.concurrency))
        i = 0
        while time.monotonic() < deadline:
            i += 1
            try:
                if run_id is not None:
                    await set_state(client, run_id, i)
                    # A run changes state now and then, not in a tight loop: one transition a second per client.
                    await asyncio.sleep(1.0)
                else:
                    await one(client, args.call, args.pool)
            except Exception:  # noqa: BLE001 - failures are the point; the recorder keeps them
                await asyncio.sleep(0.2)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--call",
        choices=["runs-page", "ui-runs-page", "work-pool", "dashboard", "set-state", "task-count"],
        default="runs-page",
    )
    parser.add_argument("--pool", default="insights")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--spread", type=float, default=0, help="seconds over which the loops start")
    args = parser.parse_args()
    await asyncio.gather(*(loop(args, k) for k in range(args.concurrency)))


if __name__ == "__main__":
    asyncio.run(main())
