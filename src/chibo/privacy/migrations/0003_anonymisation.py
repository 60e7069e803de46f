"""The register of anonymisations, and the legal basis of the two retention rules (how long data of former members
and of refused or withdrawn applicants is kept before it is anonymised): Decree 356/2025 and Law 91/2025 ask that
personal data be kept no longer than its purpose needs; neither sets these periods, so the values stay to confirm."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


RETENTION_BASIS = ("Nghị định 356/2025/NĐ-CP; Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15 (lưu giữ không quá thời gian "
                   "cần cho mục đích xử lý; thời hạn cụ thể do tổ chức đề xuất, cần xác nhận)")
KEYS = ("privacy.keep_former_member_years", "privacy.keep_applicant_years")


def basis(apps, schema_editor):
    apps.get_model("core", "Rule").objects.filter(created_by="migration", key__in=KEYS).update(
        basis=RETENTION_BASIS, confidence="to_confirm")


def unbasis(apps, schema_editor):
    apps.get_model("core", "Rule").objects.filter(created_by="migration", key__in=KEYS).update(
        basis="Chưa có căn cứ, đề xuất của tổ chức")


class Migration(migrations.Migration):

    dependencies = [
        ('privacy', '0002_privacy_rules'),
        ('units', '0004_committee_post_moves_to_members'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Anonymisation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('member', 'Đảng viên'), ('applicant', 'Quần chúng')], max_length=10)),
                ('person_id', models.PositiveIntegerField()),
                ('since', models.DateField(verbose_name='ngày bắt đầu tính thời hạn lưu giữ')),
                ('kept_until', models.DateField(verbose_name='hết thời hạn lưu giữ')),
                ('done_at', models.DateTimeField(auto_now_add=True)),
                ('rows', models.PositiveIntegerField(default=0)),
                ('done_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='units.unit')),
            ],
            options={
                'ordering': ['-done_at', '-pk'],
                'constraints': [models.UniqueConstraint(fields=('kind', 'person_id'), name='privacy_anonymised_once')],
            },
        ),
        migrations.RunPython(basis, unbasis),
    ]
