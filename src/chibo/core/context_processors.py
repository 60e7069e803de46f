from __future__ import annotations

from chibo.core.access import actor_for


def chibo(request):
    """The actor and what the navigation may offer."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    actor = actor_for(request)
    return {
        "actor": actor,
        "nav": {
            "members": actor.can("members.view") or bool(actor.member_id),
            "units": actor.can("units.view"),
            "audit": actor.can("audit.view"),
            "accounts": actor.can("accounts.view"),
            "me": bool(actor.member_id),
            "dues": actor.can("dues.view") or bool(actor.member_id),
            "grading": actor.can("grading.view") or bool(actor.member_id),
            "discipline": any(actor.can(p) for p in ("discipline.open", "discipline.decide", "discipline.inspect")),
            "inspection": any(actor.can(p) for p in ("inspection.view", "inspection.open")),
            "dossier": bool(actor.applicant_id),
        },
    }
