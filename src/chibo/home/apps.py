from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The pages that gather every process for one person: the front page and the audit log."""

    name = "chibo.home"
    label = "home"

    def ready(self) -> None:
        # Imported once the app registry is ready (they import models). The accounts app and the kernel sit
        # below the deadlines' sweep, so the account review and the audit anchors are wired in from here.
        from chibo.accounts.services import account_review_run
        from chibo.core.audit import anchors_step
        from chibo.deadlines.sweep import register_step

        register_step(account_review_run)
        register_step(anchors_step)
