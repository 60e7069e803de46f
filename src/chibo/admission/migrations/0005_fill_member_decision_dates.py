"""Members admitted through chibo get the date of their admission decision from their case (06-HD/TW 2025: party
age counts from the decision, probation from the ceremony). Records entered or imported without a case keep it
empty; the member page and the API show it missing, and party age falls back to the day of admission."""

from django.db import migrations


def fill(apps, schema_editor):
    Case = apps.get_model("admission", "AdmissionCase")
    Member = apps.get_model("members", "Member")
    for member_id, decided in (Case.objects.filter(member__isnull=False, decision_on__isnull=False,
                                                   member__admission_decided_on__isnull=True)
                               .values_list("member_id", "decision_on")):
        Member.objects.filter(pk=member_id, admission_date__gte=decided).update(admission_decided_on=decided)


class Migration(migrations.Migration):
    dependencies = [("admission", "0004_applicant_citizen_id_email"), ("members", "0010_admission_decided_on")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
