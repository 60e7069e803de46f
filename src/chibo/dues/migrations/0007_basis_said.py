"""A month's obligation keeps what its basis said (``basis_said``, core.said) beside the Vietnamese basis, which the
dues book prints; rows written before keep an empty one and are shown as written."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("dues", "0006_rule_histories")]

    operations = [
        migrations.AddField("obligation", "basis_said", models.JSONField(blank=True, default=dict)),
    ]
