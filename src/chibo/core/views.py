"""Pages of the shared kernel: health check and error pages."""

from __future__ import annotations

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext as _


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _error(request, status: int, title: str, text: str):
    return render(request, "core/error.html", {"status": status, "title": title, "text": text}, status=status)


def bad_request(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Yêu cầu không hợp lệ (dữ liệu quá lớn hoặc sai định dạng).")}, status=400)
    return _error(request, 400, _("Yêu cầu không hợp lệ"), _("Dữ liệu gửi lên không đúng định dạng."))


def forbidden(request, exception=None):
    return _error(request, 403, _("Không có quyền"), _("Bạn không có quyền thực hiện thao tác này."))


def not_found(request, exception=None):
    return _error(request, 404, _("Không tìm thấy"),
                  _("Trang hoặc hồ sơ này không tồn tại, hoặc nằm ngoài phạm vi của bạn."))


def server_error(request):
    # No template (whatever failed may fail again): the page's three texts in the reader's language, escaped.
    return HttpResponse(
        format_html("<!doctype html><meta charset=utf-8><title>{}</title><h1>{}</h1><p>{}</p>", _("Lỗi"),
                    _("Đã xảy ra lỗi"),
                    _("Hệ thống gặp sự cố; thao tác của bạn chưa được ghi. Vui lòng thử lại sau.")),
        status=500,
    )
