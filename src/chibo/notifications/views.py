"""The bell's list (each user their own) and the delivery log (scoped like the member lists)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from chibo.core.access import actor_for
from chibo.notifications.enums import kind_label
from chibo.notifications.forms import LogFilterForm, MarkReadForm
from chibo.notifications.selectors import (
    can_read_log,
    failing_count,
    message_log,
    notifications_for,
    notifications_grouped,
)
from chibo.notifications.services import notifications_mark_read

PAGE_SIZE = 50


@login_required
def log(request):
    actor = actor_for(request)
    if not can_read_log(actor):
        raise Http404  # members and applicants have their bell, not the log
    form = LogFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = message_log(actor, state=data.get("state") or "", kind=data.get("kind") or "")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for message in page.object_list:
        message.kind_label = kind_label(message.kind)
    return render(request, "notifications/log.html", {"form": form, "page": page, "failing": failing_count(actor)})


@login_required
def notifications(request):
    """One's own notifications, a page at a time, grouped per day and kind."""
    page = Paginator(notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "days": notifications_grouped(page.object_list),
                                                       "today": timezone.localdate(),
                                                       "yesterday": timezone.localdate() - timedelta(days=1),
                                                       "log": can_read_log(actor_for(request))})


@login_required
@require_http_methods(["POST"])
def notifications_read(request):
    """Mark read: one notification (``id``), one group of the list (``day`` and ``kind``) or all."""
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    group = data["day"] is not None
    changed = notifications_mark_read(actor=actor_for(request), pk=data["id"], day=data["day"],
                                      kind=data["kind"] if group else None)
    if changed and data["id"] is None:
        messages.success(request, gettext("Đã đánh dấu nhóm này là đã đọc.") if group
                         else gettext("Đã đánh dấu tất cả là đã đọc."))
    return redirect("notifications:list")
