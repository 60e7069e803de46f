"""Today's member counters summed per subtree (``MembersNowFigure``, ``MembersNowStored``) now belong to the members
app, beside the counters they sum: the dashboard, the unit tree and the member list read them, and the members app
may not import the reports app. The tables stay where they are, with their names. State only: nothing changes in
the database."""

import django.db.models.deletion
from django.db import migrations, models

# The member counters' columns as they are at this migration: one per active status, one per category.
COLUMNS = ['status_probationary', 'status_full', 'status_exempt', 'status_suspended', 'cat_mission_staff', 'cat_spouse',
           'cat_state_student', 'cat_self_student', 'cat_labourer', 'cat_resident', 'cat_delegation', 'cat_domestic']


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0014_fewer_member_indexes'),
        ('reports', '0004_members_now'),  # created the tables
        ('units', '0010_parent_name_index'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='MembersNowStored',
                    fields=[
                        ('year', models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                        ('ready', models.BooleanField(default=False)),
                        ('computed_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={'db_table': 'reports_membersnowstored'},
                ),
                migrations.CreateModel(
                    name='MembersNowFigure',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField()),
                        ('dirty', models.IntegerField(default=0)),
                        *[(name, models.IntegerField(default=0)) for name in [*COLUMNS, *(f'sub_{c}' for c in COLUMNS)]],
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+',
                                                   to='units.unit')),
                    ],
                    options={
                        'db_table': 'reports_membersnowfigure',
                        'abstract': False,
                        'indexes': [models.Index(condition=models.Q(('dirty__gt', 0)), fields=['year', 'unit'],
                                                 name='membersnowfigure_dirty')],
                        'constraints': [models.UniqueConstraint(fields=('unit', 'year'), name='membersnowfigure_once')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
