"""Issue 20 (the import near the machine's limit): every new member pays for each index of members_member, and an
import of 100,000 spent most of its database time in them. Six of the 17 go, each redundant with one kept:

- card_number: its unique b-tree and its varchar_pattern_ops twin become ONE unique pattern_ops index (it answers
  = for uniqueness and the import's lookups, and LIKE 'prefix%' for the transfers' and delegations' searches);
- dossier_number: the unique constraint alone (never searched by its beginning);
- citizen_id_hash: one plain b-tree (an HMAC, looked up whole, never by prefix);
- name_search: the pattern_ops index alone (= and LIKE 'word%'; the trigram index of 0004 serves '%word%');
- name_sort: the plain b-tree alone (C collation: it answers a prefix too, and the name order);
- unit_id: none of its own, member_unit_status_idx (unit_id, status) serves every lookup by unit.
"""

import django.db.models.deletion
from django.db import migrations, models

import chibo.core.crypto


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0013_subtree_sums"),
        ("units", "0007_kind_names"),
    ]

    operations = [
        migrations.AlterField(
            model_name="member",
            name="card_number",
            field=models.CharField(blank=True, max_length=20, null=True, verbose_name="số thẻ đảng viên"),
        ),
        migrations.AlterField(
            model_name="member",
            name="citizen_id_hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="member",
            name="dossier_number",
            field=models.CharField(blank=True, max_length=20, null=True, verbose_name="số lý lịch"),
        ),
        migrations.AlterField(
            model_name="member",
            name="name_search",
            field=models.CharField(editable=False, max_length=120),
        ),
        migrations.AlterField(
            model_name="member",
            name="name_sort",
            field=chibo.core.crypto.BinaryCharField(editable=False, max_length=400),
        ),
        migrations.AlterField(
            model_name="member",
            name="unit",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="members", to="units.unit", verbose_name="chi bộ"),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(fields=["name_search"], name="member_name_search_idx",
                               opclasses=["varchar_pattern_ops"]),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(fields=["name_sort"], name="member_name_sort_idx"),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(fields=["citizen_id_hash"], name="member_citizen_id_hash_idx"),
        ),
        migrations.AddConstraint(
            model_name="member",
            constraint=models.UniqueConstraint(fields=("card_number",), name="member_card_number_unique",
                                               opclasses=["varchar_pattern_ops"]),
        ),
        migrations.AddConstraint(
            model_name="member",
            constraint=models.UniqueConstraint(fields=("dossier_number",), name="member_dossier_number_unique"),
        ),
    ]
