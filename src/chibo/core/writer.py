"""Writing on a second thread, in the caller's transaction, while the caller makes what comes next.

A bulk write spends its time in two places in turn: the process checks and formats a batch, then the database
stores it (the indexes, the triggers), and the process waits. ``WriterThread`` runs the writes on a thread of its
own that uses the caller's database connection, so that its writes are in the caller's transaction (a second
connection could not share it), while the caller goes on checking the next batch: the process and the database
work at the same time, and the whole takes about the longer of the two instead of their sum. Everything still
commits or rolls back with the caller's transaction.

Rules for the caller, between ``start`` (or entering the ``with`` block) and ``close``:

- do not use the database: the connection is the writer's (both threads would take turns on it: correct, since
  the driver locks it for each statement, but nothing would overlap, and a query could fall between two of the
  writer's statements); in particular open or leave no ``transaction.atomic`` block;
- hand over batches in the order they must be written (``put``): one batch is written at a time, in order.

An exception raised by the writes is raised again in the caller, by the next ``put`` or by ``close``, and nothing
more is written after it; the caller leaves its transaction by that exception, which rolls back everything.
Leaving the ``with`` block by an exception drops the batches still queued and waits for the one being written;
when the writes had failed meanwhile, their error is raised instead (the caller's is often its consequence).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import translation

T = TypeVar("T")
_STOP = object()


class WriterThread(Generic[T]):
    """``write(batch)`` for each batch ``put``, on a second thread sharing the caller's connection (see the
    module's docstring). ``depth``: batches waiting at most (``put`` waits beyond that: the caller never runs
    far ahead of the database)."""

    def __init__(self, write: Callable[[T], object], *, depth: int = 2, using: str = DEFAULT_DB_ALIAS) -> None:
        self.write = write
        self.using = using
        self.queue: queue.Queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.aborted = False
        self.thread: threading.Thread | None = None
        self.connection = connections[using]

    def start(self) -> WriterThread[T]:
        if not self.connection.in_atomic_block:
            raise RuntimeError("WriterThread writes in the caller's transaction: open one first.")
        self.connection.inc_thread_sharing()
        self.thread = threading.Thread(target=self._run, args=(translation.get_language(),),
                                       name="chibo-writer", daemon=True)
        self.thread.start()
        return self

    def put(self, batch: T) -> None:
        """Hand ``batch`` over; raises the writes' error, if one happened."""
        self._raise()
        assert self.thread is not None, "start() first"
        self.queue.put(batch)

    def close(self, *, abort: bool = False) -> None:
        """Wait for the batches handed over to be written (``abort``: drop those not begun), then raise the writes'
        error if one happened. The caller may use the connection again afterwards."""
        if self.thread is None:
            return
        self.aborted = self.aborted or abort
        self.queue.put(_STOP)
        self.thread.join()
        self.thread = None
        self.connection.dec_thread_sharing()
        if not abort:
            self._raise()

    def __enter__(self) -> WriterThread[T]:
        return self.start()

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(abort=exc_type is not None)  # the thread joined: its error, if any, is set
        if exc is not None and self.error is not None and self.error is not exc:
            # The writes failed too: the caller's error (say, a query refused in the transaction the failure
            # aborted) is likely its consequence; the cause is raised, with the caller's error as its context.
            failed, self.error = self.error, None
            raise failed

    def _raise(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            self.aborted = True  # nothing more is written; the caller's transaction must roll back
            raise error

    def _run(self, language: str | None) -> None:
        connections[self.using] = self.connection  # this thread's connection is the caller's (its transaction)
        if language:
            translation.activate(language)
        try:
            while (batch := self.queue.get()) is not _STOP:
                if self.error is None and not self.aborted:  # after an error, batches are taken and dropped
                    try:
                        self.write(batch)
                    except BaseException as exc:  # raised again in the caller
                        self.error = exc
        finally:
            translation.deactivate()
            del connections[self.using]  # the connection stays the caller's: not closed with this thread
