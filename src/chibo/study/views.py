"""Study pages: the cell's study sessions (plan, attendance, the member's own reflection) and course certificates of
a member or an applicant. Thin views over study.selectors and study.services. Attendance and reflections are shown
per member, never as a ranking."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo.core.access import actor_for
from chibo.core.forms import submit
from chibo.members.selectors import member_get
from chibo.study import selectors, services
from chibo.study.enums import Presence
from chibo.study.forms import CertificateForm, ReflectionForm, SessionForm
from chibo.units.selectors import unit_get, units_with


def _sees(actor) -> bool:
    return bool(actor.can("meetings.view") or actor.can("units.view") or actor.member_id)


@login_required
@require_GET
def index(request):
    actor = actor_for(request)
    if not _sees(actor):
        raise Http404
    return render(request, "study/index.html", {
        "sessions": selectors.sessions_visible(actor)[:200], "can_plan": actor.can("meetings.manage"),
        "own_certificates": selectors.certificates_visible(actor).filter(member_id=actor.member_id)
        if actor.member_id else None})


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request):
    actor = actor_for(request)
    if not actor.can("meetings.manage"):
        raise Http404
    units = list(units_with(actor, "meetings.manage").filter(closed_on__isnull=True).order_by("path")[:300])
    raw = request.POST.get("unit") or request.GET.get("unit")
    chosen = next((u for u in units if str(u.pk) == raw), units[0] if units else None)
    meetings = selectors.meeting_choices(chosen) if chosen else []
    documents = selectors.document_choices(actor, chosen) if chosen else []
    form = SessionForm(request.POST or None, units=units, meetings=meetings, documents=documents,
                       initial={"unit": chosen and chosen.pk})

    def call():
        d = form.cleaned_data
        return services.session_plan(actor=actor, unit=unit_get(actor, d["unit"]), topic=d["topic"],
                                     held_on=d["held_on"], materials=d["materials"], meeting_id=d.get("meeting"),
                                     document_ids=d["documents"])

    done = submit(request, form, call)
    if done.ok:
        messages.success(request, gettext("Đã lập kế hoạch buổi học tập."))
        return redirect("study:session", pk=done.value.pk)
    return render(request, "study/session_new.html", {"form": form}, status=400 if request.method == "POST" else 200)


def _session_context(actor, session) -> dict:
    manage = actor.can("meetings.manage", session.unit)
    roll = selectors.session_roll(session) if actor.can("meetings.view", session.unit) else []
    own = selectors.own_reflection(actor, session)
    committee = selectors.is_cell_committee(actor, session)
    return {"session": session, "manage": manage, "roll": roll, "presences": Presence.choices,
            "documents": selectors.session_documents(actor, session),
            "committee": committee, "reflections": selectors.reflections_readable(actor, session) if committee else [],
            "own_reflection": own,
            "may_reflect": selectors.on_rolls(actor, session)}


@login_required
@require_GET
def session(request, pk: int):
    actor = actor_for(request)
    return render(request, "study/session.html", _session_context(actor, selectors.session_get(actor, pk)))


@login_required
@require_POST
def attendance(request, pk: int):
    """The roll of a held session: one ``presence_<member id>`` and ``reason_<member id>`` per member."""
    actor = actor_for(request)
    session = selectors.session_get(actor, pk)
    if not actor.can("meetings.manage", session.unit):
        raise PermissionDenied
    rows = {}
    for key, value in request.POST.items():
        if key.startswith("presence_") and key[9:].isdigit():
            rows[int(key[9:])] = (value, request.POST.get(f"reason_{key[9:]}", ""))
    try:
        services.attendance_record(actor=actor, session=session, rows=rows)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        context = _session_context(actor, session)
        context["posted"] = request.POST
        return render(request, "study/session.html", context, status=400)
    messages.success(request, gettext("Đã ghi điểm danh."))
    return redirect("study:session", pk=session.pk)


@login_required
@require_http_methods(["GET", "POST"])
def reflection_write(request, pk: int):
    actor = actor_for(request)
    session = selectors.session_get(actor, pk)
    if not selectors.on_rolls(actor, session):
        raise Http404
    own = selectors.own_reflection(actor, session)
    form = ReflectionForm(request.POST or None, initial={"text": own.text if own else ""})
    done = submit(request, form, lambda: services.reflection_write(actor=actor, session=session,
                                                                   text=form.cleaned_data["text"]))
    if done.ok:
        messages.success(request, gettext("Đã lưu bài thu hoạch. Chỉ bạn và chi ủy của chi bộ đọc được."))
        return redirect("study:session", pk=session.pk)
    return render(request, "study/reflection_form.html", {"form": form, "session": session},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def reflection(request, pk: int):
    actor = actor_for(request)
    return render(request, "study/reflection.html", {"reflection": selectors.reflection_get(actor, pk)})


def person_from_query(actor, data) -> tuple:
    """(member, applicant) named by ``member=`` or ``applicant=``, within the actor's scope, or 404."""
    raw_member, raw_applicant = data.get("member", ""), data.get("applicant", "")
    if raw_member:
        return member_get(actor, raw_member), None
    if raw_applicant:
        return None, selectors.applicant_get(actor, raw_applicant)
    if actor.member_id:
        return member_get(actor, actor.member_id), None
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def certificates(request):
    """A person's course certificates (``?member=ID`` or ``?applicant=ID``; one's own without), and the form
    recording one for those who edit the person's record."""
    actor = actor_for(request)
    member, applicant = person_from_query(actor, request.GET if request.method == "GET" else
                                          {**request.GET.dict(), **request.POST.dict()})
    person = member or applicant
    unit = person.unit
    can_write = actor.can("members.edit", unit) if member else actor.can("admission.edit", unit)
    if request.method == "POST" and not can_write:
        raise PermissionDenied
    form = CertificateForm(request.POST or None,
                           initial={"member": member and member.pk, "applicant": applicant and applicant.pk})

    def call():
        d = form.cleaned_data
        return services.certificate_record(actor=actor, member=member, applicant=applicant, kind=d["kind"],
                                           title=d["title"], issuer=d["issuer"], number=d["number"],
                                           issued_on=d["issued_on"])

    done = submit(request, form, call)
    if done.ok:
        messages.success(request, gettext("Đã ghi giấy chứng nhận."))
        query = f"?member={member.pk}" if member else f"?applicant={applicant.pk}"
        return redirect(reverse("study:certificates") + query)
    return render(request, "study/certificates.html", {
        "person": person, "is_member": member is not None, "can_write": can_write, "form": form,
        "certificates": selectors.certificates_of(member=member, applicant=applicant)},
        status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def certificate_delete(request, pk: int):
    actor = actor_for(request)
    cert = selectors.certificate_get(actor, pk)
    person = cert.member or cert.applicant
    query = f"?member={cert.member_id}" if cert.member_id else f"?applicant={cert.applicant_id}"
    services.certificate_delete(actor=actor, certificate=cert)
    messages.success(request, gettext("Đã xóa giấy chứng nhận của %(value)s.") % {"value": person})
    return redirect(reverse("study:certificates") + query)

