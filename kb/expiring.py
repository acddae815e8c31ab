"""A value a process reads from the database and trusts for a while."""

import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ExpiringValue(Generic[T]):
    """`read()`'s result, kept by this process for `seconds()` and read again after that
    or after `forget()`. Seconds are asked each time, so a setting can change them."""

    def __init__(self, read: Callable[[], T], seconds: Callable[[], float]):
        self._read = read
        self._seconds = seconds
        self._value: tuple[float, T] | None = None  # (time.monotonic() of the read, value)
        # How many times the value was read: what was made from one read can be told
        # from what was made from another.
        self.reads = 0

    def get(self) -> T:
        if self._value is not None:
            read_at, value = self._value
            if time.monotonic() - read_at < self._seconds():
                return value
        value = self._read()
        self._value = (time.monotonic(), value)
        self.reads += 1
        return value

    def forget(self) -> None:
        self._value = None
