"""A deadline keeps what its service said (``title_said``) beside its Vietnamese title, which keeps its column."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("deadlines", "0003_remove_delivery_notification")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField("deadline", "title", "title_vi"),
                migrations.AlterField("deadline", "title_vi", models.CharField(db_column="title", max_length=200)),
            ],
        ),
        migrations.AddField("deadline", "title_said", models.JSONField(blank=True, default=dict)),
    ]
