"""Committee posts move here from the units app, keeping their table (units_committeepost).
State only: nothing changes in the database."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_populate_unit_member_count"),
        ("units", "0004_committee_post_moves_to_members"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CommitteePost",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("role", models.CharField(choices=[("secretary", "Bí thư"), ("deputy_secretary", "Phó bí thư"),
                                                           ("committee_member", "Cấp ủy viên")],
                                                  max_length=20, verbose_name="chức vụ")),
                        ("from_date", models.DateField(verbose_name="từ ngày")),
                        ("to_date", models.DateField(blank=True, null=True, verbose_name="đến ngày")),
                        ("decision_no", models.CharField(max_length=60, verbose_name="số quyết định")),
                        ("decision_date", models.DateField(verbose_name="ngày quyết định")),
                        ("ended_reason", models.CharField(blank=True, max_length=200)),
                        ("member", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="posts",
                                                     to="members.member")),
                        ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="posts",
                                                   to="units.unit")),
                    ],
                    options={
                        "db_table": "units_committeepost",
                        "ordering": ["unit", "role", "-from_date"],
                        "indexes": [models.Index(fields=["unit", "to_date"], name="post_unit_current_idx")],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("to_date__isnull", True), ("to_date__gte", models.F("from_date")),
                                                   _connector="OR"),
                                name="post_ends_after_start"),
                            models.UniqueConstraint(condition=models.Q(("role", "secretary"), ("to_date__isnull", True)),
                                                    fields=("unit",), name="one_current_secretary"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
