"""National-scale load data (``chibo demo --members N --units N``): COPY on PostgreSQL, refused on SQLite."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count

from chibo.demo.national import build_national
from chibo.members.models import Member
from chibo.units.models import Unit


def test_national_data(db):
    if connection.vendor != "postgresql":
        with pytest.raises(RuntimeError, match="PostgreSQL"):
            build_national(members=100, units=10, log=lambda s: None)
        return
    members_before, units_before = Member.objects.count(), Unit.objects.count()
    result = build_national(members=3000, units=60, seed=1, log=lambda s: None)
    assert result["members"] == 3000
    assert Member.objects.count() == members_before + 3000
    assert Unit.objects.count() == units_before + 60
    new = Member.objects.filter(card_number__gte="20000000", card_number__lt="30000000")
    # Names repeat the Vietnamese way (Nguyễn ≈ 38%), statuses follow the demo's weights.
    share = new.filter(full_name__startswith="Nguyễn ").count() / 3000
    assert 0.3 < share < 0.46
    statuses = dict(new.values_list("status").annotate(n=Count("pk")))
    assert statuses["full"] > statuses["probationary"] > 0
    # Every new unit hangs in the tree under the demo's root, with a consistent path.
    for u in Unit.objects.filter(code__startswith="TQ").select_related("parent")[:50]:
        assert u.path.startswith(u.parent.path) and len(u.path) == len(u.parent.path) + 8
    # Derived keys are those the services compute.
    from chibo.core.text import name_sort_key, search_key

    m = new.first()
    assert m.name_search == search_key(m.full_name) and m.name_sort == name_sort_key(m.full_name)
