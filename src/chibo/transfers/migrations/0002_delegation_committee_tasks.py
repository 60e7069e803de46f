import django.db.models.deletion
from django.db import migrations, models


def split_tasks(apps, schema_editor):
    """A delegation's tasks, one per line of the old text, become task items; attached members
    take the post they hold in the delegation cell."""
    Delegation = apps.get_model("transfers", "Delegation")
    DelegationTask = apps.get_model("transfers", "DelegationTask")
    DelegationMember = apps.get_model("transfers", "DelegationMember")
    CommitteePost = apps.get_model("units", "CommitteePost")
    for pk, text in Delegation.objects.values_list("pk", "tasks"):
        lines = [line.strip()[:500] for line in (text or "").splitlines() if line.strip()]
        DelegationTask.objects.bulk_create(
            [DelegationTask(delegation_id=pk, position=i, text=line) for i, line in enumerate(lines, 1)])
    for link in DelegationMember.objects.select_related("delegation"):
        post = CommitteePost.objects.filter(unit_id=link.delegation.unit_id, member_id=link.member_id) \
            .order_by("-from_date").first()
        if post is not None:
            DelegationMember.objects.filter(pk=link.pk).update(role=post.role)


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0005_member_transferred_out_status'),
        ('transfers', '0001_initial'),
        ('units', '0002_unit_skip_host_holidays'),
    ]

    operations = [
        migrations.CreateModel(
            name='DelegationTask',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField()),
                ('text', models.CharField(max_length=500, verbose_name='nhiệm vụ')),
                ('due_on', models.DateField(blank=True, null=True, verbose_name='thời hạn')),
            ],
            options={
                'ordering': ['delegation', 'position'],
            },
        ),
        migrations.AlterModelOptions(
            name='delegationmember',
            options={'ordering': ['delegation', 'pk']},
        ),
        migrations.AddField(
            model_name='delegationmember',
            name='role',
            field=models.CharField(choices=[('secretary', 'Bí thư'), ('deputy_secretary', 'Phó bí thư'), ('committee_member', 'Cấp ủy viên'), ('member', 'Đảng viên')], default='member', max_length=20, verbose_name='chức vụ trong đoàn'),
        ),
        migrations.AddConstraint(
            model_name='delegationmember',
            constraint=models.UniqueConstraint(condition=models.Q(('detached_on__isnull', True)), fields=('member',), name='delegation_member_one_open'),
        ),
        migrations.AddField(
            model_name='delegationtask',
            name='delegation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tasks', to='transfers.delegation'),
        ),
        migrations.RunPython(split_tasks, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='delegation',
            name='tasks',
        ),
    ]
