from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "chibo.members"
    label = "members"

    def ready(self) -> None:
        # Imported once the app registry is ready (they import models); importing the services
        # registers their event subscribers (units closing).
        from chibo.members import selectors, services  # noqa: F401
        from chibo.units.panels import UnitPanel, register_panel
        from chibo.units.selectors import set_subtree_totals

        set_subtree_totals(selectors.subtree_totals)
        register_panel(UnitPanel("committee", 10, "members/panels/committee.html", selectors.committee_panel))
        register_panel(UnitPanel("members", 20, "members/panels/members.html", selectors.members_panel, wide=True))
