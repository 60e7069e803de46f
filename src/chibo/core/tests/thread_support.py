"""Tests that run database work in several threads at once: each thread has its own connection, hence its own
transactions. These helpers start the threads, collect what they raise, close their connections and wait for them;
a test names only the work."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection

TIMEOUT = 120  # seconds a thread may take before the test fails (a thread stuck on a lock, say)


def together(*calls: Callable[[], object]) -> None:
    """Run each call in a thread of its own, all released at the same moment; AssertionError naming every
    exception raised in them."""
    barrier = threading.Barrier(len(calls))

    def released(call: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            barrier.wait(TIMEOUT)
            return call()
        return run

    _run([released(call) for call in calls])


def while_running(once: Callable[[], object], *loops: Callable[[], object]) -> int:
    """``once`` in a thread; each of ``loops`` called again and again, each in a thread of its own, until ``once``
    has returned or failed. AssertionError naming every exception raised; returns how many loop calls were made."""
    stop = threading.Event()
    made: list[int] = []

    def first() -> None:
        try:
            once()
        finally:
            stop.set()

    def repeat(loop: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            while not stop.is_set():
                loop()
                made.append(1)
        return run

    _run([first, *(repeat(loop) for loop in loops)], stop=stop)
    return len(made)


def retry_while_locked(call: Callable[[], object], *, tries: int = 500, pause: float = 0.01) -> object:
    """``call()``, again while SQLite says "database is locked" (its one writer at a time); other errors at once."""
    for attempt in range(1, tries + 1):
        try:
            return call()
        except Exception as exc:
            if "locked" not in str(exc) or attempt == tries:
                raise
            time.sleep(pause)
    raise AssertionError("unreachable")


def _run(targets: list[Callable[[], object]], *, stop: threading.Event | None = None) -> None:
    errors: list[BaseException] = []

    def guarded(target: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as exc:  # noqa: BLE001 - reported by the caller's thread below
                errors.append(exc)
                if stop is not None:
                    stop.set()  # the others stop too
            finally:
                connection.close()  # this thread's own connection
        return run

    threads = [threading.Thread(target=guarded(target)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), f"a thread still runs after {TIMEOUT} s"
    assert not errors, errors
