"""Stopping on SIGINT/SIGTERM: the first signal asks the run to finish what is in flight, a second one stops hard."""

from __future__ import annotations

import signal
from contextlib import contextmanager
from typing import Iterator


class StopRequest:
    """Set by the first SIGINT/SIGTERM; the run polls it and finishes what is in flight.

    The handler only records the signal: Python runs it in the main thread wherever that thread
    happens to be, so taking a lock there (even `threading.Event.set`) can deadlock against the
    thread's own wait, and I/O there can hit a reentrant write.
    """

    def __init__(self) -> None:
        self.signum: int | None = None

    def __bool__(self) -> bool:
        return self.signum is not None


@contextmanager
def stop_on_signal() -> Iterator[StopRequest]:
    """First SIGINT/SIGTERM: the yielded request becomes true; a second one: stop hard (KeyboardInterrupt)."""
    request = StopRequest()

    def handler(signum, _frame):
        if request:
            raise KeyboardInterrupt
        request.signum = signum

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield request
    finally:
        for s, h in old.items():
            signal.signal(s, h)


__all__ = ["StopRequest", "stop_on_signal"]
