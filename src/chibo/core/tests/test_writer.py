"""WriterThread: the writes' error reaches the caller, and is not lost when the caller fails meanwhile."""

from __future__ import annotations

import threading

import pytest
from django.db import transaction

from chibo.core.writer import WriterThread

pytestmark = pytest.mark.django_db


class Refused(Exception):
    pass


def test_the_writes_error_is_raised_by_the_next_hand_over_and_not_lost_when_the_caller_fails_too():
    written, failed = [], threading.Event()

    def write(batch):
        if batch == 2:
            failed.set()
            raise ValueError("the database refused batch 2")
        written.append(batch)

    with pytest.raises(ValueError, match="batch 2"), transaction.atomic(), WriterThread(write) as writer:
        for batch in (1, 2):
            writer.put(batch)
        failed.wait(5)
        writer.put(3)  # raises the writes' error
    assert written == [1]

    # The caller fails for a reason of its own after the writes failed (a query refused in the aborted
    # transaction, say): the cause is raised, the caller's error kept as its context.
    failed.clear()
    with pytest.raises(ValueError, match="batch 2") as raised, transaction.atomic(), WriterThread(write) as writer:
        writer.put(2)
        failed.wait(5)
        raise Refused("a row refused later")
    assert isinstance(raised.value.__context__, Refused)
