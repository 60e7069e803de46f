"""Pages of the rulebook and the working calendar: every logged-in user reads them (a secretary must
see *why* a due date is what it is); the upper committee's organization officer adds rule versions
and announced days. Thin views over ``core.rulebook``, ``core.calendar`` and ``core.calendar_services``.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from chibo.core import calendar as cal_mod
from chibo.core import calendar_services, clock
from chibo.core.access import actor_for
from chibo.core.enums import CalendarDayKind
from chibo.core.forms import apply_service_errors
from chibo.core.rule_words import said_name, said_value
from chibo.core.rulebook import (
    in_force,
    rule_add_version,
    rule_confirm,
    rule_history,
    rule_version_or_404,
    rules_in_force,
    rules_to_confirm,
)
from chibo.deadlines.kinds import KINDS
from chibo.rules.forms import (
    CalendarDayForm,
    CalendarRemoveForm,
    RuleConfirmForm,
    RuleVersionForm,
    WorkingDayCalculatorForm,
    YearForm,
)

# The first part of a rule key, as a heading of the rulebook page.
GROUPS = {
    "admission": _("Kết nạp đảng viên"),
    "probation": _("Thời kỳ dự bị"),
    "confirmation": _("Công nhận đảng viên chính thức"),
    "transfer": _("Chuyển sinh hoạt đảng"),
    "delegation": _("Đoàn công tác"),
    "trip": _("Đi nước ngoài"),
    "meeting": _("Sinh hoạt chi bộ"),
    "resolution": _("Nghị quyết, biểu quyết"),
    "strike_off": _("Xóa tên"),
    "dues": _("Đảng phí"),
    "grading": _("Đánh giá, xếp loại"),
    "discipline": _("Kỷ luật"),
    "study": _("Học tập"),
    "library": _("Tài liệu, văn bản"),
    "members": _("Hồ sơ đảng viên"),
    "privacy": _("Bảo vệ dữ liệu cá nhân"),
    "account": _("Tài khoản"),
    "import": _("Nhập danh sách"),
}


def _can(actor, perm: str) -> bool:
    return actor.top_grant(perm) is not None


@login_required
def index(request):
    today = clock.today()
    order = list(GROUPS)
    rows = [
        {"key": key, "name": said_name(key, version), "group": GROUPS.get(key.split(".")[0], _("Quy định khác")),
         "v": version, "value": said_value(version)}
        for key, version in rules_in_force(on=today)
    ]
    rows.sort(key=lambda r: (order.index(r["key"].split(".")[0]) if r["key"].split(".")[0] in order else len(order),
                             r["key"]))
    return render(request, "rules/index.html", {"rows": rows, "today": today})


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, key):
    actor = actor_for(request)
    history = rule_history(key)
    if not history:
        raise Http404(gettext("Không có quy định này"))
    can_edit = _can(actor, "rules.edit")
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = None
    if can_edit:
        form = RuleVersionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                version = rule_add_version(actor=actor, key=key, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, gettext("Đã thêm phiên bản mới của «%(rule)s»: %(value)s, có hiệu lực từ "
                                                  "%(day)s.") % {"rule": said_name(key, version),
                                                                 "value": said_value(version),
                                                                 "day": f"{version.effective_from:%d/%m/%Y}"})
                return redirect("rules:detail", key=key)
    today = clock.today()
    current = next((v for v in history if in_force(v, today)), None)
    return render(request, "rules/detail.html", {
        "key": key, "name": said_name(key, history[-1]), "show_key": can_edit,
        "group": GROUPS.get(key.split(".")[0], ""), "current": current, "latest": history[-1],
        "current_value": said_value(current),
        "history": [{"v": v, "value": said_value(v), "in_force": v is current} for v in reversed(history)],
        "today": today, "form": form,
    })


def _calculate(actor, form: WorkingDayCalculatorForm):
    """The calculator's answer: the due date, the count back, and the days off it stepped over."""
    data = form.cleaned_data
    unit = data.get("unit")
    calendar = cal_mod.calendar_for(unit)
    start, n = data["start"], data["n"]
    due = calendar.add_working_days(start, n)
    if due.year > cal_mod.MAX_YEAR:
        form.add_error("n", gettext("Kết quả vượt quá năm %(year)s, ngoài phạm vi của lịch.")
                       % {"year": cal_mod.MAX_YEAR})
        return None
    skipped, worked = [], []  # days off other than plain weekends; make-up working weekend days
    day = start + timedelta(days=1)
    while day <= due:
        if not calendar.is_working_day(day):
            if not cal_mod.is_plain_weekend(calendar, day):
                skipped.append((day, cal_mod.non_working_reason(calendar, day)))
        elif day in calendar.extra_work:
            worked.append(day)
        day += timedelta(days=1)
    back = calendar.working_days_between(start, due)
    return {
        "start": start, "n": n, "due": due, "back": back, "unit": unit, "host": calendar.host,
        "calendar_days": (due - start).days, "skipped": skipped, "worked": worked,
        "weekend_days": (due - start).days - back - len(skipped),
    }


@login_required
@require_http_methods(["GET", "POST"])
def calendar(request):
    actor = actor_for(request)
    can_edit = _can(actor, "calendar.edit")
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    today = clock.today()
    year = today.year
    year_form = YearForm(request.GET if "year" in request.GET else None, initial={"year": year})
    if year_form.is_valid():
        year = year_form.cleaned_data["year"]
    add_form = CalendarDayForm(request.POST or None) if can_edit else None
    if add_form is not None and request.method == "POST" and add_form.is_valid():
        try:
            added = calendar_services.calendar_day_add(actor=actor, **add_form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(add_form, exc)
        else:
            said = gettext("Đã ghi %(day)s: %(kind)s.") % {"day": f"{added.day:%d/%m/%Y}",
                                                           "kind": gettext(added.get_kind_display())}
            messages.success(request, " ".join([said, *added.effects]))
            return redirect(f"{reverse('rules:calendar')}?year={added.day.year}")
    calc_form = WorkingDayCalculatorForm(request.GET if "start" in request.GET else None, actor=actor,
                                         initial={"start": today, "n": 30, "unit": request.GET.get("unit", "")})
    result = _calculate(actor, calc_form) if calc_form.is_bound and calc_form.is_valid() else None
    announced = cal_mod.announced_days(year)
    return render(request, "rules/calendar.html", {
        "year": year, "years": (year - 1, year + 1), "year_form": year_form,
        "holidays": cal_mod.holidays_in(year, "VN"),
        "announced": announced, "kinds": CalendarDayKind,
        "add_form": add_form, "can_edit": can_edit,
        "calc_form": calc_form, "result": result, "today": today,
    })


@login_required
@require_POST
def calendar_remove(request):
    actor = actor_for(request)
    if not _can(actor, "calendar.edit"):
        raise PermissionDenied
    form = CalendarRemoveForm(request.POST)
    target = reverse("rules:calendar")
    if not form.is_valid():
        messages.error(request, gettext("Chưa xóa: %(why)s")
                       % {"why": " ".join(e for errors in form.errors.values() for e in errors)})
        return redirect(target)
    day = form.cleaned_data["day"]
    day_obj = cal_mod.announced_day(day)
    if day_obj is None:
        messages.error(request, gettext("Chưa xóa: %(day)s không có trong danh sách ngày đã công bố.")
                       % {"day": f"{day:%d/%m/%Y}"})
        return redirect(f"{target}?year={day.year}")
    try:
        removed = calendar_services.calendar_day_remove(actor=actor, day_obj=day_obj,
                                                        reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, gettext("Chưa xóa: %(why)s") % {"why": " ".join(exc.messages)})
    else:
        messages.success(request, " ".join([gettext("Đã xóa ngày %(day)s khỏi danh sách ngày đã công bố.")
                                            % {"day": f"{day:%d/%m/%Y}"},
                                            *removed.effects]))
    return redirect(f"{target}?year={day.year}")


def dependents(key: str) -> list[str]:
    """What in the product reads the rule: the process its key belongs to and the deadlines it sets."""
    out = [gettext("Quy trình: %(process)s") % {"process": GROUPS.get(key.split(".")[0], _("khác"))}]
    out += [gettext("Thời hạn: %(kind)s") % {"kind": kind.label} for kind in KINDS.values() if kind.rule_key == key]
    return out


@login_required
def watch(request):
    """The regulation watch: every rule version marked "to confirm", its basis, since when, what depends on it;
    the organization officer confirms it against the published text (audited)."""
    actor = actor_for(request)
    today = clock.today()
    rows = [{"v": v, "name": said_name(v.key, v), "value": said_value(v),
             "group": GROUPS.get(v.key.split(".")[0], ""),
             "dependents": dependents(v.key), "form": RuleConfirmForm(auto_id=f"rule{v.pk}_%s")}
            for v in rules_to_confirm()]  # one form per version, each with its own element ids
    return render(request, "rules/watch.html", {"rows": rows, "can_confirm": _can(actor, "rules.edit"),
                                                "today": today})


@login_required
@require_POST
def confirm(request, pk):
    actor = actor_for(request)
    version = rule_version_or_404(pk)
    if not _can(actor, "rules.edit"):
        raise PermissionDenied
    form = RuleConfirmForm(request.POST)
    if form.is_valid():
        try:
            rule_confirm(actor=actor, version=version, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, gettext("Chưa xác nhận: %(why)s") % {"why": " ".join(exc.messages)})
        else:
            messages.success(request, gettext("Đã xác nhận «%(rule)s» từ %(day)s.") % {
                "rule": said_name(version.key, version), "day": f"{version.effective_from:%d/%m/%Y}"})
    else:
        messages.error(request, gettext("Chưa xác nhận: %(why)s")
                       % {"why": " ".join(e for errors in form.errors.values() for e in errors)})
    return redirect("rules:watch")
