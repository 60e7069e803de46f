"""Messages and notifications keep what their service said (``said``) beside their Vietnamese title and body, which
keep their columns."""

from django.db import migrations, models


def renamed(model: str) -> list:
    return [
        migrations.RenameField(model, "title", "title_vi"),
        migrations.AlterField(model, "title_vi", models.CharField(db_column="title", max_length=200)),
        migrations.RenameField(model, "body", "body_vi"),
        migrations.AlterField(model, "body_vi", models.CharField(blank=True, db_column="body", max_length=1000)),
    ]


class Migration(migrations.Migration):

    dependencies = [("notifications", "0002_secret_url")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=renamed("message") + renamed("notification")),
        migrations.AddField("message", "said", models.JSONField(blank=True, default=dict)),
        migrations.AddField("notification", "said", models.JSONField(blank=True, default=dict)),
    ]
