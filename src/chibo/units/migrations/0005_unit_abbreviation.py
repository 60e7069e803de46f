from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("units", "0004_committee_post_moves_to_members")]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="abbreviation",
            field=models.CharField(blank=True, max_length=20, verbose_name="ký hiệu viết tắt"),
        ),
    ]
