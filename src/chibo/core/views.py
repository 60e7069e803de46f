"""Pages of the shared kernel: dashboard, health check, audit viewer, error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render

from chibo.core.access import actor_for
from chibo.core.forms import AuditFilterForm
from chibo.core.selectors import AuditFilters, audit_actions, audit_events


@login_required
def dashboard(request):
    from chibo.members.selectors import dashboard_counts, dashboard_focus

    actor = actor_for(request)
    focus = dashboard_focus(actor, request.GET.get("unit"))
    counts = dashboard_counts(actor, focus=focus, page=request.GET.get("page"))
    return render(request, "core/dashboard.html", {"counts": counts})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def audit_log(request):
    actor = actor_for(request)
    if not actor.can("audit.view"):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    filters = AuditFilters(**form.cleaned_data) if form.is_valid() else AuditFilters()
    page = Paginator(audit_events(actor, filters), 50).get_page(request.GET.get("page"))
    template = "core/audit_log.html#results" if request.htmx else "core/audit_log.html"
    return render(request, template, {"form": form, "page": page, "actions": audit_actions()})


def _error(request, status: int, title: str, text: str):
    return render(request, "core/error.html", {"status": status, "title": title, "text": text}, status=status)


def bad_request(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Yêu cầu không hợp lệ (dữ liệu quá lớn hoặc sai định dạng)."}, status=400)
    return _error(request, 400, "Yêu cầu không hợp lệ", "Dữ liệu gửi lên không đúng định dạng.")


def forbidden(request, exception=None):
    return _error(request, 403, "Không có quyền", "Bạn không có quyền thực hiện thao tác này.")


def not_found(request, exception=None):
    return _error(request, 404, "Không tìm thấy", "Trang hoặc hồ sơ này không tồn tại, hoặc nằm ngoài phạm vi của bạn.")


def server_error(request):
    return HttpResponse(
        "<!doctype html><meta charset=utf-8><title>Lỗi</title><h1>Đã xảy ra lỗi</h1>"
        "<p>Hệ thống gặp sự cố; thao tác của bạn chưa được ghi. Vui lòng thử lại sau.</p>",
        status=500,
    )
