"""Committee posts now belong to the members app (they link a member to a unit and write the member's
timeline); the table stays where it is. State only: nothing changes in the database."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0003_unit_search_key"),
        # That data migration still reads posts from this app's state.
        ("transfers", "0002_delegation_committee_tasks"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CommitteePost")],
            database_operations=[],
        ),
    ]
