"""Steady demo traffic for the instrumented Prefect server: a served flow with a few tasks every 10 seconds."""
from prefect import flow, task


@task
def square(i: int) -> int:
    return i * i


@flow(log_prints=True)
def load(n: int = 20) -> int:
    total = sum(square.submit(i).result() for i in range(n))
    print(f"sum of squares below {n}: {total}")
    return total


if __name__ == "__main__":
    load.serve(name="load", interval=10)
