"""Meeting documents are encrypted at rest: the bytes stored in clear before this migration are encrypted."""

from django.db import migrations

import chibo.core.crypto


def encrypt_documents(apps, schema_editor):
    from chibo.core.crypto import encrypt_binary_column_in_place

    encrypt_binary_column_in_place(schema_editor.connection, "meetings_meetingdocument", "content")


class Migration(migrations.Migration):

    dependencies = [
        ('meetings', '0003_minutes_number'),
    ]

    operations = [
        migrations.AlterField(
            model_name='meetingdocument',
            name='content',
            field=chibo.core.crypto.EncryptedBinaryField(),
        ),
        migrations.RunPython(encrypt_documents, migrations.RunPython.noop),
    ]
