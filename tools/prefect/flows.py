"""The flow the suite's deployment runs on the real worker: a couple of tasks, so the flow-run process makes the
calls a real run makes (set_state for the flow and each task, task-run creation, logs)."""

from prefect import flow, task


@task
def add(a: int, b: int) -> int:
    return a + b


@flow(name="insights-load")
def insights_load(n: int = 2) -> int:
    total = 0
    for i in range(n):
        total = add(total, i)
    return total
