"""Dues pages: thin views over dues.selectors and dues.services (the API twins are in dues.api)."""

from __future__ import annotations

import base64
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from chibo.core import clock
from chibo.core.access import actor_for, require
from chibo.core.calendar import add_months
from chibo.core.documents import document_response, download
from chibo.core.forms import apply_service_errors, submit
from chibo.core.lifecycle_views import act, action_forms
from chibo.core.money import format_amount, quantize
from chibo.core.sheets import XLSX
from chibo.dues import rules as drules
from chibo.dues import selectors, services, statements
from chibo.dues.charts import rate_chart_svg
from chibo.dues.documents import book_document, book_xlsx, receipt_document
from chibo.dues.forms import (
    DecisionForm,
    ExchangeRateForm,
    MonthField,
    MonthPostForm,
    PaymentForm,
    ProfileForm,
    RateFileForm,
    RateForm,
    ReasonForm,
    RemitForm,
    StatementForm,
)
from chibo.dues.lifecycle import REMITTANCE
from chibo.members.enums import ACTIVE_STATUSES
from chibo.members.selectors import member_get
from chibo.units.selectors import units_with

FORM = "dues/form.html"


def _month(request, name: str = "month") -> date:
    """The month asked for in the query string (mm/yyyy or yyyy-mm), else this month; never in the future."""
    current = drules.month_start(clock.today())
    try:
        value = MonthField(required=False).clean(request.GET.get(name, ""))
    except ValidationError:
        value = None
    return min(value, current) if value else current


def _posted_message(posted: services.Posted) -> str:
    receipts = ", ".join(gettext("%(name)s: %(amount)s (biên lai %(receipt)s)") % {
        "name": e.member.full_name, "amount": format_amount(e.amount, e.currency), "receipt": e.receipt}
        for e in posted.entries)
    said = gettext("Đã ghi %(count)s khoản thu — %(receipts)s.") % {"count": len(posted.entries), "receipts": receipts}
    return said + (" " + " ".join(posted.notes) if posted.notes else "")


# --------------------------------------------------------------------------------------------------
# The level's page: summaries, the chart, the "not yet remitted" board
# --------------------------------------------------------------------------------------------------
@login_required
def index(request):
    actor = actor_for(request)
    raw = request.GET.get("unit", "")
    if raw:
        unit = selectors.unit_for_dues(actor, raw)
    else:
        first = units_with(actor, "dues.view").order_by("path").first()
        if first is None:  # a member: their own dues
            if actor.member_id:
                return _member_page(request, actor, selectors.member_for_dues(actor, actor.member_id))
            raise Http404(gettext("Không có đảng phí nào để xem"))
        unit = first
    month = _month(request)
    quarter_first = date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
    axis, series = selectors.collection_series(unit, month)
    board = selectors.remit_board(unit, month)
    return render(request, "dues/index.html", {
        "unit": unit, "month": month, "quarter_first": quarter_first,
        "monthly": selectors.level_summary(unit, month, month),
        "quarterly": selectors.level_summary(unit, quarter_first, month),
        "chart": rate_chart_svg(axis, series), "board": board,
        "missing": [row for row in board if row.state == "missing"],
        "can_record": actor.can("dues.record", unit), "can_rates": actor.can("dues.rates"),
    })


# --------------------------------------------------------------------------------------------------
# A cell's month: what everyone owes, what was collected; post the month in one request
# --------------------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def unit_month(request, pk):
    actor = actor_for(request)
    unit = selectors.unit_for_dues(actor, pk)
    month = _month(request)
    cm = selectors.cell_month(unit, month)
    may_record = actor.can("dues.record", unit)
    ids = [line.member.pk for line in cm.lines if line.member.status in ACTIVE_STATUSES]
    initial = None
    if request.GET.get("fill") and request.method == "GET":
        initial = {f"amount_{line.member.pk}": str(quantize(line.position.arrears[line.currency], line.currency))
                   for line in cm.lines if line.member.pk in ids and line.currency in line.position.arrears}
    form = MonthPostForm(request.POST or None, member_ids=ids, initial=initial)
    if request.method == "POST":
        require(actor, "dues.record", unit)
        if form.is_valid():
            members = {line.member.pk: line.member for line in cm.lines}
            lines = [services.PaymentLine(member=members[pk], amount=amount) for pk, amount in form.amounts().items()]
            try:
                posted = services.payments_post(actor=actor, unit=unit, lines=lines,
                                                paid_on=form.cleaned_data["paid_on"],
                                                method=form.cleaned_data["method"], note=form.cleaned_data["note"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _posted_message(posted))
                return redirect(f"{reverse('dues:unit', args=[unit.pk])}?month={month:%m/%Y}")
    return render(request, "dues/unit.html", {
        "unit": unit, "month": month, "cm": cm, "totals": cm.totals(), "form": form, "may_record": may_record,
        "rows": [(line, form[f"amount_{line.member.pk}"] if line.member.pk in ids else None) for line in cm.lines],
        "figures": selectors.remit_figures(unit, month), "remits": selectors.remits(unit),
        "may_remit": actor.can("dues.remit", unit),
        "remit_form": RemitForm(initial={"month": month, "currency": next(iter(cm.totals()), "")}),
        "remittances": selectors.remittances_of(unit),
        "previous": add_months(month, -1), "next": add_months(month, 1)
        if month < drules.month_start(clock.today()) else None,
    })


@login_required
def book(request, pk):
    """The cell's dues book of a month, as PDF or XLSX."""
    actor = actor_for(request)
    unit = selectors.unit_for_dues(actor, pk)
    month = _month(request)
    cm = selectors.cell_month(unit, month)
    stem = f"so-dang-phi-{unit.code}-{month:%Y-%m}"
    if request.GET.get("format") == "xlsx":
        return download(actor=actor, content=book_xlsx(cm), filename=f"{stem}.xlsx", content_type=XLSX,
                        action="dues.book_exported", obj=unit, unit=unit, data={"month": month, "format": "xlsx"})
    return document_response(book_document(cm), "pdf", stem, actor=actor, action="dues.book_exported", obj=unit,
                             unit=unit, data={"month": month})


@login_required
@require_POST
def remit(request, pk):
    actor = actor_for(request)
    unit = selectors.unit_for_dues(actor, pk)
    require(actor, "dues.remit", unit)
    form = RemitForm(request.POST)
    if done := submit(request, form, lambda: services.remittance_send(actor=actor, unit=unit, **form.cleaned_data)):
        r = done.value
        messages.success(request, gettext("Đã ghi nộp lên %(unit)s: %(amount)s.") % {
            "unit": r.to_unit.name, "amount": format_amount(r.due_up, r.currency)})
        return redirect("dues:remittance", r.pk)
    return render(request, FORM, {"form": form, "title":
                                  gettext("Nộp đảng phí lên cấp trên: %(name)s") % {"name": unit.name},
                                  "back": reverse("dues:unit", args=[unit.pk])}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def statement(request, pk):
    """Import a bank or portal statement: preview the matches, then post the matched lines."""
    actor = actor_for(request)
    unit = selectors.unit_for_dues(actor, pk)
    require(actor, "dues.record", unit)
    form = StatementForm(request.POST or None, request.FILES or None)
    preview = carried = None
    if request.method == "POST":
        data, name = _statement_data(request, form)
        if data is not None:
            carried = signing.dumps({"n": name, "b": base64.b64encode(data).decode()}, compress=True,
                                    salt="dues.statement")
            method = request.POST.get("method", "bank")
            try:
                if request.POST.get("action") == "commit":
                    result = statements.statement_post(actor=actor, unit=unit, data=data, filename=name,
                                                       method=method)
                    messages.success(request, result.message)
                    return redirect("dues:unit", unit.pk)
                preview = statements.statement_preview(actor=actor, unit=unit, data=data, filename=name)
            except ValidationError as exc:
                apply_service_errors(form, exc)
                carried = None
    return render(request, "dues/statement.html", {"unit": unit, "form": form, "preview": preview,
                                                   "carried": carried, "labels": dict(statements.LineStatus.choices)})


def _statement_data(request, form) -> tuple[bytes | None, str]:
    """The statement's bytes: the uploaded file, or the one carried from the preview (signed: never forged)."""
    if request.POST.get("carried"):
        try:
            found = signing.loads(request.POST["carried"], salt="dues.statement", max_age=3600)
            return base64.b64decode(found["b"]), str(found["n"])
        except (signing.BadSignature, KeyError, ValueError):
            form.add_error(None, gettext("Phiên xem trước đã hết hạn; hãy chọn lại tệp."))
            return None, ""
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > statements.MAX_BYTES:
            form.add_error("file", gettext("Tệp quá lớn."))
            return None, ""
        return upload.read(), upload.name
    return None, ""


# --------------------------------------------------------------------------------------------------
# A member's dues: the member's own page, and the treasurer's forms
# --------------------------------------------------------------------------------------------------
def _member_page(request, actor, member, forms: dict | None = None, status: int = 200) -> HttpResponse:
    position = selectors.member_position(member)
    entries = list(selectors.entries_of(member))
    staff = actor.can("dues.record", member.unit)
    forms = forms or {}
    return render(request, "dues/member.html", {
        "m": member, "position": position, "entries": entries, "reversed": selectors.reversed_ids(entries),
        "months": list(reversed((position.lines + position.projected)[-24:])),
        "unpaid": position.unpaid_months(position.today.year), "staff": staff,
        "profiles": selectors.profiles_of(member), "decisions": selectors.decisions_of(member),
        "pay_form": forms.get("pay") or PaymentForm(initial={"amount": position.arrears.get(position.currency or "")},
                                                    auto_id="pay_%s"),
        "profile_form": forms.get("profile") or ProfileForm(initial={"month": drules.month_start(clock.today()),
                                                                     "currency": position.currency or ""},
                                                            auto_id="profile_%s"),
        "decision_form": forms.get("decision") or DecisionForm(auto_id="decision_%s"),
    }, status=status)


@login_required
def member_page(request, pk):
    actor = actor_for(request)
    return _member_page(request, actor, selectors.member_for_dues(actor, pk))


def _staff_write(request, pk, key: str, form_class, call, done: str):
    actor = actor_for(request)
    member = member_get(actor, pk)
    require(actor, "dues.record", member.unit)
    form = form_class(request.POST, auto_id=f"{key}_%s")  # three forms on one page: their own element ids
    if outcome := submit(request, form, lambda: call(actor, member, form.cleaned_data)):
        messages.success(request, done if isinstance(done, str) else done(outcome.value))
        return redirect("dues:member", member.pk)
    return _member_page(request, actor, member, {key: form}, status=400)


@login_required
@require_POST
def pay(request, pk):
    def call(actor, member, data):
        line = services.PaymentLine(member=member, amount=data["amount"], month_from=data["month_from"],
                                    month_to=data["month_to"], reference=data["reference"])
        return services.payments_post(actor=actor, unit=member.unit, lines=[line], paid_on=data["paid_on"],
                                      method=data["method"], note=data["note"])
    return _staff_write(request, pk, "pay", PaymentForm, call, _posted_message)


@login_required
@require_POST
def profile(request, pk):
    return _staff_write(request, pk, "profile", ProfileForm,
                        lambda actor, member, data: services.profile_set(actor=actor, member=member, **data),
                        gettext("Đã ghi mức đóng đảng phí."))


@login_required
@require_POST
def decision(request, pk):
    return _staff_write(request, pk, "decision", DecisionForm,
                        lambda actor, member, data: services.decision_record(actor=actor, member=member, **data),
                        gettext("Đã ghi quyết định."))


def _reason_write(request, obj, member, call, done: str):
    actor = actor_for(request)
    require(actor, "dues.record", member.unit)
    form = ReasonForm(request.POST)
    if submit(request, form, lambda: call(actor, form.cleaned_data["reason"])):
        messages.success(request, done)
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("dues:member", member.pk)


@login_required
@require_POST
def decision_revoke(request, pk):
    found = selectors.decision_get(actor_for(request), pk)
    return _reason_write(request, found, found.member,
                         lambda actor, reason: services.decision_revoke(actor=actor, decision=found, reason=reason),
                         gettext("Đã thu hồi quyết định."))


@login_required
@require_POST
def reverse_entry(request, pk):
    entry = selectors.entry_get(actor_for(request), pk)
    return _reason_write(request, entry, entry.member,
                         lambda actor, reason: services.payment_reverse(actor=actor, entry=entry, reason=reason),
                         gettext("Đã đảo khoản thu (biên lai %(receipt)s).") % {"receipt": entry.receipt})


@login_required
def receipt(request, pk):
    actor = actor_for(request)
    entry = selectors.entry_get(actor, pk)
    if not entry.receipt:
        raise Http404(gettext("Bút toán đảo không có biên lai"))
    reversal = selectors.reversal_of(entry)
    return document_response(receipt_document(entry, reversed_by=reversal), "pdf",
                             f"bien-lai-dang-phi-{entry.unit.code}-{entry.receipt_year}-{entry.receipt_number}",
                             actor=actor, action="dues.receipt_downloaded", obj=entry, unit=entry.unit,
                             data={"receipt": entry.receipt}, inline_pdf=True)


# --------------------------------------------------------------------------------------------------
# Remittances
# --------------------------------------------------------------------------------------------------
def _remittance_page(request, actor, r, bound=None):
    return render(request, "dues/remittance.html", {
        "r": r, "actions": action_forms(actor, REMITTANCE, r, bound),
        "action_url": reverse("dues:remittance", args=[r.pk]), "state_label": REMITTANCE.state_label(r.state)})


@login_required
@require_http_methods(["GET", "POST"])
def remittance(request, pk):
    actor = actor_for(request)
    r = selectors.remittance_get(actor, pk)
    if request.method == "POST":
        return act(request, lc=REMITTANCE, obj=r, success_url=request.path,
                   render_page=lambda bound: _remittance_page(request, actor, r, bound))
    return _remittance_page(request, actor, r)


# --------------------------------------------------------------------------------------------------
# Rates abroad and exchange rates (the upper committee)
# --------------------------------------------------------------------------------------------------
def _rates_page(request, actor, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    return render(request, "dues/rates.html", {
        "rates": selectors.abroad_rates(), "exchange": selectors.exchange_rates(),
        "can": actor.can("dues.rates"),
        "rate_form": forms.get("rate") or RateForm(initial={"effective_from": drules.month_start(clock.today())},
                                                   auto_id="rate_%s"),
        "fx_form": forms.get("fx") or ExchangeRateForm(initial={"day": clock.today()}, auto_id="fx_%s"),
        "file_form": forms.get("file") or RateFileForm(auto_id="file_%s"),
    }, status=status)


def _top_only(actor) -> None:
    """Rates are the upper committee's: 404 for those who see no dues at all, 403 for the other staff."""
    if not actor.can("dues.view"):
        raise Http404
    if actor.top_grant("dues.rates") is None:
        raise PermissionDenied("dues.rates")


def _rates_write(request, key: str, form, call, done) -> HttpResponse:
    """A write of the rates page (the upper committee only): the service's answer, or the page with the errors."""
    actor = actor_for(request)
    _top_only(actor)
    if outcome := submit(request, form, lambda: call(actor, form.cleaned_data)):
        messages.success(request, done(outcome.value))
        return redirect("dues:rates")
    return _rates_page(request, actor, {key: form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def rates(request):
    if request.method == "GET":
        actor = actor_for(request)
        if not actor.can("dues.view"):
            raise Http404
        return _rates_page(request, actor)
    return _rates_write(request, "rate", RateForm(request.POST, auto_id="rate_%s"),
                        lambda actor, data: services.rate_define(actor=actor, **data),
                        lambda _: gettext("Đã ghi mức đóng."))


@login_required
@require_POST
def exchange_rate(request):
    return _rates_write(request, "fx", ExchangeRateForm(request.POST, auto_id="fx_%s"),
                        lambda actor, data: services.exchange_rate_set(actor=actor, **data),
                        lambda _: gettext("Đã ghi tỷ giá."))


@login_required
@require_POST
def exchange_rates_import(request):
    return _rates_write(request, "file", RateFileForm(request.POST, request.FILES, auto_id="file_%s"),
                        lambda actor, data: services.exchange_rates_import(actor=actor, data=data["file"].read(),
                                                                           source=data["source"]),
                        lambda n: gettext("Đã nhập %(count)s tỷ giá.") % {"count": n})
