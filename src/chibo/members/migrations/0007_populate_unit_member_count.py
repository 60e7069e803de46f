"""Fill the per-unit member counters from the member rows already in the database.

The column lists are frozen here (as they were when the table was added); later changes of the
counters go through their own migrations, and ``chibo recount`` rebuilds the table at any time."""

from django.db import migrations
from django.db.models import Count, Q

STATUSES = ("probationary", "full", "exempt", "suspended")
CATEGORIES = ("mission_staff", "spouse", "state_student", "self_student", "labourer", "resident", "delegation",
              "domestic")


def populate(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    UnitMemberCount = apps.get_model("members", "UnitMemberCount")
    aggregates = {f"status_{s}": Count("pk", filter=Q(status=s)) for s in STATUSES}
    aggregates |= {f"cat_{c}": Count("pk", filter=Q(category=c)) for c in CATEGORIES}
    rows = (Member.objects.filter(status__in=STATUSES).values("unit_id").annotate(**aggregates)
            .order_by("unit_id"))
    UnitMemberCount.objects.all().delete()
    UnitMemberCount.objects.bulk_create((UnitMemberCount(**row) for row in rows.iterator()), batch_size=2000)


def unpopulate(apps, schema_editor):
    apps.get_model("members", "UnitMemberCount").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0006_unit_member_count"),
    ]

    operations = [
        migrations.RunPython(populate, unpopulate, elidable=False),
    ]
