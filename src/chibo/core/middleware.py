"""Request-wide concerns: client IP for the audit log, absolute session lifetime, no-store caching."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect

from chibo.core.request_context import client_ip, reset_ip, set_ip


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_ip(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            reset_ip(token)


class SessionTimeoutMiddleware:
    """Idle timeout comes from SESSION_COOKIE_AGE renewed per request; this adds the absolute limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get("chibo_login_at")
            if started is None:
                request.session["chibo_login_at"] = time.time()
            elif time.time() - started > settings.CHIBO_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect("/accounts/login/?expired=1")
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages may carry personal data: no browser or proxy keeps a copy. Static assets excepted."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
