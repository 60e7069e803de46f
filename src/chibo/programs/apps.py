from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "chibo.programs"
    label = "programs"
    verbose_name = _("Chương trình công tác, kiến nghị")

    def ready(self) -> None:
        # Once the app registry is ready (they import models): the services register the steps, the selectors
        # find an item or a proposal for `chibo act`, and the open items join each user's calendar feed.
        from chibo.deadlines.feeds import register_source
        from chibo.programs import selectors, services  # noqa: F401
        from chibo.programs.feeds import item_events
        from chibo.programs.lifecycle import ITEM, PROPOSAL

        ITEM.finder = selectors.item_get
        PROPOSAL.finder = selectors.proposal_get
        register_source(item_events)
