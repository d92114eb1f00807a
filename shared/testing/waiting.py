"""Waiting for a state with a deadline, instead of sleeping a fixed time."""

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable

Predicate = Callable[[], object | Awaitable[object]]
"""A sync or async callable whose (awaited) result is taken as true or false."""


async def eventually(
    predicate: Predicate,
    timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the polling, not a wrapper of one await
    interval: float = 0.01,
) -> None:
    """Poll `predicate` every `interval` seconds (10 ms) until its result is true.

    Raises AssertionError when it is still false after `timeout` seconds. An exception raised by
    the predicate propagates at once.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if time.monotonic() >= deadline:
            name = getattr(predicate, "__qualname__", repr(predicate))
            raise AssertionError(f"condition {name} still false after {timeout:g} s")
        await asyncio.sleep(interval)
