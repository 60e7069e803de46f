"""Concurrent letter issuing: threads, each in its own transaction and connection, issue letters
from the same unit in the same year; the numbers come out gap-free and unique. Meant for
PostgreSQL (the counter row is locked with SELECT … FOR UPDATE); on SQLite the database lock
serializes writers (a writer that finds it locked retries) and the test still holds."""

from __future__ import annotations

import threading
from datetime import date
from functools import partial

import pytest
from django.test import override_settings

from chibo.core.tests.thread_support import retry_while_locked, together

THREADS = 6
NAMES = ["An", "Bình", "Chung", "Dũng", "Giang", "Hà", "Hải", "Hùng", "Khoa", "Lâm", "Long", "Minh",
         "Nam", "Phong", "Quang", "Sơn", "Tâm", "Thành", "Trung", "Vinh"]
PER_THREAD = 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_letters_are_gap_free(migrated_data):
    from chibo.core.access import SYSTEM, Actor, Grant, Role
    from chibo.members.models import Category, Status
    from chibo.members.services import member_create
    from chibo.transfers import services
    from chibo.transfers.models import Kind, Letter, LetterCounter
    from chibo.units.services import unit_create

    today = date(2026, 6, 15)
    with override_settings(CHIBO_TODAY=today):
        root = unit_create(actor=SYSTEM, parent=None, kind="upper", name="Đảng ủy Bộ Ngoại giao", code="DU",
                           opened_on=date(2000, 1, 1))
        root.refresh_from_db()
        officer = Actor(user=None, grants=(Grant(Role.ORG_OFFICER, root.pk, root.path),), label="officer")
        cell = unit_create(actor=officer, parent=root, kind="grassroots_cell", name="Chi bộ A", code="A",
                           opened_on=date(2001, 1, 1))
        target = unit_create(actor=officer, parent=root, kind="grassroots_cell", name="Chi bộ B", code="B",
                             opened_on=date(2001, 1, 1))
        transfers = []
        for i in range(THREADS * PER_THREAD):
            member = member_create(actor=officer, unit=cell, status=Status.FULL, full_name=f"Nguyễn Văn {NAMES[i]}",
                                   gender="M", birth_date=date(1980, 1, 1), admission_date=date(2005, 1, 1),
                                   confirmation_date=date(2006, 1, 1), category=Category.MISSION_STAFF)
            t = services.transfer_request(actor=officer, member=member, kind=Kind.INTERNAL, to_unit=target,
                                          decision_doc="1/QĐ", decision_date=date(2026, 6, 1), reason="Điều động")
            transfers.append(services.transfer_approve(actor=officer, transfer=t, on=today))

        numbers: list[int] = []
        guard = threading.Lock()

        def work(mine):
            for t in mine:
                letter = retry_while_locked(lambda t=t: services.transfer_issue_letter(
                    actor=officer, transfer=t, on=today, signer_title="Bí thư", signer_name="A",
                    dues_paid_through="05/2026"))
                with guard:
                    numbers.append(letter.seq)

        together(*(partial(work, transfers[i::THREADS]) for i in range(THREADS)))
    total = THREADS * PER_THREAD
    assert sorted(numbers) == list(range(1, total + 1))
    assert (sorted(Letter.objects.filter(issuer=cell, year=2026).values_list("seq", flat=True))
            == list(range(1, total + 1)))
    assert LetterCounter.objects.get(unit=cell, year=2026).last == total
