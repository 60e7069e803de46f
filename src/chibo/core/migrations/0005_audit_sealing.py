"""Audit rows written unsealed and chained right after commit (chibo.core.audit).

The existing rows keep their seq, prev_hash and hash untouched (so anchors kept outside stay valid); they
have no digest, and the head remembers up to which seq that is allowed (``legacy_seq``).

On PostgreSQL sealing is one statement, ``SELECT chibo_audit_seal(batch, wait, async_commit)``: every
audited write runs it after its commit. Its hash is ``chibo.core.audit.chain_hash``: SHA-256 of the JSON
text ``[seq,"digest","prev_hash"]`` (digests are hex, so no escaping); ``verify_chain`` recomputes it in
Python. SQLite seals in Python.
"""

from django.db import migrations, models

SEAL_FUNCTION = """
CREATE OR REPLACE FUNCTION chibo_audit_seal(batch integer, wait boolean, async_commit boolean)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint;
  head_hash text;
  prev text;
  row_id bigint;
  row_digest text;
  sealed integer := 0;
BEGIN
  IF wait THEN
    SELECT seq, last_hash INTO head_seq, head_hash FROM core_audithead WHERE id = 1 FOR UPDATE;
  ELSE
    SELECT seq, last_hash INTO head_seq, head_hash FROM core_audithead WHERE id = 1 FOR UPDATE SKIP LOCKED;
  END IF;
  IF NOT FOUND THEN
    IF EXISTS (SELECT 1 FROM core_audithead WHERE id = 1) THEN
      RETURN NULL;  -- another sealer holds the head: it looks again for new rows when it is done
    END IF;
    INSERT INTO core_audithead (id, seq, last_hash, legacy_seq) VALUES (1, 0, repeat('0', 64), 0)
      ON CONFLICT (id) DO NOTHING;  -- a database flushed by a test
    SELECT seq, last_hash INTO head_seq, head_hash FROM core_audithead WHERE id = 1 FOR UPDATE;
  END IF;
  IF async_commit THEN
    PERFORM set_config('synchronous_commit', 'off', true);
  END IF;
  FOR row_id, row_digest IN
    SELECT id, digest FROM core_auditevent WHERE seq IS NULL ORDER BY id LIMIT batch
  LOOP
    prev := head_hash;
    head_seq := head_seq + 1;
    head_hash := encode(sha256(convert_to('[' || head_seq || ',"' || row_digest || '","' || prev || '"]', 'UTF8')),
                        'hex');
    UPDATE core_auditevent SET seq = head_seq, prev_hash = prev, hash = head_hash WHERE id = row_id AND seq IS NULL;
    sealed := sealed + 1;
  END LOOP;
  IF sealed > 0 THEN
    UPDATE core_audithead SET seq = head_seq, last_hash = head_hash WHERE id = 1;
  END IF;
  RETURN sealed;
END
$$;
"""


def mark_legacy_rows(apps, schema_editor):
    AuditHead = apps.get_model("core", "AuditHead")
    for head in AuditHead.objects.all():
        head.legacy_seq = head.seq
        head.save(update_fields=["legacy_seq"])


def create_seal_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEAL_FUNCTION)


def drop_seal_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS chibo_audit_seal(integer, boolean, boolean)")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_seed_rulebook'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='auditevent',
            options={'ordering': [models.OrderBy(models.F('seq'), descending=True, nulls_first=True), '-id']},
        ),
        migrations.AddField(
            model_name='auditevent',
            name='digest',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AddField(
            model_name='audithead',
            name='legacy_seq',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='prev_hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='seq',
            field=models.BigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('seq__isnull', True)), fields=['id'], name='audit_unsealed_idx'),
        ),
        migrations.RunPython(mark_legacy_rows, migrations.RunPython.noop),
        migrations.RunPython(create_seal_function, drop_seal_function),
    ]
