# Timeline kinds grow with every process: their choices are no longer part of the schema.

import chibo.core.fields
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0002_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='timelineevent',
            name='kind',
            field=chibo.core.fields.KindField(max_length=40),
        ),
    ]
