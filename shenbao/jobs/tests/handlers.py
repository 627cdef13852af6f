"""Job handlers for the tests of the queue itself."""

import time

from shenbao.jobs import queue


@queue.handler(queue="test")
def slow_the_first_time(job) -> str:
    """Hangs on its first attempt (the worker is killed then), finishes on the next."""
    if job.attempts == 1:
        time.sleep(120)
    return f"finished on attempt {job.attempts}"


@queue.handler(queue="test")
def quick(job) -> str:
    return "done"
