"""The timeline's transfer steps become typed events: every row stored as "transfer.step" with the step in
its data takes the type of its step (transfer.approved, trip.filed …), keeping its data (the sentence it
carried stays as "text", shown for these older rows); a certification of a return self-review gets its own
type. Nothing else changes."""

from django.db import migrations

STEP_KINDS = {
    "requested": "transfer.requested", "approved": "transfer.approved", "incoming": "transfer.incoming",
    "issued": "transfer.letter_issued", "forwarded": "transfer.forwarded", "received": "transfer.received",
    "reported": "transfer.reported", "cancelled": "transfer.cancelled", "voided": "transfer.letter_voided",
    "trip_applied": "trip.filed", "trip_commented": "trip.opinion", "trip_decided": "trip.decided",
    "trip_reported": "trip.reported", "exempted": "exemption.decided", "declared": "declaration.filed",
    "declaration_opinion": "declaration.opinion", "declaration_decided": "declaration.decided",
}


def forward(apps, schema_editor):
    TimelineEvent = apps.get_model("members", "TimelineEvent")
    for step, kind in STEP_KINDS.items():
        TimelineEvent.objects.filter(kind="transfer.step", data__step=step).update(kind=kind)
    for event in TimelineEvent.objects.filter(kind="transfer.return_review").only("pk", "data"):
        if "xác nhận" in str(event.data.get("text", "")):
            TimelineEvent.objects.filter(pk=event.pk).update(kind="transfer.return_review_certified")


def backward(apps, schema_editor):
    TimelineEvent = apps.get_model("members", "TimelineEvent")
    TimelineEvent.objects.filter(kind__in=list(STEP_KINDS.values()), data__has_key="step").update(kind="transfer.step")
    TimelineEvent.objects.filter(kind="transfer.return_review_certified").update(kind="transfer.return_review")


class Migration(migrations.Migration):
    dependencies = [("members", "0008_committee_post")]

    operations = [migrations.RunPython(forward, backward)]
