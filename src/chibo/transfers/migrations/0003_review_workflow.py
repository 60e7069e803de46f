"""Trips, declarations and exemptions share one review workflow (members.reviews.MemberRequest):
the trip's application date, cell comment and its date take the common names, its states the common
values (applied → filed, commented → opinion); an exemption becomes a request reviewed by the cell and the
committee (existing ones, decided by the cell, are kept as approved, filed the day they were decided)."""

from django.db import migrations, models


def forward(apps, schema_editor):
    Trip = apps.get_model("transfers", "Trip")
    Trip.objects.filter(state="applied").update(state="filed")
    Trip.objects.filter(state="commented").update(state="opinion")
    Exemption = apps.get_model("transfers", "Exemption")
    Exemption.objects.update(filed_on=models.F("decided_on"), state="approved")


def backward(apps, schema_editor):
    Trip = apps.get_model("transfers", "Trip")
    Trip.objects.filter(state="filed").update(state="applied")
    Trip.objects.filter(state="opinion").update(state="commented")


class Migration(migrations.Migration):
    dependencies = [("transfers", "0002_delegation_committee_tasks")]

    operations = [
        migrations.RenameField("trip", "applied_on", "filed_on"),
        migrations.RenameField("trip", "cell_comment", "cell_opinion"),
        migrations.RenameField("trip", "commented_on", "opinion_on"),
        migrations.AddField("exemption", "state", models.CharField(
            choices=[("filed", "Đã nộp đơn"), ("opinion", "Chi bộ đã có nghị quyết"), ("approved", "Được miễn"),
                     ("refused", "Không được miễn")], default="filed", max_length=10)),
        migrations.AddField("exemption", "filed_on", models.DateField(null=True, verbose_name="ngày nộp")),
        migrations.AddField("exemption", "cell_opinion", models.CharField(blank=True, max_length=500,
                                                                          verbose_name="ý kiến của chi bộ")),
        migrations.AddField("exemption", "opinion_on", models.DateField(blank=True, null=True)),
        migrations.AlterField("exemption", "decided_on", models.DateField(blank=True, null=True)),
        migrations.RunPython(forward, backward),
        migrations.AlterField("exemption", "filed_on", models.DateField(verbose_name="ngày nộp")),
    ]
