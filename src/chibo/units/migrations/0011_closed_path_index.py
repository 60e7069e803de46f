"""The closed units of a subtree found by their path in a small partial index: the unit tree's member counts, read
from the stored subtree sums, leave out what closed units hold without reading every unit."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('units', '0010_parent_name_index'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='unit',
            index=models.Index(condition=models.Q(('closed_on__isnull', False)), fields=['path'],
                               name='unit_closed_path_idx'),
        ),
    ]
