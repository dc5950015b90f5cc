"""Bounded load on a real Prefect server through Prefect's own client, the calls flows, workers and the UI make.

Run by the TypeScript harness (tests/prefect/harness) with the recorder folder on PYTHONPATH, which writes every
request (method, path, status, client-side seconds) to the ground-truth JSONL file; this script only decides what
to call. Bounded by --seconds and --max-iterations; --concurrency loops run side by side. --pause sets the quiet
rate; --keep-going lets a loop survive failed calls (incident timelines: the server answers 500 or goes away), and
--no-pool-calls leaves the work-pool routes (heartbeat, pool read, polls) to the real worker: a hang on the work
pool then stalls only the worker and the readers that ask for it, and the worker's silence can be seen.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from pathlib import Path
from typing import Any

from prefect.client.orchestration import PrefectClient, get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.exceptions import ObjectAlreadyExists
from prefect.states import Completed, Pending, Running, to_state_create

FLOWS_DIR = Path(__file__).resolve().parent


async def prepare(client: PrefectClient, pool: str) -> tuple[uuid.UUID, uuid.UUID]:
    """The work pool, a flow and a deployment of tools/prefect/flows.py that the real worker can run."""
    try:
        await client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
    except ObjectAlreadyExists:
        pass
    flow_id = await client.create_flow_from_name("insights-load")
    deployment_id = await client.create_deployment(
        flow_id=flow_id,
        name="insights-load",
        work_pool_name=pool,
        entrypoint="flows.py:insights_load",
        path=str(FLOWS_DIR),
        pull_steps=[{"prefect.deployments.steps.set_working_directory": {"directory": str(FLOWS_DIR)}}],
        parameters={"n": 2},
    )
    return flow_id, deployment_id


async def api_run(client: PrefectClient, flow_id: uuid.UUID) -> None:
    """A run driven through the API the way a flow process does: create, Running, Completed, read back."""
    body: dict[str, Any] = {
        "flow_id": str(flow_id),
        "name": f"api-{uuid.uuid4().hex[:8]}",
        "state": to_state_create(Pending()).model_dump(mode="json"),
    }
    created = (await client.request("POST", "/flow_runs/", json=body)).json()
    run_id = uuid.UUID(created["id"])
    await client.set_flow_run_state(run_id, Running())
    await client.set_flow_run_state(run_id, Completed())
    await client.read_flow_run(run_id)


async def ui_reads(client: PrefectClient) -> None:
    """What the runs page and the dashboard ask for."""
    await client.read_flow_runs(limit=10)
    await client.request("POST", "/flow_runs/paginate", json={"page": 1, "limit": 10})
    await client.count_flow_runs()
    await client.request("POST", "/task_runs/count", json={})


async def worker_calls(client: PrefectClient, pool: str, worker: str) -> None:
    """What a worker's loop sends besides the real worker's own: heartbeat, pool read, scheduled runs."""
    await client.send_worker_heartbeat(pool, worker)
    await client.read_work_pool(pool)
    await client.get_scheduled_flow_runs_for_work_pool(pool)


async def iteration(
    client: PrefectClient,
    args: argparse.Namespace,
    ids: tuple[uuid.UUID, uuid.UUID],
    seed: int,
    i: int,
    pick: float,
) -> None:
    flow_id, deployment_id = ids
    if pick < 0.35 or (args.no_pool_calls and pick >= 0.85):
        await ui_reads(client)
    elif pick < 0.7 or args.no_pool_calls:
        await api_run(client, flow_id)
    else:
        await worker_calls(client, args.pool, f"driver-{seed}")
    if args.deployment_every > 0 and i % args.deployment_every == 0:
        await client.create_flow_run_from_deployment(deployment_id)


async def loop(args: argparse.Namespace, flow_id: uuid.UUID, deployment_id: uuid.UUID, seed: int) -> None:
    rng = random.Random(seed)
    deadline = time.monotonic() + args.seconds
    # Loops join one by one over --ramp seconds, as clients of a surge arrive, not all in the same instant.
    await asyncio.sleep(args.ramp * seed / args.concurrency)
    async with get_client() as client:
        for i in range(args.max_iterations):
            if time.monotonic() >= deadline:
                return
            try:
                await iteration(client, args, (flow_id, deployment_id), seed, i, rng.random())
            except Exception:  # noqa: BLE001 - only with --keep-going; the recorder has kept the failed request
                if not args.keep_going:
                    raise
                await asyncio.sleep(1.0)
            await asyncio.sleep(rng.uniform(0, args.pause))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pool", required=True)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-iterations", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=3)
    parser.add_argument("--pause", type=float, default=0.3, help="seconds, upper bound of the random pause")
    parser.add_argument("--keep-going", action="store_true", help="a failed call does not end the loop")
    parser.add_argument("--no-pool-calls", action="store_true", help="no heartbeat, pool read or poll")
    parser.add_argument(
        "--deployment-every", type=int, default=40, help="one deployment run per N iterations (0: none)"
    )
    parser.add_argument("--ramp", type=float, default=0, help="seconds over which the loops start, one by one")
    args = parser.parse_args()
    if args.deployment_every < 0 or args.ramp < 0 or args.concurrency < 1:
        parser.error("--deployment-every and --ramp must be >= 0, --concurrency >= 1")
    async with get_client() as client:
        while True:
            try:
                flow_id, deployment_id = await prepare(client, args.pool)
                break
            except Exception:  # noqa: BLE001 - a bump driver may start while the server restarts
                if not args.keep_going:
                    raise
                await asyncio.sleep(2.0)
    await asyncio.gather(*(loop(args, flow_id, deployment_id, seed) for seed in range(args.concurrency)))


if __name__ == "__main__":
    asyncio.run(main())
