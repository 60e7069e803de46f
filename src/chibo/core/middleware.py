"""Request-wide concerns: client IP for the audit log, absolute session lifetime, no-store caching."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.mixins import ListModelMixin

from chibo.core.request_context import client_ip, reset_ip, set_ip
from chibo.core.rulebook import RuleNotInForce

logger = logging.getLogger(__name__)

# Signing out drops whatever this site kept in the browser: the HTTP cache, and the storage where the offline reader
# (/sw.js) keeps the library documents a member opened (the service worker itself is unregistered too).
CLEAR_SITE_DATA = '"cache", "storage"'


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
                response = redirect("/accounts/login/?expired=1")
                response["Cache-Control"] = "no-store"
                response["Clear-Site-Data"] = CLEAR_SITE_DATA
                return response
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages may carry personal data: no browser or proxy keeps a copy. Static assets excepted. The answer to a
    sign-out (``request.chibo_signed_out``, set by the accounts' logout signal) clears the site's data in the
    browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        if getattr(request, "chibo_signed_out", False):
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response


class ApiErrorsMiddleware:
    """Every answer under /api/ is JSON, errors included (a server error, a body too large, an unknown URL);
    a number too large for the database (an id or a version of 2^63) is bad input (400), never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (request.path.startswith("/api/") and response.status_code >= 400
                and not response.get("Content-Type", "").startswith("application/json")):
            reason = response.reason_phrase or _("Lỗi")
            replaced = JsonResponse({"detail": str(ERROR_TEXTS.get(response.status_code, reason))},
                                    status=response.status_code)
            for header in ("Retry-After", "WWW-Authenticate", "Allow"):
                if response.has_header(header):
                    replaced[header] = response[header]
            return replaced
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, RuleNotInForce):  # a date outside every version of a rule: bad input
            text = RuleNotInForce.user_message
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": text}, status=400)
            return render(request, "core/error.html", {"title": _("Yêu cầu không hợp lệ"), "text": text}, status=400)
        if isinstance(exception, OverflowError):
            logger.warning("Number out of range in %s %s: %s", request.method, request.path, exception)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": str(ERROR_TEXTS[400])}, status=400)
            return render(request, "core/error.html", {"title": _("Yêu cầu không hợp lệ"), "text": ERROR_TEXTS[400]},
                          status=400)
        return None


ERROR_TEXTS = {
    400: gettext_lazy("Yêu cầu không hợp lệ (một số quá lớn hoặc dữ liệu sai dạng)."),
    404: gettext_lazy("Không tìm thấy."),
    405: gettext_lazy("Phương thức không được hỗ trợ."),
    413: gettext_lazy("Nội dung gửi lên quá lớn."),
    500: gettext_lazy("Lỗi máy chủ; sự cố đã được ghi lại."),
}


def accepted_query(view_class) -> frozenset[str]:
    """The query parameters a read of ``view_class`` accepts: its ``query_params``, and ``page`` when it is a
    paginated list (the OpenAPI schema documents the same names: ``core/tests/test_api_hardening.py``)."""
    names = set(getattr(view_class, "query_params", ()))
    if issubclass(view_class, ListModelMixin) and getattr(view_class, "pagination_class", None) is not None:
        names.add("page")
    return frozenset(names)


class StrictQueryMiddleware:
    """API reads (/api/v1/) accept only the query parameters their view declares: an unknown or repeated one answers 400
    naming what is accepted, so that a misspelt filter never silently returns everything."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None)  # set by APIView.as_view
        if view_class is None or request.method not in ("GET", "HEAD") or not request.path.startswith("/api/v1/"):
            return None
        allowed = accepted_query(view_class)
        errors = {}
        for name in request.GET:
            if name not in allowed:
                accepted = ", ".join(sorted(allowed)) or _("không có")
                errors[name[:60]] = [_("Tham số không được hỗ trợ. Tham số nhận được: %(accepted)s.")
                                     % {"accepted": accepted}]
            elif len(request.GET.getlist(name)) > 1:
                errors[name] = [_("Tham số này chỉ được gửi một lần.")]
        return JsonResponse(errors, status=400) if errors else None
