from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("deadlines", "0002_outbox_data"),
    ]

    operations = [
        migrations.DeleteModel(name="Delivery"),
        migrations.DeleteModel(name="Notification"),
    ]
