"""Accounts that can see other people's data must have MFA enrolled before doing anything else."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse

from chibo.accounts.selectors import has_mfa, needs_mfa

# Paths reachable before enrolment: enrolment itself, logout, static files.
ALLOWED_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/accounts/reauthenticate/", "/static/",
                    "/i18n/", "/healthz", "/account/activate/")


class RequireMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and not request.path.startswith("/api/")
            and not request.session.get("chibo_mfa_ok")
        ):
            if needs_mfa(user) and not has_mfa(user):
                return redirect(reverse("mfa_activate_totp") + "?required=1")
            request.session["chibo_mfa_ok"] = True
        return self.get_response(request)
