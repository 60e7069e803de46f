"""A timeline event's member has no index of its own: ``timeline_member_idx`` (member, occurred_on) answers every
lookup by member, the PROTECT check included, and one index less is written for each event (an import writes
one per member). Only the index goes: the foreign key stays as it is (no new constraint to validate)."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "members_timelineevent_member_id_2ed9b9bd"


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0016_members_now_children_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(
                f'DROP INDEX IF EXISTS "{INDEX}"',
                f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "members_timelineevent" ("member_id")')],
            state_operations=[migrations.AlterField(
                model_name="timelineevent",
                name="member",
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                        related_name="timeline", to="members.member"),
            )],
        ),
    ]
