"""Writes on meetings: plan, notice, documents, attendance, votes, secret ballots, minutes.

Each service checks the actor's permission on the meeting's unit, validates, writes, audits, in one
transaction; notices are queued in the outbox (chibo.notifications) in that transaction, and the
worker sends their e-mails after it commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.selectors import role_holders, users_of_members
from chibo.core import clock
from chibo.core.access import SYSTEM, Actor, Role, require
from chibo.core.audit import audit
from chibo.core.calendar import add_months
from chibo.core.counters import take_numbers
from chibo.core.crypto import blind_index
from chibo.core.rulebook import ratio_needed, rule, rule_name
from chibo.core.said import said, said_term
from chibo.core.text import clean, clean_lines
from chibo.deadlines.selectors import open_sources
from chibo.deadlines.services import deadline_close_for, deadline_open
from chibo.meetings import rules as mrules
from chibo.meetings.lifecycle import BALLOT, MEETING
from chibo.meetings.minutes import BLANKS, draft_text, held_day
from chibo.meetings.models import (
    Attendance,
    Ballot,
    BallotBox,
    BallotReceipt,
    BallotVoter,
    BoxState,
    Choice,
    Meeting,
    MeetingDocument,
    MeetingKind,
    MeetingSettings,
    MeetingState,
    MinutesCounter,
    MinutesState,
    Presence,
    Resolution,
)
from chibo.members.selectors import member_fresh, member_is_on_rolls_of, members_of_unit
from chibo.units.selectors import open_units_of_kinds

if TYPE_CHECKING:
    from chibo.accounts.models import User
    from chibo.members.models import Member
    from chibo.units.models import Unit
from chibo.notifications.enums import Channel
from chibo.notifications.services import notify

MAX_UPLOAD = 10 * 1024 * 1024
ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".txt": "text/plain",
}
MAGIC = {".pdf": b"%PDF", ".docx": b"PK\x03\x04", ".odt": b"PK\x03\x04", ".doc": b"\xd0\xcf\x11\xe0"}


# --- time zones -----------------------------------------------------------------------------------

def _zone_table() -> dict[str, str]:
    table: dict[str, str] = {}
    try:
        with open("/usr/share/zoneinfo/zone.tab", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#") or not line.strip():
                    continue
                parts = line.split("\t")
                table.setdefault(parts[0], parts[2].strip())
    except OSError:
        pass
    return table


ZONES = _zone_table()


def unit_time_zone(unit: Unit) -> str:
    """The unit's own setting, else the first zone of its country (zone.tab), else Vietnam's."""
    chosen = MeetingSettings.objects.filter(unit=unit).values_list("time_zone", flat=True).first()
    if chosen:
        return chosen
    return ZONES.get(unit.country or "", "") or settings.TIME_ZONE


def online_ballots_allowed(unit: Unit) -> bool:
    found = MeetingSettings.objects.filter(unit=unit).values_list("online_ballots", flat=True).first()
    return True if found is None else found


@transaction.atomic
def meeting_settings_set(*, actor: Actor, unit: Unit, time_zone: str, online_ballots: bool) -> MeetingSettings:
    require(actor, "meetings.manage", unit)
    time_zone = clean(time_zone)
    if time_zone:
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(
                {"time_zone": _("Múi giờ «%(time_zone)s» không tồn tại (ví dụ Europe/Paris).") % {
                    "time_zone": time_zone[:64]}}) from exc
    obj, _created = MeetingSettings.objects.update_or_create(unit=unit, defaults={"time_zone": time_zone,
                                                                          "online_ballots": online_ballots})
    audit(actor=actor, action="meeting.settings_changed", obj=obj, unit=unit,
          data={"time_zone": time_zone, "online_ballots": online_ballots})
    return obj


# --- planning -------------------------------------------------------------------------------------

def _check_unit(unit: Unit) -> None:
    if not unit.is_open:
        raise ValidationError({"unit": _("Tổ chức này đã giải thể.")})


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).select_related("unit").get(pk=meeting.pk)


@transaction.atomic
def meeting_plan(*, actor: Actor, unit: Unit, kind: str, title: str, day: date, time: time_of_day, planned_minutes: int,
                 place: str = "", online_link: str = "", agenda: str = "", draft_resolution: str = "") -> Meeting:
    """Schedule a meeting; the date and time are the unit's local time (stored as an aware datetime)."""
    require(actor, "meetings.manage", unit)
    _check_unit(unit)
    errors = {}
    if kind not in MeetingKind.values:
        errors["kind"] = _("Loại sinh hoạt không hợp lệ.")
    if not planned_minutes or planned_minutes <= 0:
        errors["planned_minutes"] = _("Thời lượng phải lớn hơn 0 phút (cuộc họp không thể kết thúc trước khi bắt đầu).")
    elif planned_minutes > 24 * 60:
        errors["planned_minutes"] = _("Thời lượng không quá 24 giờ.")
    elif kind in MeetingKind.values:
        need = mrules.duration_rule(kind, day)
        if need.refused and planned_minutes < need.minimum:
            errors["planned_minutes"] = (_("%(kind)s phải kéo dài ít nhất %(minimum)s phút "
                                           "(theo %(basis)s); đã ghi %(planned_minutes)s phút.") % {
                                             "kind": _(MeetingKind(kind).label), "minimum": need.minimum,
                                             "basis": need.basis, "planned_minutes": planned_minutes})
    if not clean(place) and not clean(online_link):
        errors["place"] = _("Cần ghi địa điểm hoặc đường dẫn họp trực tuyến.")
    if not clean(title):
        errors["title"] = _("Cần ghi tiêu đề.")
    if errors:
        raise ValidationError(errors)
    zone = unit_time_zone(unit)
    starts = datetime.combine(day, time).replace(tzinfo=ZoneInfo(zone))
    meeting = Meeting.objects.create(
        unit=unit, kind=kind, title=clean(title)[:200], starts_at=starts, time_zone=zone,
        planned_minutes=planned_minutes, place=clean(place)[:200], online_link=clean(online_link)[:300],
        agenda=clean_lines(agenda), draft_resolution=clean_lines(draft_resolution),
    )
    audit(actor=actor, action="meeting.planned", obj=meeting, unit=unit,
          data={"kind": kind, "starts_at": starts.isoformat(), "minutes": planned_minutes})
    return meeting


@MEETING.runs("content")
@transaction.atomic
def meeting_update(*, actor: Actor, meeting: Meeting, **fields: str | None) -> Meeting:
    """Edit agenda, draft resolution, discussion, place or link (not once the minutes are approved)."""
    meeting = _locked(meeting)
    MEETING.check(actor, meeting, "content")
    allowed = {"agenda", "draft_resolution", "discussion", "conclusion", "place", "online_link", "title"}
    changed = {}
    for name, value in fields.items():
        if name not in allowed:
            raise ValidationError({name: _("Không sửa được trường này.")})
        value = clean_lines(value or "")
        if getattr(meeting, name) != value:
            setattr(meeting, name, value)
            changed[name] = True
    if changed:
        meeting.version += 1
        meeting.save()
        audit(actor=actor, action="meeting.updated", obj=meeting, unit=meeting.unit, data={"fields": sorted(changed)})
    return meeting


def _recipients(meeting: Meeting) -> list[User]:
    """Users of the unit's active members and the secretaries / officers holding a role above it."""
    members = users_of_members(members_of_unit(meeting.unit).values("pk"))
    above = meeting.unit.parent
    if above is None:
        return list(members)
    upper = role_holders([above.path[:i] for i in range(8, len(above.path) + 1, 8)])
    return list((members | upper).distinct())


@MEETING.runs("notice")
@transaction.atomic
def meeting_send_notice(*, actor: Actor, meeting: Meeting, url: str = "") -> int:
    """Notify members and the officers above through the outbox: the bell at once, e-mail by the
    worker once this transaction commits. Returns how many users were told."""
    meeting = _locked(meeting)
    MEETING.check(actor, meeting, "notice")
    url = url or reverse("meetings:detail", args=[meeting.pk])
    users = _recipients(meeting)
    local = meeting.starts_at.astimezone(ZoneInfo(meeting.time_zone))
    title = said("Thông báo %(kind)s: %(when)s (%(zone)s)", kind=said_term(meeting.get_kind_display(), lower=True),
                 when=f"{local:%d/%m/%Y %H:%M}", zone=meeting.time_zone)
    body = said("%(title)s — %(unit)s. Địa điểm: %(where)s. Thời lượng dự kiến %(minutes)s phút.",
                title=meeting.title, unit=meeting.unit.name, where=meeting.place or meeting.online_link,
                minutes=meeting.planned_minutes)
    # The members' own records give the address of an account that has none.
    emails = {u.pk: u.member.email for u in users if not u.email and u.member is not None}
    notify(actor=actor, users=users, kind="meeting.notice", title=title, body=body, url=url, unit=meeting.unit,
           ref=f"meeting:{meeting.pk}", emails=emails)
    meeting.notice_sent_at = timezone.now()
    meeting.save(update_fields=["notice_sent_at"])
    audit(actor=actor, action="meeting.notice_sent", obj=meeting, unit=meeting.unit, data={"recipients": len(users)})
    return len(users)


@MEETING.runs("document")
@transaction.atomic
def meeting_add_document(*, actor: Actor, meeting: Meeting, title: str, filename: str, data: bytes,
                         unclassified: bool) -> MeetingDocument:
    """Attach a document: PDF / Word / ODT / text, at most 10 MB, declared unclassified."""
    meeting = _locked(meeting)
    MEETING.check(actor, meeting, "document")
    errors = {}
    if not unclassified:
        errors["unclassified"] = _("Chỉ đính kèm tài liệu không mật; tài liệu mật chỉ được đăng ký, không lưu "
                                   "nội dung.")
    name = clean(filename).rsplit("/", 1)[-1][:200]
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if ext not in ALLOWED_TYPES:
        errors["file"] = _("Chỉ nhận tệp PDF, DOC, DOCX, ODT hoặc TXT.")
    elif len(data) > MAX_UPLOAD:
        errors["file"] = _("Tệp quá lớn (tối đa 10 MB).")
    elif not data:
        errors["file"] = _("Tệp rỗng.")
    elif ext in MAGIC and not data.startswith(MAGIC[ext]):
        errors["file"] = _("Nội dung tệp không đúng định dạng đã khai.")
    if not clean(title):
        errors["title"] = _("Cần ghi tên tài liệu.")
    if errors:
        raise ValidationError(errors)
    doc = MeetingDocument.objects.create(meeting=meeting, title=clean(title)[:200], filename=name,
                                         content_type=ALLOWED_TYPES[ext], size=len(data), content=data,
                                         uploaded_at=timezone.now(), uploaded_by=actor.label)
    audit(actor=actor, action="meeting.document_added", obj=meeting, unit=meeting.unit,
          data={"document": doc.pk, "title": doc.title, "size": doc.size})
    return doc


# --- holding the meeting --------------------------------------------------------------------------

@MEETING.runs("open")
@transaction.atomic
def meeting_open(*, actor: Actor, meeting: Meeting) -> Meeting:
    meeting = _locked(meeting)
    MEETING.check(actor, meeting, "open")
    meeting.state, meeting.opened_at = MeetingState.OPEN, timezone.now()
    meeting.save(update_fields=["state", "opened_at"])
    audit(actor=actor, action="meeting.opened", obj=meeting, unit=meeting.unit)
    return meeting


def _regular_source(unit: Unit) -> str:
    return f"meeting-unit:{unit.pk}:regular"


def _thematic_source(unit: Unit) -> str:
    return f"meeting-unit:{unit.pk}:thematic"


def _month_end(day: date) -> date:
    return add_months(day.replace(day=1), 1) - timedelta(days=1)


def _quarter_end(day: date) -> date:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return add_months(first, 3) - timedelta(days=1)


@MEETING.runs("close")
@transaction.atomic
def meeting_close(*, actor: Actor, meeting: Meeting, ended_at: datetime | None = None) -> Meeting:
    """End the meeting: it counts as held. A held regular (or combined) meeting meets the unit's
    open "meeting.regular" deadline and opens the next one (due by the end of the next month, per
    rule meeting.regular_every); a thematic one does the same per quarter."""

    meeting = _locked(meeting)
    MEETING.check(actor, meeting, "close")
    ended_at = ended_at or timezone.now()
    assert meeting.opened_at is not None, "only an open meeting closes"
    if ended_at <= meeting.opened_at:
        raise ValidationError({"ended_at": _("Cuộc họp không thể kết thúc trước khi bắt đầu.")})
    open_boxes = BallotBox.objects.filter(resolution__meeting=meeting, state=BoxState.OPEN).count()
    if open_boxes:
        raise ValidationError(_("Còn cuộc bỏ phiếu kín chưa kiểm phiếu."))
    meeting.state, meeting.ended_at = MeetingState.HELD, ended_at
    meeting.save(update_fields=["state", "ended_at"])
    held_on = meeting.starts_at.astimezone(ZoneInfo(meeting.time_zone)).date()
    audit(actor=actor, action="meeting.held", obj=meeting, unit=meeting.unit, data={"held_on": held_on})
    unit = meeting.unit
    if meeting.kind in (MeetingKind.REGULAR, MeetingKind.COMBINED):
        deadline_close_for(actor=actor, source=_regular_source(unit), kind="meeting.regular", on=held_on)
        deadline_open(actor=actor, kind="meeting.regular", unit=unit, start=_month_end(held_on),
                      title=said("Sinh hoạt chi bộ thường kỳ tháng %(month)s",
                                 month=f"{add_months(held_on.replace(day=1), 1):%m/%Y}"),
                      source=_regular_source(unit), month_end=True, data={"after_meeting": meeting.pk})
    if meeting.kind in (MeetingKind.THEMATIC, MeetingKind.COMBINED):
        deadline_close_for(actor=actor, source=_thematic_source(unit), kind="meeting.thematic", on=held_on)
        deadline_open(actor=actor, kind="meeting.thematic", unit=unit, start=_quarter_end(held_on),
                      title=said("Sinh hoạt chuyên đề quý tiếp theo"), source=_thematic_source(unit), month_end=True,
                      data={"after_meeting": meeting.pk})
    _flag_repeated_absence(actor, meeting, held_on)
    return meeting


def _flag_repeated_absence(actor: Actor, meeting: Meeting, held_on: date) -> None:
    """Members absent without good reason from this meeting who now reach the rule's number of months
    in the year: the secretaries of the unit (and above) get a notice proposing to consider striking
    them off. The decision itself is members.services.member_change_status, with its document."""

    absent_here = set(Attendance.objects.filter(meeting=meeting).filter(
        Q(presence=Presence.ABSENT) | Q(presence=Presence.EXCUSED, reason_approved=False))
        .values_list("member_id", flat=True))
    if not absent_here:
        return
    flags = [f for f in mrules.repeated_absences(meeting.unit, held_on.year) if f.member.pk in absent_here]
    if not flags:
        return
    path = meeting.unit.path
    ancestors = [path[:i] for i in range(8, len(path) + 1, 8)]
    users = role_holders(ancestors, roles=[Role.SECRETARY])
    for flag in flags:
        title = said("Đề nghị xem xét xóa tên: %(name)s", name=flag.member.full_name)
        body = said("Vắng sinh hoạt không có lý do chính đáng %(n)s tháng trong năm %(year)s (tháng %(months)s; "
                    "ngưỡng %(threshold)s, %(rule)s). Chi bộ xem xét, đề nghị xóa tên nếu đủ căn cứ.",
                    n=len(flag.months), year=held_on.year, months=", ".join(str(m) for m in flag.months),
                    threshold=flag.threshold, rule=said_term(rule_name("strike_off.absence_or_dues_months")))
        # In the bell only: the member's name stays inside the system.
        notify(actor=actor, users=users, kind="meeting.absence", title=title, body=body,
               url=f"/members/{flag.member.pk}/", unit=meeting.unit,
               key=f"meeting:{meeting.pk}:absence:{flag.member.pk}",
               ref=f"member:{flag.member.pk}", channels=[Channel.IN_APP])
        audit(actor=actor, action="meeting.absence_flagged", obj=meeting, unit=meeting.unit,
              data={"member": flag.member.pk, "months": flag.months, "threshold": flag.threshold})


# --- attendance -----------------------------------------------------------------------------------

def _member_of(meeting: Meeting, member: Member) -> None:
    if not mrules.may_be_marked(meeting, member):
        raise ValidationError({"member": _("Đảng viên này không sinh hoạt tại chi bộ của cuộc họp.")})


@MEETING.runs("attendance")
@transaction.atomic
def attendance_record(*, actor: Actor, meeting: Meeting, member: Member, presence: str, reason: str = "",
                      reason_approved: bool = False) -> Attendance:
    """The secretary records one member's attendance."""
    meeting = _locked(meeting)
    MEETING.check(actor, meeting, "attendance")
    _member_of(meeting, member)
    if presence not in Presence.values:
        raise ValidationError({"presence": _("Tình trạng có mặt không hợp lệ.")})
    reason = clean(reason)[:300]
    if presence == Presence.EXCUSED and not reason:
        raise ValidationError({"reason": _("Vắng có lý do: cần ghi lý do.")})
    if presence != Presence.EXCUSED:
        reason, reason_approved = "", False
    row, _created = Attendance.objects.update_or_create(
        meeting=meeting, member=member,
        defaults={"presence": presence, "reason": reason, "reason_approved": reason_approved, "self_checked_in": False})
    audit(actor=actor, action="meeting.attendance", obj=meeting, unit=meeting.unit,
          data={"member": member.pk, "presence": presence, "reason_approved": reason_approved})
    _join_open_ballots(actor, meeting, member, presence)
    return row


def _join_open_ballots(actor: Actor, meeting: Meeting, member: Member, presence: str) -> None:
    """A member marked present after a secret ballot opened joins its roll (with one more blank slip), as long
    as they may vote and the ballot is still open. Nobody leaves a roll: who was listed may still vote."""
    if presence not in (Presence.IN_PERSON, Presence.ONLINE) or not mrules.may_vote(meeting, member):
        return
    boxes = (BallotBox.objects.select_for_update().filter(resolution__meeting=meeting, state=BoxState.OPEN)
             .exclude(voters__member=member))
    for box in boxes:
        BallotVoter.objects.create(box=box, member=member)
        Ballot.objects.create(id=secrets.token_hex(16), box=box, sealed=_slip(box, ""))
        box.eligible_count += 1
        box.save(update_fields=["eligible_count"])
        audit(actor=actor, action="ballot.voter_added", obj=meeting, unit=meeting.unit,
              data={"resolution": box.resolution_id, "member": member.pk, "eligible": box.eligible_count})


@MEETING.runs("check_in")
@transaction.atomic
def attendance_check_in(*, actor: Actor, meeting: Meeting, online: bool = False) -> Attendance:
    """A member checks themself in while the meeting is open."""
    meeting = _locked(meeting)
    MEETING.check(actor, meeting, "check_in")
    assert actor.member_id is not None, "only a member checks themself in"
    member = member_fresh(actor.member_id)
    _member_of(meeting, member)
    presence = Presence.ONLINE if online else Presence.IN_PERSON
    row, _created = Attendance.objects.update_or_create(
        meeting=meeting, member=member,
        defaults={"presence": presence, "reason": "", "reason_approved": False, "self_checked_in": True})
    audit(actor=actor, action="meeting.checked_in", obj=meeting, unit=meeting.unit,
          data={"member": member.pk, "presence": presence})
    _join_open_ballots(actor, meeting, member, presence)
    return row


# --- resolutions and open votes -------------------------------------------------------------------

@MEETING.runs("resolution")
@transaction.atomic
def resolution_add(*, actor: Actor, meeting: Meeting, title: str, text: str = "", secret: bool = False) -> Resolution:
    meeting = _locked(meeting)
    MEETING.check(actor, meeting, "resolution")
    if not clean(title):
        raise ValidationError({"title": _("Cần ghi nội dung biểu quyết.")})
    number = (meeting.resolutions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    item = Resolution.objects.create(meeting=meeting, number=number, title=clean(title)[:300], text=clean_lines(text),
                                     secret=secret)
    audit(actor=actor, action="meeting.resolution_added", obj=meeting, unit=meeting.unit,
          data={"resolution": item.pk, "number": number, "secret": secret})
    return item


def _decide(item: Resolution, meeting: Meeting, votes_for: int) -> None:
    on = meeting.starts_at.astimezone(ZoneInfo(meeting.time_zone)).date()
    head = mrules.headcount(meeting)
    version = rule("resolution.pass_ratio", on=on)
    item.headcount, item.rule = head.count, version
    item.needed = ratio_needed(version, head.count)
    item.passed = head.count > 0 and votes_for >= item.needed


@transaction.atomic
def resolution_record_open_vote(*, actor: Actor, resolution: Resolution, votes_for: int, votes_against: int,
                                votes_abstain: int) -> Resolution:
    """Record a show-of-hands vote; passes with more than half of the computed headcount (rule)."""
    item = Resolution.objects.select_for_update().select_related("meeting__unit").get(pk=resolution.pk)
    meeting = item.meeting
    MEETING.check(actor, meeting, "open_vote")
    if item.secret:
        raise ValidationError(_("Nội dung này biểu quyết bằng phiếu kín."))
    counts = {"votes_for": votes_for, "votes_against": votes_against, "votes_abstain": votes_abstain}
    errors = {k: _("Số phiếu phải là số nguyên không âm.") for k, v in counts.items() if v is None or v < 0}
    if errors:
        raise ValidationError(errors)
    present = mrules.present_voters(meeting)
    if votes_for + votes_against + votes_abstain > present:
        raise ValidationError({"votes_for": _("Tổng số biểu quyết (%(votes)s) "
                                              "vượt số đảng viên chính thức có mặt (%(present)s).") % {
                                                "votes": votes_for + votes_against + votes_abstain,
                                                "present": present}})
    item.votes_for, item.votes_against, item.votes_abstain = votes_for, votes_against, votes_abstain
    _decide(item, meeting, votes_for)
    item.save()
    audit(actor=actor, action="meeting.vote_recorded", obj=meeting, unit=meeting.unit,
          data={"resolution": item.pk, **counts, "headcount": item.headcount, "needed": item.needed,
                "passed": item.passed})
    return item


# --- secret ballots -------------------------------------------------------------------------------

def receipt_hash(code: str) -> str:
    """A receipt's digest, keyed with the deployment's blind-index key: a copy of the database (or a logged
    query) does not let anyone try the few billion possible codes."""
    return blind_index(hashlib.sha256(clean(code).upper().replace("-", "").encode()).hexdigest())


# A slip's plain text before it is sealed: the box's id, then the choice ("" while blank), padded so that
# every slip of a box has the same length, and so the same ciphertext length, whatever it says.
SLIP_WIDTH = max(len(c) for c in Choice.values)


def _slip(box: BallotBox, choice: str) -> str:
    return f"{box.pk}|{choice:<{SLIP_WIDTH}}"


def _slip_choice(box: BallotBox, text: str) -> str:
    """The choice on a slip of this box ("" while blank); a slip sealed for another box, or saying something
    else, is refused rather than counted."""
    owner, _sep, choice = text.partition("|")
    choice = choice.rstrip()
    if owner != str(box.pk) or (choice and choice not in Choice.values):
        raise ValidationError(_("Hộp phiếu có lá phiếu không hợp lệ: không kiểm phiếu được."))
    return choice


def _slips(box: BallotBox) -> list[tuple[str, str]]:
    """(id, choice) of every slip in the box, unsealed in memory only."""
    return [(pk, _slip_choice(box, text)) for pk, text in Ballot.objects.filter(box=box).values_list("id", "sealed")]


@transaction.atomic
def ballot_open(*, actor: Actor, resolution: Resolution) -> BallotBox:
    """Open the secret ballot: the eligible list is fixed now (full members present, not suspended);
    one blank slip per eligible member is created, in random order, with random ids."""
    item = Resolution.objects.select_for_update().select_related("meeting__unit").get(pk=resolution.pk)
    meeting = item.meeting
    MEETING.check(actor, meeting, "ballot_open")
    if not item.secret:
        raise ValidationError(_("Nội dung này biểu quyết công khai."))
    if BallotBox.objects.filter(resolution=item).exists():
        raise ValidationError(_("Cuộc bỏ phiếu này đã mở."))
    eligible = mrules.eligible_voters(meeting)
    if not eligible:
        raise ValidationError(_("Chưa có đảng viên chính thức nào có mặt để bỏ phiếu."))
    minimum = mrules.ballot_min_voters(meeting)
    if len(eligible) < minimum:
        raise ValidationError(
            _("Chưa mở được bỏ phiếu kín: cần ít nhất %(minimum)s đảng viên chính thức có mặt có quyền bỏ phiếu, hiện "
              "có %(count)s. Với ít người hơn, kết quả sẽ để lộ lá phiếu của từng người; hãy điểm danh đủ "
              "hoặc biểu quyết công khai.") % {"minimum": minimum, "count": len(eligible)})
    box = BallotBox.objects.create(resolution=item, online=online_ballots_allowed(meeting.unit),
                                   eligible_count=len(eligible))
    BallotVoter.objects.bulk_create([BallotVoter(box=box, member_id=pk) for pk in sorted(eligible)])
    Ballot.objects.bulk_create([Ballot(id=secrets.token_hex(16), box=box, sealed=_slip(box, "")) for _ in eligible])
    audit(actor=actor, action="ballot.opened", obj=meeting, unit=meeting.unit,
          data={"resolution": item.pk, "eligible": len(eligible), "online": box.online})
    return box


@BALLOT.runs("cast")
@transaction.atomic
def ballot_cast(*, actor: Actor, box: BallotBox, choice: str) -> str:
    """Cast the actor's own ballot online; returns the receipt code (shown once, never stored)."""
    box = BallotBox.objects.select_for_update().select_related("resolution__meeting__unit").get(pk=box.pk)
    meeting = box.resolution.meeting
    if not actor.member_id:
        raise PermissionDenied("ballot.cast")
    voter = BallotVoter.objects.select_for_update().filter(box=box, member_id=actor.member_id).first()
    if voter is None:
        if member_is_on_rolls_of(actor.member_id, meeting.unit):
            raise ValidationError(_("Đồng chí không có trong danh sách bầu cử của cuộc bỏ phiếu này."))
        raise PermissionDenied("ballot.cast")
    if box.state != BoxState.OPEN:
        raise ValidationError(_("Cuộc bỏ phiếu đã kết thúc."))
    if not box.online:
        raise ValidationError(_("Chi bộ không cho phép bỏ phiếu kín trực tuyến; đồng chí bỏ phiếu giấy tại cuộc họp."))
    if voter.voted:
        raise ValidationError(_("Đồng chí đã bỏ phiếu rồi; mỗi người chỉ bỏ một phiếu."))
    if choice not in Choice.values:
        raise ValidationError({"choice": _("Lựa chọn không hợp lệ.")})
    BALLOT.check(actor, box, "cast")  # the declaration agrees (the reasons above are more precise)
    code = "-".join(secrets.token_hex(2).upper() for _ in range(4))
    _fill_a_slip(box, choice, receipt_hash(code))
    voter.voted = True
    voter.save(update_fields=["voted"])
    # Who took part is recorded; nothing about the slip (no id, no choice, no receipt).
    audit(actor=actor, action="ballot.participated", obj=meeting, unit=meeting.unit,
          data={"resolution": box.resolution_id})
    return code


def _fill_a_slip(box: BallotBox, choice: str, hashed: str) -> None:
    """Fill one blank slip, then rewrite the whole box in a fresh random order with fresh random ids, every
    slip sealed again with a fresh nonce: neither the row order (SQLite rowid, PostgreSQL heap order), nor an
    id, nor a ciphertext says which slip changed, and no version of a row (in the WAL, in PostgreSQL's dead
    rows) holds a choice in clear. The receipt goes to its own table, rewritten the same way."""
    rng = secrets.SystemRandom()
    choices = [c for _pk, c in _slips(box)]
    blank = [i for i, c in enumerate(choices) if not c]
    if not blank:
        raise ValidationError(_("Không còn phiếu trống: số phiếu đã đủ số người trong danh sách."))
    choices[rng.choice(blank)] = choice
    rng.shuffle(choices)
    Ballot.objects.filter(box=box).delete()
    Ballot.objects.bulk_create([Ballot(id=secrets.token_hex(16), box=box, sealed=_slip(box, c)) for c in choices])
    digests = [*BallotReceipt.objects.filter(box=box).values_list("digest", flat=True), hashed]
    rng.shuffle(digests)
    BallotReceipt.objects.filter(box=box).delete()
    BallotReceipt.objects.bulk_create([BallotReceipt(id=secrets.token_hex(16), box=box, digest=d) for d in digests])


def ballot_receipt_counted(*, box: BallotBox, code: str) -> bool | None:
    """Whether the slip cast with this receipt is in the box (None while the ballot is still open). The receipt
    is handed out in the step that fills the slip, so it stands for a counted slip without pointing at it."""
    if box.state != BoxState.CLOSED:
        return None
    return BallotReceipt.objects.filter(box=box, digest=receipt_hash(code)).exists()


@BALLOT.runs("paper")
@transaction.atomic
def ballot_enter_paper(*, actor: Actor, box: BallotBox, votes_for: int, votes_against: int, votes_abstain: int,
                       invalid: int = 0) -> BallotBox:
    """The counting committee's totals of the paper slips cast in the room."""
    box = BallotBox.objects.select_for_update().select_related("resolution__meeting__unit").get(pk=box.pk)
    meeting = box.resolution.meeting
    BALLOT.check(actor, box, "paper")
    counts = {"votes_for": votes_for, "votes_against": votes_against, "votes_abstain": votes_abstain,
              "invalid": invalid}
    errors = {k: _("Số phiếu phải là số nguyên không âm.") for k, v in counts.items() if v is None or v < 0}
    if errors:
        raise ValidationError(errors)
    online = BallotVoter.objects.filter(box=box, voted=True).count()
    paper = votes_for + votes_against + votes_abstain + invalid
    if online + paper > box.eligible_count:
        raise ValidationError({"votes_for": _("Số phiếu giấy (%(paper)s) cộng phiếu trực tuyến (%(online)s) vượt số "
                                              "người trong danh sách (%(eligible)s).") % {
                                                "paper": paper, "online": online, "eligible": box.eligible_count}})
    box.paper_for, box.paper_against, box.paper_abstain, box.paper_invalid = (votes_for, votes_against,
                                                                              votes_abstain, invalid)
    box.paper_entered = True
    box.save()
    audit(actor=actor, action="ballot.paper_entered", obj=meeting, unit=meeting.unit,
          data={"resolution": box.resolution_id, **counts})
    return box


def _count(slips: list[tuple[str, str]]) -> dict[str, int]:
    return {c: sum(1 for _pk, choice in slips if choice == c) for c in Choice.values}


def ballot_totals(box: BallotBox, *, online: dict[str, int] | None = None) -> dict[str, int]:
    """The counts of a ballot. The online slips' counts are kept on the box at the close; before that (the
    close itself), ``online`` comes from the unsealed slips."""
    if online is None:
        online = ({Choice.FOR: box.online_for or 0, Choice.AGAINST: box.online_against or 0,
                   Choice.ABSTAIN: box.online_abstain or 0} if box.state == BoxState.CLOSED else _count(_slips(box)))
    paper: dict[str, int] = {Choice.FOR: box.paper_for or 0, Choice.AGAINST: box.paper_against or 0,
             Choice.ABSTAIN: box.paper_abstain or 0}
    totals = {c: online[c] + paper[c] for c in Choice.values}
    totals["invalid"] = box.paper_invalid or 0
    totals["online"] = sum(online.values())
    totals["paper"] = sum(paper.values()) + totals["invalid"]
    totals["cast"] = totals["online"] + totals["paper"]
    return totals


@BALLOT.runs("ballot_close")
@transaction.atomic
def ballot_close(*, actor: Actor, box: BallotBox) -> Resolution:
    """Close and count: online slips plus paper totals, checked against the eligible list; the
    result is computed like an open vote (rule resolution.pass_ratio on the headcount)."""
    box = BallotBox.objects.select_for_update().select_related("resolution__meeting__unit").get(pk=box.pk)
    meeting = box.resolution.meeting
    BALLOT.check(actor, box, "ballot_close")
    slips = _slips(box)
    online = _count(slips)
    totals = ballot_totals(box, online=online)
    if totals["cast"] > box.eligible_count:
        raise ValidationError(_("Số phiếu vượt số người trong danh sách: kiểm tra lại phiếu giấy."))
    box.state = BoxState.CLOSED
    box.online_for, box.online_against, box.online_abstain = (online[c] for c in (Choice.FOR, Choice.AGAINST,
                                                                                 Choice.ABSTAIN))
    box.save(update_fields=["state", "online_for", "online_against", "online_abstain"])
    # Slips nobody filled are removed: they carry nothing.
    Ballot.objects.filter(box=box, pk__in=[pk for pk, choice in slips if not choice]).delete()
    item = Resolution.objects.select_for_update().get(pk=box.resolution_id)
    item.votes_for, item.votes_against = totals[Choice.FOR], totals[Choice.AGAINST]
    item.votes_abstain = totals[Choice.ABSTAIN]
    _decide(item, meeting, totals[Choice.FOR])
    item.save()
    audit(actor=actor, action="ballot.closed", obj=meeting, unit=meeting.unit,
          data={"resolution": item.pk, **{k: v for k, v in totals.items()}, "eligible": box.eligible_count,
                "headcount": item.headcount, "needed": item.needed, "passed": item.passed})
    return item


# --- minutes --------------------------------------------------------------------------------------

@MEETING.runs("minutes_draft")
@transaction.atomic
def minutes_draft(*, actor: Actor, meeting: Meeting) -> Meeting:
    """Draft the minutes from the record (attendance with names, agenda, discussion, every vote)."""
    meeting = _locked(meeting)
    MEETING.check(actor, meeting, "minutes_draft")
    meeting.minutes_text = draft_text(meeting)
    meeting.minutes_state = MinutesState.DRAFT
    meeting.save(update_fields=["minutes_text", "minutes_state"])
    audit(actor=actor, action="meeting.minutes_drafted", obj=meeting, unit=meeting.unit)
    return meeting


@MEETING.runs("minutes_edit")
@transaction.atomic
def minutes_edit(*, actor: Actor, meeting: Meeting, text: str) -> Meeting:
    meeting = _locked(meeting)
    MEETING.check(actor, meeting, "minutes_edit")
    if not clean(text):
        raise ValidationError({"text": _("Biên bản không được để trống.")})
    meeting.minutes_text = clean_lines(text)
    meeting.save(update_fields=["minutes_text"])
    audit(actor=actor, action="meeting.minutes_edited", obj=meeting, unit=meeting.unit)
    return meeting


@MEETING.runs("minutes_approve")
@transaction.atomic
def minutes_approve(*, actor: Actor, meeting: Meeting) -> Meeting:
    """Approve (at the end of the meeting or at the next one): the minutes are locked from now on."""
    meeting = _locked(meeting)
    MEETING.check(actor, meeting, "minutes_approve")
    missing = [label for label, value in ((_("chương trình"), meeting.agenda),
                                          (_("diễn biến, ý kiến thảo luận"), meeting.discussion),
                                          (_("kết luận của chủ trì"), meeting.conclusion),
                                          (_("nội dung biên bản"), meeting.minutes_text))
               if not clean(value)]
    if missing:
        parts = ", ".join(missing)
        raise ValidationError(_("Biên bản chưa đủ phần bắt buộc: %(parts)s. Hãy ghi bổ sung (mục «Chương trình, "
                                "dự thảo nghị quyết, diễn biến»), lập lại dự thảo biên bản, rồi thông qua.") % {
                                    "parts": parts})
    placeholders = [p for p in BLANKS if p in meeting.minutes_text]
    if placeholders:
        raise ValidationError(_("Biên bản còn chỗ chưa ghi: %(placeholders)s. Hãy lập lại dự thảo biên bản "
                                "sau khi ghi đủ, hoặc sửa biên bản, rồi thông qua.") % {
                                  "placeholders": ', '.join(placeholders)})
    year = held_day(meeting).year
    # Numbers per cell and year, without gaps: the cell's counter row stays locked until this transaction ends.
    meeting.minutes_year, meeting.minutes_number = year, take_numbers(MinutesCounter, meeting.unit, year)[0]
    meeting.minutes_state, meeting.minutes_approved_at = MinutesState.APPROVED, timezone.now()
    meeting.minutes_approved_by = actor.label
    meeting.save(update_fields=["minutes_state", "minutes_approved_at", "minutes_approved_by", "minutes_year",
                                "minutes_number"])
    audit(actor=actor, action="meeting.minutes_approved", obj=meeting, unit=meeting.unit,
          data={"sha256": hashlib.sha256(meeting.minutes_text.encode()).hexdigest(),
                "number": f"{meeting.minutes_number}/{year}"})
    return meeting


def today() -> date:
    return clock.today()


@MEETING.runs("attendance_sheet")
@transaction.atomic
def attendance_record_many(*, actor: Actor, meeting: Meeting, rows: list[dict]) -> int:
    """The secretary's whole attendance sheet in one go: all rows or none."""
    MEETING.check(actor, _locked(meeting), "attendance_sheet")
    for row in rows:
        attendance_record(actor=actor, meeting=meeting, **row)
    return len(rows)


@transaction.atomic
def meeting_deadlines_ensure(*, today: date) -> int:
    """Every open cell has its next regular meeting due by the end of this month and its next
    thematic one by the end of this quarter, even before it ever held a meeting: the radar and the
    reminders then see cells that never met. Run by ``chibo reminders``; idempotent."""
    opened = 0
    cells = open_units_of_kinds(mrules.CELL_KINDS, opened_by=today)
    open_now = open_sources(["meeting.regular", "meeting.thematic"])
    last_month_end = today.replace(day=1) - timedelta(days=1)
    last_quarter_end = _quarter_end(add_months(today, -3))
    for unit in cells:
        if _regular_source(unit) not in open_now:
            deadline_open(actor=SYSTEM, kind="meeting.regular", unit=unit, start=last_month_end,
                          title=said("Sinh hoạt chi bộ thường kỳ tháng %(month)s", month=f"{today:%m/%Y}"),
                          source=_regular_source(unit),
                          month_end=True)
            opened += 1
        if _thematic_source(unit) not in open_now:
            deadline_open(actor=SYSTEM, kind="meeting.thematic", unit=unit, start=last_quarter_end,
                          title=said("Sinh hoạt chuyên đề trong quý"), source=_thematic_source(unit), month_end=True)
            opened += 1
    return opened


# --- steps on an item of the meeting (the declaration's subject is the meeting) ----------------------

def _item_of(meeting: Meeting, resolution: Resolution) -> Resolution:
    if resolution.meeting_id != meeting.pk:
        raise ValidationError({"resolution": _("Nội dung này không thuộc cuộc họp.")})
    return resolution


@MEETING.runs("open_vote")
def meeting_open_vote(*, actor: Actor, meeting: Meeting, resolution: Resolution, votes_for: int, votes_against: int,
                      votes_abstain: int) -> Resolution:
    return resolution_record_open_vote(actor=actor, resolution=_item_of(meeting, resolution), votes_for=votes_for,
                                       votes_against=votes_against, votes_abstain=votes_abstain)


@MEETING.runs("ballot_open")
def meeting_ballot_open(*, actor: Actor, meeting: Meeting, resolution: Resolution) -> BallotBox:
    return ballot_open(actor=actor, resolution=_item_of(meeting, resolution))
