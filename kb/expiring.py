"""A value a process reads from the database and trusts for a while."""

import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ExpiringValue(Generic[T]):
    """`read()`'s result, kept by this process for `seconds()` and read again after that
    or after `forget()`. Seconds are asked each time, so a setting can change them.

    With `source`, a value past its seconds is kept still while `source()` (what the value
    is read from: the catalog's version, say) says what it said at the read; a `source()`
    of None says nothing, and the value is read again."""

    def __init__(
        self,
        read: Callable[[], T],
        seconds: Callable[[], float],
        source: Callable[[], object] | None = None,
    ):
        self._read = read
        self._seconds = seconds
        self._source = source or (lambda: None)
        # (time.monotonic() of the read, source() before it, value)
        self._value: tuple[float, object, T] | None = None
        # How many times the value was read: what was made from one read can be told
        # from what was made from another.
        self.reads = 0

    def get(self) -> T:
        if self._value is not None:
            read_at, source, value = self._value
            if time.monotonic() - read_at < self._seconds():
                return value
            if source is not None and self._source() == source:
                return value
        source = self._source()
        value = self._read()
        self._value = (time.monotonic(), source, value)
        self.reads += 1
        return value

    def forget(self) -> None:
        self._value = None
