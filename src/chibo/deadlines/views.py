"""Deadline pages: the radar, a deadline's detail and actions (with its reminders from the outbox),
the iCalendar feed. Thin views over deadlines.selectors and the services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from chibo.core import clock
from chibo.core.access import actor_for, actor_from_user
from chibo.core.forms import apply_service_errors
from chibo.deadlines import feeds, services
from chibo.deadlines.forms import DEFAULT_WINDOW, RadarFilterForm, ReasonForm
from chibo.deadlines.kinds import KINDS
from chibo.deadlines.reminders import step_of
from chibo.deadlines.selectors import (
    DeadlineFilters,
    deadline_get,
    deadline_search,
    due_changes,
    due_date_explained,
    radar_matrix,
    radar_totals,
)
from chibo.notifications.selectors import can_read_log, has_failing, messages_about
from chibo.units.selectors import unit_get, unit_root

PAGE_SIZE = 50
MATRIX_ROWS = 40  # units per page of the upper committee's unit × kind table
SECRETARY_ROWS = 100  # each of the secretary's two tables; "see all" leads to the paginated list
FEED_KEY_SESSION = "chibo_feed_key"


WAIVE_REASON = gettext_lazy("Lý do miễn")
LATE_REASON = gettext_lazy("Lý do trễ hạn")


def kind_label(key: str) -> str:
    return KINDS[key].label if key in KINDS else key


def step_label(step: str) -> str:
    """A reminder step as the log shows it: "before-7" → "Nhắc trước 7 ngày"."""
    if step.startswith("before-"):
        return _("Nhắc trước %(days)s ngày") % {"days": step.removeprefix("before-")}
    if step.startswith("moved-"):
        return _("Báo hạn thay đổi theo lịch")
    return {"due": _("Nhắc đúng ngày hạn"), "overdue": _("Nhắc khi quá hạn"),
            "escalate": _("Báo cấp trên")}.get(step, step)


def _log(messages):
    """The outbox's messages about a deadline, each with its reminder step (from its key)."""
    messages = list(messages)
    for message in messages:
        message.step = step_of(message.key)
        message.step_label = step_label(message.step)
    return messages


def _decorate(rows, today):
    """Attach what every table shows: the kind's label and the days left (negative: overdue)."""
    rows = list(rows)
    for d in rows:
        d.kind_label = kind_label(d.kind)
        d.days_left = (d.due_date - today).days if d.is_open else None
        d.overdue_days = -d.days_left if d.days_left is not None and d.days_left < 0 else 0
    return rows


def _radar_filters(request, actor, today):
    raw_unit = request.GET.get("unit", "")
    if raw_unit.isdigit():
        unit_get(actor, int(raw_unit))  # out of scope: 404, like the API
    form = RadarFilterForm(request.GET or None, actor=actor)
    data = {}
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
    filters = DeadlineFilters(state=data.get("state") or "", kind=data.get("kind") or "",
                              unit=data.get("unit"), own=bool(data.get("own") and data.get("unit")),
                              soon_days=data.get("days") or DEFAULT_WINDOW, today=today)
    return form, filters


def _links(query: dict) -> dict[str, str]:
    """Query strings of the radar's drill-downs: the overview and each state, same kind/unit/window."""
    kept = {k: v for k, v in query.items() if v}
    return {state or "overview": "?" + urlencode({**kept, **({"state": state} if state else {})})
            for state in ("", "overdue", "soon", "active")}


def _matrix_context(matrix, query: dict, page_number) -> dict:
    """The unit × kind table, one page of its rows: each row, cell and sum carries the links of its drill-downs
    (a row's unit with its subtree, or the focus's own rolls with ``own``), a unit with units below it the
    link that opens it at the next level."""
    page = Paginator(matrix.rows, MATRIX_ROWS).get_page(page_number)
    row_query = {**query, "own": ""}
    for row in page.object_list:
        at = {**row_query, "unit": row.unit.pk, "own": "1" if row.own else ""}
        row.links = _links(at)
        row.open_link = "" if row.own or not getattr(row.unit, "has_children", False) else _links(
            {**query, "unit": row.unit.pk, "own": ""})["overview"]
        row.columns = [(kind, row.cells.get(kind), _links({**at, "kind": kind})) for kind in matrix.kinds]
    focus = matrix.focus
    return {
        "matrix": matrix, "page": page,
        "matrix_kinds": [(kind, kind_label(kind), matrix.by_kind[kind], _links({**row_query, "kind": kind}))
                         for kind in matrix.kinds],
        "matrix_up": _links({**query, "unit": focus.parent_id if focus is not None and focus.depth > 1 else "",
                             "own": ""})["overview"] if focus is not None and focus.depth > 0 else "",
    }


@login_required
def radar(request):
    actor = actor_for(request)
    today = clock.today()
    staff = actor.can("members.view")
    form, filters = _radar_filters(request, actor, today)
    filters.mine = not staff
    query = {"kind": filters.kind, "unit": filters.unit.pk if filters.unit else "", "own": "1" if filters.own else "",
             "days": filters.soon_days}
    context = {
        "form": form, "filters": filters, "today": today, "staff": staff, "whole_tree": actor.sees_whole_tree(),
        "outbox_log": can_read_log(actor),
        "totals": radar_totals(actor, filters), "links": _links(query),
        "state_label": dict(form.fields["state"].choices).get(filters.state, ""),
    }
    if filters.state:
        context["mode"] = "list"
        page = Paginator(deadline_search(actor, filters), PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = _decorate(page.object_list, today)
        context["page"] = page
    elif context["whole_tree"]:
        context["mode"] = "groups"
        matrix = radar_matrix(actor, filters, focus=filters.unit or unit_root())
        context.update(_matrix_context(matrix, query, request.GET.get("page")))
    elif staff:
        context["mode"] = "secretary"
        context["overdue"] = _decorate(deadline_search(actor, DeadlineFilters(
            state="overdue", kind=filters.kind, unit=filters.unit, today=today))[:SECRETARY_ROWS], today)
        context["soon"] = _decorate(deadline_search(actor, DeadlineFilters(
            state="soon", kind=filters.kind, unit=filters.unit, soon_days=filters.soon_days,
            today=today))[:SECRETARY_ROWS], today)
    else:
        context["mode"] = "mine"
        mine = deadline_search(actor, DeadlineFilters(mine=True, kind=filters.kind, unit=filters.unit, today=today))
        context["mine"] = _decorate(mine[:200], today)
    if staff and actor.member_id and not filters.state:
        context["own"] = _decorate(deadline_search(actor, DeadlineFilters(state="active", mine=True, today=today)),
                                   today)
    htmx_target = request.htmx.target if request.htmx else None
    template = "deadlines/radar.html#results" if htmx_target == "results" else "deadlines/radar.html"
    return render(request, template, context)


def _render_detail(request, actor, deadline, *, waive_form=None, explain_form=None):
    today = clock.today()
    _decorate([deadline], today)
    can_act = actor.can("deadlines.waive", deadline.unit)
    late = ((deadline.is_open and deadline.due_date < today)
            or bool(deadline.met_on and deadline.met_on > deadline.due_date))
    log = _log(messages_about(actor, f"deadline:{deadline.pk}")) if actor.is_staff_role else []
    return render(request, "deadlines/detail.html", {
        "d": deadline,
        "today": today,
        "explained": due_date_explained(deadline),
        "due_changes": due_changes(deadline),
        "staff": actor.is_staff_role,
        "deliveries": log,
        "log_failing": has_failing(log),
        # A refused form stays on the page with its error even if the action no longer applies.
        "can_waive": can_act and (deadline.is_open or waive_form is not None),
        "can_explain": can_act and (late or explain_form is not None),
        "waive_form": waive_form or ReasonForm(label=WAIVE_REASON, auto_id="waive_%s"),
        "explain_form": explain_form or ReasonForm(label=LATE_REASON, auto_id="explain_%s"),
        "member_link": bool(deadline.member_id) and (actor.can("members.view", deadline.unit)
                                                     or deadline.member_id == actor.member_id),
    })


@login_required
def detail(request, pk):
    actor = actor_for(request)
    return _render_detail(request, actor, deadline_get(actor, pk))


def _reason_action(request, pk, *, action, label, prefix: str, done, form_key: str):
    actor = actor_for(request)
    deadline = deadline_get(actor, pk)
    if not actor.can("deadlines.waive", deadline.unit):
        raise PermissionDenied
    form = ReasonForm(request.POST, label=label, auto_id=f"{prefix}_%s")
    if form.is_valid():
        try:
            action(actor=actor, deadline=deadline, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("deadlines:detail", deadline.pk)
    deadline.refresh_from_db()
    return _render_detail(request, actor, deadline, **{form_key: form})


@login_required
@require_http_methods(["POST"])
def waive(request, pk):
    return _reason_action(request, pk, action=services.deadline_waive, label=WAIVE_REASON, prefix="waive",
                          done=_("Đã ghi miễn thực hiện."), form_key="waive_form")


@login_required
@require_http_methods(["POST"])
def explain(request, pk):
    return _reason_action(request, pk, action=services.deadline_explain_late, label=LATE_REASON,
                          prefix="explain", done=_("Đã ghi lý do trễ hạn."), form_key="explain_form")


@login_required
@require_http_methods(["GET", "POST"])
def feed_manage(request):
    actor = actor_for(request)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            request.session[FEED_KEY_SESSION] = feeds.feed_token_create(actor=actor, user=request.user)
        elif action == "revoke":
            if feeds.feed_token_revoke(actor=actor, user=request.user):
                messages.success(request, _("Đã thu hồi đường dẫn lịch; các ứng dụng lịch sẽ không cập nhật được "
                                             "nữa."))
        else:
            return render(request, "core/error.html", {"title": _("Yêu cầu không hợp lệ"),
                                                       "text": _("Thao tác không được hỗ trợ.")}, status=400)
        return redirect("deadlines:feed_manage")
    key = request.session.pop(FEED_KEY_SESSION, None)  # shown once, right after it was made
    url = request.build_absolute_uri(reverse("deadlines:feed", args=[key])) if key else ""
    return render(request, "deadlines/feed.html", {
        "active": feeds.feed_active(request.user),
        "feed_url": url,
        "webcal_url": "webcal://" + url.split("://", 1)[1] if url else "",
    })


def feed(request, key):
    """The calendar app's request: no login, no session; the secret in the URL names the user."""
    user = feeds.feed_user(key)
    if user is None:
        return HttpResponseNotFound(_("Không tìm thấy lịch.") + "\n", content_type="text/plain; charset=utf-8")
    actor = actor_from_user(user)
    events = feeds.deadline_events(
        actor, detail_url=lambda pk: request.build_absolute_uri(reverse("deadlines:detail", args=[pk])))
    events += feeds.more_events(actor, request.build_absolute_uri)  # meetings join the same feed
    response = HttpResponse(feeds.vcalendar(events, name=_("chibo — Hạn công việc")).encode("utf-8"),
                            content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["Content-Disposition"] = 'inline; filename="chibo.ics"'
    return response
