"""Today's member counters summed per subtree now belong to the members app (members 0015): the reports app lets go
of the two models; their tables stay, with their names. State only: nothing changes in the database."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0005_period_index'),
        ('members', '0015_members_now_moves_to_members'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='MembersNowFigure'),
                              migrations.DeleteModel(name='MembersNowStored')],
            database_operations=[],
        ),
    ]
