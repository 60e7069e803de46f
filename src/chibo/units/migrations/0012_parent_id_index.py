"""A unit's children in id order (the order of their paths) with their paths, from the index alone: the dashboard
merges them with their stored member sums (members 0016)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('units', '0011_closed_path_index'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='unit',
            index=models.Index(fields=['parent', 'id'], include=['path'], name='unit_parent_id_idx'),
        ),
    ]
