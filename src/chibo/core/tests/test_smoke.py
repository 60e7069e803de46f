from chibo.core.audit import verify_chain
from chibo.members.models import Member


def test_demo_is_loaded_and_chain_intact(db, personas):
    assert len(personas) == 6
    assert Member.objects.count() > 250
    assert verify_chain().ok
