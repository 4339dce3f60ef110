"""Waiting for a condition in plain (not async) code, with a deadline: for tests and the
tools they start (`kohub_platform.testing.eventually` is the async counterpart)."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(
    condition: Callable[[], T],
    *,
    timeout: float,
    message: str,
    interval: float = 0.05,
    error: type[Exception] = AssertionError,
) -> T:
    """Ask `condition` until it answers something truthy, and return that; past `timeout`
    seconds raise `error(message)`. The condition may raise to give up early."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise error(message)
        time.sleep(interval)
    return result
