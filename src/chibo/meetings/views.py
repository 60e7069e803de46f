"""Meeting pages: list, planning, a meeting's page (the secretary's desk and the member's side),
compliance, the minutes book, files. Thin views over meetings.selectors and the services."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from chibo.core import clock
from chibo.core.access import actor_for
from chibo.core.documents import document_response, download
from chibo.core.forms import apply_service_errors
from chibo.core.lifecycle import TransitionRefused
from chibo.core.lifecycle_views import act as lifecycle_act
from chibo.meetings import rules, selectors, services
from chibo.meetings.forms import (
    PRESENCE_CHOICES,
    BookFilterForm,
    ContentForm,
    CountsForm,
    DocumentForm,
    MeetingForm,
    MinutesForm,
    PaperForm,
    ResolutionForm,
    SettingsForm,
    VoteForm,
)
from chibo.meetings.lifecycle import BALLOT, MEETING
from chibo.meetings.minutes import (
    _secretary_name,
    attendance_rows,
    minutes_document,
    register_number,
    resolution_document,
)
from chibo.meetings.models import (
    Attendance,
    BallotBox,
    BallotVoter,
    BoxState,
    Choice,
    Meeting,
    MeetingDocument,
    MeetingState,
    MinutesState,
)


def local(meeting: Meeting):
    """The start in the unit's own time zone, as a naive value (templates would convert an aware one
    to the server's zone)."""
    return meeting.starts_at.astimezone(ZoneInfo(meeting.time_zone)).replace(tzinfo=None)


def _decorate(meetings):
    for m in meetings:
        m.local = local(m)
    return meetings


@login_required
def index(request):
    actor = actor_for(request)
    now = clock.today()
    visible = selectors.meetings_visible(actor).select_related("unit")
    moment = timezone.now()
    # A planned meeting whose time has passed is not "upcoming": it is shown apart, to be opened, moved or cancelled.
    upcoming = _decorate(list(visible.filter(Q(state=MeetingState.OPEN)
                                             | Q(state=MeetingState.PLANNED, starts_at__gte=moment))
                              .order_by("starts_at", "pk")[:100]))
    overdue = _decorate(list(visible.filter(state=MeetingState.PLANNED, starts_at__lt=moment)
                             .order_by("starts_at", "pk")[:100]))
    past = _decorate(list(visible.filter(state=MeetingState.HELD).order_by("-starts_at", "-pk")[:50]))
    return render(request, "meetings/index.html", {
        "upcoming": upcoming, "overdue": overdue, "past": past, "can_plan": actor.can("meetings.manage"),
        "staff": actor.can("meetings.view"), "year": now.year,
    })


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    actor = actor_for(request)
    if not actor.can("meetings.manage"):
        raise Http404
    initial = {"unit": request.GET.get("unit")} if request.GET.get("unit", "").isdigit() else {}
    form = MeetingForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            meeting = services.meeting_plan(actor=actor, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lên lịch cuộc họp. Hãy gửi thông báo và tài liệu cho đảng viên."))
            return redirect("meetings:detail", meeting.pk)
    return render(request, "meetings/new.html", {"form": form})


def _detail_context(request, actor, meeting, bound=None, errors=()):
    bound = bound or {}
    manage = actor.can("meetings.manage", meeting.unit)
    resolutions = list(meeting.resolutions.select_related("box").all())
    boxes = [r.box for r in resolutions if hasattr(r, "box")]
    voted = selectors.voted_boxes(actor, boxes)
    eligible = selectors.eligible_boxes(actor, boxes)
    for r in resolutions:
        r.ballot = getattr(r, "box", None)
        if r.ballot is not None:
            r.ballot.voted_count = BallotVoter.objects.filter(box=r.ballot, voted=True).count()
            r.ballot.i_voted = r.ballot.pk in voted
            r.ballot.i_eligible = r.ballot.pk in eligible
            if r.ballot.state == BoxState.CLOSED:
                r.ballot.totals = services.ballot_totals(r.ballot)
    marks = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    sheet = []
    if manage:
        for m in rules.attendance_roll(meeting):
            sheet.append((m, marks.get(m.pk)))
    own = marks.get(actor.member_id) if actor.member_id else None
    is_member_here = bool(actor.member_id) and selectors.own_unit_id(actor) == meeting.unit_id
    # The receipt check comes by POST only (meetings:receipt): a code never travels in a URL or an access log.
    receipt = request.POST.get("receipt", "")[:40] if request.method == "POST" else ""
    receipt_box = None
    receipt_ok = None
    if receipt and request.POST.get("box", "").isdigit():
        receipt_box = next((b for b in boxes if b.pk == int(request.POST["box"])), None)
        if receipt_box is not None:
            receipt_ok = services.ballot_receipt_counted(box=receipt_box, code=receipt)
    show_minutes = manage or meeting.minutes_state == MinutesState.APPROVED
    receipt = ""  # never echoed back into the page
    # Before a secret ballot opens, the page says how many eligible voters it needs and how many are present.
    ballot_needs = None
    if manage and meeting.state == MeetingState.OPEN and any(r.secret and r.ballot is None for r in resolutions):
        ballot_needs = rules.ballot_needs(meeting)
    return {
        "m": meeting, "local": local(meeting), "manage": manage,
        "warnings": rules.warnings(meeting) if manage else [],
        "head": rules.headcount(meeting) if (manage or meeting.state != MeetingState.PLANNED) else None,
        "documents": meeting.documents.defer("content"),
        "resolutions": resolutions, "sheet": sheet, "presence_choices": PRESENCE_CHOICES,
        "own": own, "is_member_here": is_member_here,
        "present_count": sum(1 for a in marks.values() if a.presence in ("in_person", "online")),
        "content_form": bound.get("content") or ContentForm(initial={
            "agenda": meeting.agenda, "draft_resolution": meeting.draft_resolution, "discussion": meeting.discussion,
            "conclusion": meeting.conclusion}),
        "document_form": bound.get("document") or DocumentForm(auto_id="doc_%s"),
        "resolution_form": bound.get("resolution") or ResolutionForm(auto_id="res_%s"),
        "counts_form": CountsForm(auto_id=False), "paper_form": PaperForm(auto_id=False),
        "vote_choices": Choice.choices,
        "minutes_form": bound.get("minutes_edit") or MinutesForm(initial={"text": meeting.minutes_text}),
        "show_minutes": show_minutes, "errors": list(errors) + _form_errors(bound),
        "receipt": receipt, "receipt_ok": receipt_ok, "receipt_box": receipt_box, "ballot_needs": ballot_needs,
    }


@login_required
def detail(request, pk):
    actor = actor_for(request)
    meeting = selectors.meeting_get(actor, pk)
    return render(request, "meetings/detail.html", _detail_context(request, actor, meeting))


@sensitive_post_parameters("receipt")  # an error report masks the code
@login_required
@require_http_methods(["POST"])
def receipt_check(request, pk):
    """A voter checks that the slip with their receipt was counted (after the count). By POST, so that the
    code stays out of URLs and logs; nothing is written."""
    actor = actor_for(request)
    meeting = selectors.meeting_get(actor, pk)
    return render(request, "meetings/detail.html", _detail_context(request, actor, meeting))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _form_errors(bound: dict) -> list[str]:
    """The errors of a step's form shown at the top of the page too (the grid and the counts have no card)."""
    return [str(e) for form in bound.values() for errors in form.errors.values() for e in errors]


def _page(request, actor, meeting):
    def render_page(bound):
        meeting.refresh_from_db()
        return render(request, "meetings/detail.html", _detail_context(request, actor, meeting, bound))
    return render_page


@login_required
@require_http_methods(["POST"])
def act(request, pk):
    """Every step the secretary takes on the meeting's page, through the declared lifecycles (meetings.lifecycle):
    the meeting's own, and a secret ballot's (paper totals, closing), named by ``action``."""
    actor = actor_for(request)
    meeting = selectors.meeting_get(actor, pk)
    name = request.POST.get("action", "")
    success = reverse("meetings:detail", args=[meeting.pk]) + f"#{name}"
    if name in ("paper", "ballot_close"):
        item = meeting.resolutions.filter(pk=_int(request.POST.get("resolution"))).first()
        box = BallotBox.objects.filter(resolution=item).first() if item is not None else None
        if box is None:
            raise Http404(_("Cuộc bỏ phiếu chưa mở"))
        return lifecycle_act(request, lc=BALLOT, obj=box, field="action", success_url=success,
                             render_page=_page(request, actor, meeting))
    return lifecycle_act(request, lc=MEETING, obj=meeting, field="action", success_url=success,
                         render_page=_page(request, actor, meeting))


@login_required
@require_http_methods(["POST"])
def check_in(request, pk):
    actor = actor_for(request)
    meeting = selectors.meeting_get(actor, pk)
    return lifecycle_act(request, lc=MEETING, obj=meeting, step="check_in",
                         success_url=reverse("meetings:detail", args=[meeting.pk]),
                         render_page=_page(request, actor, meeting))


@sensitive_post_parameters("choice")  # an error report, which names the user, masks the choice
@login_required
@require_http_methods(["POST"])
def vote(request, pk):
    """Cast one's ballot. The receipt is shown on this answer only: not in a message, the session
    or the URL, so nothing keeps it next to the voter."""
    actor = actor_for(request)
    box = selectors.box_get(actor, pk)
    meeting = box.resolution.meeting
    form = VoteForm(request.POST, auto_id="vote_%s")
    try:
        if not form.is_valid():
            raise ValidationError(_("Hãy chọn một phương án."))
        # The service's reasons first (not on the list, voted already…), then the declaration's check.
        code = services.ballot_cast(actor=actor, box=box, choice=form.cleaned_data["choice"])
    except TransitionRefused as exc:
        return render(request, "meetings/detail.html", _detail_context(request, actor, meeting, errors=[exc.message]),
                      status=409)
    except ValidationError as exc:
        return render(request, "meetings/detail.html",
                      _detail_context(request, actor, meeting, errors=list(exc.messages)))
    response = render(request, "meetings/receipt.html", {"m": meeting, "item": box.resolution, "code": code})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def document(request, pk):
    actor = actor_for(request)
    try:
        doc = MeetingDocument.objects.select_related("meeting").get(
            pk=pk, meeting__in=selectors.meetings_visible(actor).values("pk"))
    except (MeetingDocument.DoesNotExist, ValueError) as exc:
        raise Http404(_("Không tìm thấy tài liệu")) from exc
    return download(actor=actor, content=bytes(doc.content), filename=doc.filename or "tai-lieu",
                    content_type=doc.content_type, action="meetings.document_downloaded", obj=doc.meeting,
                    unit=doc.meeting.unit_id, data={"document": doc.pk})


@login_required
def minutes_file(request, pk):
    """The approved minutes (or, with ?doc=resolution, the resolution) as PDF or, with ?fmt=docx, DOCX."""
    actor = actor_for(request)
    meeting = selectors.meeting_get(actor, pk)
    if meeting.minutes_state != MinutesState.APPROVED:
        raise Http404(_("Biên bản chưa được thông qua"))
    doc_kind = "resolution" if request.GET.get("doc") == "resolution" else "minutes"
    doc = resolution_document(meeting) if doc_kind == "resolution" else minutes_document(meeting)
    name = f"{'nghi-quyet' if doc_kind == 'resolution' else 'bien-ban'}-{meeting.unit.code}-{local(meeting):%Y%m%d}"
    return document_response(doc, "docx" if request.GET.get("fmt") == "docx" else "pdf", name, inline_pdf=True,
                             actor=actor, action=f"meetings.{doc_kind}_downloaded", obj=meeting, unit=meeting.unit)


def _year(request) -> int:
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() else clock.today().year
    return year if 1945 <= year <= 2200 else clock.today().year


@login_required
def compliance(request):
    """The cells behind with their meetings (months without a regular meeting, quarters without a
    thematic one) in the tree the actor oversees, or under ``?unit=``, the most months missing first (``?sort=name``:
    in name order), 50 a page; repeated absences of the cells they manage."""
    actor = actor_for(request)
    if not actor.can("meetings.view"):
        raise Http404
    focus = None
    if request.GET.get("unit"):
        raw = request.GET["unit"]
        focus = selectors.meeting_units(actor).filter(pk=int(raw)).first() if raw.isdigit() else None
        if focus is None:
            raise Http404
    overview = selectors.compliance_overview(actor, _year(request), focus=focus, page=request.GET.get("page"),
                                             by_name=request.GET.get("sort") == "name")
    return render(request, "meetings/compliance.html", {"o": overview, "year": overview.year})


@login_required
def book(request):
    """The minutes book: the approved minutes of one unit and year."""
    actor = actor_for(request)
    year = _year(request)
    form = BookFilterForm({"unit": request.GET.get("unit", "")}, actor=actor)
    if not form.is_valid():  # a unit outside the scope
        raise Http404
    unit = form.cleaned_data["unit"]
    if unit is None:  # none chosen: the first cell, shown as chosen
        unit = form.fields["unit"].queryset.order_by("sort_key", "pk").first()
        form = BookFilterForm({"unit": unit.pk if unit else ""}, actor=actor)
    rows = []
    if unit is not None:
        rows = _decorate([m for m in selectors.meetings_visible(actor).filter(
            unit=unit, minutes_state=MinutesState.APPROVED).order_by("starts_at", "pk") if local(m).year == year])
    return render(request, "meetings/book.html", {"unit": unit, "form": form, "year": year, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def unit_settings(request, pk):
    actor = actor_for(request)
    unit = selectors.meeting_units(actor).filter(pk=pk).first()
    if unit is None:
        raise Http404
    if not actor.can("meetings.manage", unit):
        raise PermissionDenied
    current = {"time_zone": services.unit_time_zone(unit), "online_ballots": services.online_ballots_allowed(unit)}
    form = SettingsForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_settings_set(actor=actor, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu cài đặt sinh hoạt của chi bộ."))
            return redirect("meetings:unit_settings", unit.pk)
    return render(request, "meetings/settings.html", {"unit": unit, "form": form, "current": current})


@login_required
def attendance_sheet(request, pk):
    """The attendance sheet to print and sign at the meeting: the members who must attend (the same roll as the
    minutes' figures, in name order, with birth year and standing so two of one name are told apart), then those
    not required to attend and why, each with a column for the signature. For whoever runs the cell's meetings."""
    actor = actor_for(request)
    meeting = selectors.meeting_get(actor, pk)
    if not actor.can("meetings.manage", meeting.unit):
        raise PermissionDenied
    roll = rules.turnout(meeting)
    return render(request, "meetings/attendance_sheet.html", {
        "m": meeting, "local": local(meeting), "required": [m for m, _a in roll.required], "apart": roll.apart,
        "roll": roll,
    })


@login_required
def minutes_print(request, pk):
    """The minutes as a page to print (the draft, to read over on paper, for whoever runs the meeting; the approved
    minutes for everyone who sees the meeting), with the attendance list once and the two signatures."""
    actor = actor_for(request)
    meeting = selectors.meeting_get(actor, pk)
    manage = actor.can("meetings.manage", meeting.unit)
    if not meeting.minutes_state or not (manage or meeting.minutes_state == MinutesState.APPROVED):
        raise Http404(_("Chưa có biên bản"))
    lines = [(line, line.isupper() and len(line) < 60) for line in meeting.minutes_text.split("\n") if line.strip()]
    return render(request, "meetings/minutes_print.html", {
        "m": meeting, "local": local(meeting), "lines": lines, "number": register_number(meeting, "BB"),
        "attendance": attendance_rows(meeting), "chair": _secretary_name(meeting.unit),
    })
