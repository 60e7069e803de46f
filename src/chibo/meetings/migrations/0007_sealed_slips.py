"""Slips sealed: the choice of each slip is encrypted (padded to one length) and the receipts move to their own
table; the counts of closed ballots are kept on the box."""

import secrets

import chibo.core.crypto
import django.db.models.deletion
from chibo.core.crypto import blind_index
from django.db import migrations, models

CHOICES = ("for", "against", "abstain")
WIDTH = max(len(c) for c in CHOICES)


def seal_slips(apps, schema_editor):
    Ballot = apps.get_model("meetings", "Ballot")
    BallotBox = apps.get_model("meetings", "BallotBox")
    BallotReceipt = apps.get_model("meetings", "BallotReceipt")
    for box in BallotBox.objects.all():
        slips = list(Ballot.objects.filter(box=box).values_list("id", "choice", "receipt_hash"))
        if box.state == "closed":
            box.online_for, box.online_against, box.online_abstain = (
                sum(1 for _i, c, _h in slips if c == choice) for choice in CHOICES)
            box.save(update_fields=["online_for", "online_against", "online_abstain"])
        # The digests become keyed (services.receipt_hash): the old plain SHA-256 under the blind-index key.
        BallotReceipt.objects.bulk_create([BallotReceipt(id=secrets.token_hex(16), box=box, digest=blind_index(h))
                                           for _i, c, h in slips if c and h])
        for pk, choice, _h in slips:
            Ballot.objects.filter(pk=pk).update(sealed=f"{box.pk}|{choice:<{WIDTH}}")


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0006_minutes_counter_and_conclusion"),
    ]

    operations = [
        migrations.AddField(
            model_name="ballotbox",
            name="online_abstain",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="ballotbox",
            name="online_against",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="ballotbox",
            name="online_for",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="ballot",
            name="sealed",
            field=chibo.core.crypto.EncryptedTextField(default=""),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="BallotReceipt",
            fields=[
                ("id", models.CharField(max_length=32, primary_key=True, serialize=False)),
                ("digest", models.CharField(max_length=64)),
                ("box", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="receipts",
                                          to="meetings.ballotbox")),
            ],
        ),
        migrations.RunPython(seal_slips, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="ballot",
            name="choice",
        ),
        migrations.RemoveField(
            model_name="ballot",
            name="receipt_hash",
        ),
    ]
