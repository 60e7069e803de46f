"""The dashboard's rows are a level's children with their stored member sums: for the tens of thousands of children
of the top, the sums of today's members are read from this index alone, in unit order, and merged with the units'
index by parent and id (units 0012) instead of hashing every row of the table."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0015_members_now_moves_to_members'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='membersnowfigure',
            index=models.Index(condition=models.Q(('year', 0)), fields=['unit'],
                               include=['sub_status_probationary', 'sub_status_full', 'sub_status_exempt',
                                        'sub_status_suspended'],
                               name='membersnow_members_idx'),
        ),
    ]
