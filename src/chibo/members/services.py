"""Writes on member records and committee posts. Status and unit change only here, with a reason and a
document; the apps above follow through the events of ``chibo.members.events``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core import clock
from chibo.core.access import Actor, require
from chibo.core.crypto import blind_index
from chibo.core.errors import FieldChange, StaleEdit
from chibo.core.events import publish, subscribe
from chibo.core.labels import TranslatedLabels
from chibo.core.text import (
    clean,
    hidden_characters_problem,
    name_problem,
    name_sort_key,
    person_name,
    search_key,
)
from chibo.members import accounts, timeline
from chibo.members.counters import counts_change, state_of
from chibo.members.events import MembersCreated, MemberStatusChanged
from chibo.members.identifiers import identifier_errors
from chibo.members.models import (
    ACTIVE_STATUSES,
    STATUS_TRANSITIONS,
    Category,
    CommitteePost,
    Education,
    Gender,
    Member,
    PostRole,
    Status,
    Theory,
    TimelineEvent,
    TimelineKind,
)
from chibo.units.events import UnitClosed, UnitClosing
from chibo.units.services import unit_lock

if TYPE_CHECKING:
    from chibo.units.models import Unit

# Fields an editor may change through member_update (status and unit have their own services).
EDITABLE_FIELDS = (
    "full_name", "gender", "birth_date", "home_town", "ethnicity", "education", "political_theory",
    "job_title", "workplace", "card_number", "dossier_number", "admission_decided_on", "admission_date",
    "confirmation_date",
    "category", "abroad_from", "abroad_to", "citizen_id", "phone", "email",
)
DATE_FIELDS = {"birth_date", "admission_decided_on", "admission_date", "confirmation_date", "abroad_from", "abroad_to"}
# Values never copied into the timeline or the audit log, only the fact that they changed.
SECRET_FIELDS = {"citizen_id", "phone", "email"}
CHOICES = {"gender": Gender, "education": Education, "political_theory": Theory, "category": Category}
CHOICE_VALUES = {name: frozenset(enum.values) for name, enum in CHOICES.items()}
LABELS = TranslatedLabels({f.name: str(f.verbose_name) for f in Member._meta.fields})
MIN_AGE_AT_ADMISSION = 16  # a plausibility bound on data entry; eligibility rules live in the rulebook


def _today() -> date:
    return clock.today()


def normalize_data(data: dict) -> dict:
    if hidden := hidden_characters_problem(data.get("full_name")):
        raise ValidationError({"full_name": hidden})
    out: dict = {}
    for name in EDITABLE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in DATE_FIELDS:
            out[name] = value or None
        elif name == "full_name":
            out[name] = person_name(value)
        else:
            out[name] = clean(value)
    for name in ("card_number", "dossier_number"):
        if name in out:
            out[name] = out[name].replace(" ", "").upper() or None
    if "citizen_id" in out:
        out["citizen_id"] = out["citizen_id"].replace(" ", "")
    if "email" in out:
        out["email"] = out["email"].lower()
    return out


def validate_member(member: Member, *, today: date | None = None, check_unique: bool = True) -> None:
    """``today`` may be given by a caller validating many members at once (the import), which also checks
    the card and dossier numbers of the whole batch against the records at once (``check_unique=False``:
    no query here but the format rules, which such a caller reads once inside ``rulebook.rules_read_once()``)."""
    errors: dict[str, str] = {}
    today = today or _today()
    if not member.full_name or len(member.full_name.split(" ")) < 2:
        errors["full_name"] = _("Nhập đầy đủ họ và tên (ít nhất hai chữ).")
    elif problem := name_problem(member.full_name):
        errors["full_name"] = problem
    for name, values in CHOICE_VALUES.items():
        value = getattr(member, name)
        if value and value not in values:
            errors[name] = _("Giá trị «%(value)s» không hợp lệ.") % {"value": value}
    if not member.gender:
        errors["gender"] = _("Chọn giới tính.")
    if not member.category:
        errors["category"] = _("Chọn diện đảng viên ở nước ngoài.")
    if not member.birth_date:
        errors["birth_date"] = _("Nhập ngày sinh.")
    elif member.birth_date > today or member.birth_date.year < 1900:
        errors["birth_date"] = _("Ngày sinh không hợp lệ.")
    if not member.admission_date:
        errors["admission_date"] = _("Nhập ngày vào Đảng.")
    elif member.admission_date > today:
        errors["admission_date"] = _("Ngày vào Đảng không thể ở tương lai.")
    elif member.birth_date and "birth_date" not in errors and (
        member.admission_date.year - member.birth_date.year
        - ((member.admission_date.month, member.admission_date.day) < (member.birth_date.month, member.birth_date.day))
    ) < MIN_AGE_AT_ADMISSION:
        errors["admission_date"] = _("Ngày vào Đảng quá sớm so với ngày sinh (dưới %(minimum)s tuổi).") % {
            "minimum": MIN_AGE_AT_ADMISSION}
    if member.admission_decided_on:
        if member.admission_decided_on > today:
            errors["admission_decided_on"] = _("Ngày quyết định kết nạp không thể ở tương lai.")
        elif member.admission_date and member.admission_decided_on > member.admission_date:
            errors["admission_decided_on"] = _("Ngày quyết định kết nạp không thể sau ngày vào Đảng (lễ kết nạp).")
    if member.confirmation_date:
        if member.confirmation_date > today:
            errors["confirmation_date"] = _("Ngày chính thức không thể ở tương lai.")
        elif member.admission_date and member.confirmation_date < member.admission_date:
            errors["confirmation_date"] = _("Ngày chính thức phải sau ngày vào Đảng.")
    if member.status == Status.FULL and not member.confirmation_date:
        errors["confirmation_date"] = _("Đảng viên chính thức cần ngày chính thức.")
    if member.status == Status.PROBATIONARY and member.confirmation_date:
        errors["confirmation_date"] = _("Đảng viên dự bị chưa có ngày chính thức.")
    if member.abroad_from and member.abroad_to and member.abroad_to < member.abroad_from:
        errors["abroad_to"] = _("Ngày kết thúc nhiệm kỳ ở nước ngoài phải sau ngày bắt đầu.")
    if member.email and ("@" not in member.email or " " in member.email or len(member.email) > 254):
        errors["email"] = _("Địa chỉ thư điện tử không hợp lệ.")
    if member.phone and not all(ch.isdigit() or ch in "+-(). " for ch in member.phone):
        errors["phone"] = _("Số điện thoại chỉ gồm chữ số và + - ( ) .")
    # The citizen ID (with the birth year and gender), card and dossier numbers: members.identifiers, one place
    # for the pages, the API and the import.
    errors.update({name: message for name, message in identifier_errors(member, today=today).items()
                   if name not in errors})
    for name in ("card_number", "dossier_number"):
        value = getattr(member, name)
        if (value and name not in errors and check_unique
                and Member.objects.filter(**{name: value}).exclude(pk=member.pk).exists()):
            errors[name] = _("%(field)s «%(value)s» đã có trong hồ sơ đảng viên khác.") % {
                "field": LABELS[name].capitalize(), "value": value}
    if len(member.full_name) > 120:
        errors["full_name"] = _("Họ và tên quá dài.")
    if errors:
        raise ValidationError(errors)


def name_keys(full_name: str) -> tuple[str, str, str]:
    """The keys a member's name is searched and sorted by: (name_search, name_lower, name_sort)."""
    return search_key(full_name), full_name.lower(), name_sort_key(full_name)


def set_derived(member: Member) -> None:
    member.name_search, member.name_lower, member.name_sort = name_keys(member.full_name)
    member.citizen_id_hash = blind_index(member.citizen_id or "")


def _save(member: Member) -> None:
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:  # a concurrent insert of the same card/dossier number
        raise ValidationError({"card_number": _("Số thẻ đảng viên hoặc số lý lịch đã có trong hồ sơ khác.")}) from exc


@transaction.atomic
def member_create(*, actor: Actor, unit: Unit, status: str = Status.PROBATIONARY, **data: Any) -> Member:
    require(actor, "members.edit", unit)
    unit = unit_lock(unit)
    if not unit.is_open:
        raise ValidationError({"unit": _("«%(unit)s» đã giải thể; không thể thêm đảng viên.") % {"unit": unit.name}})
    if status not in (Status.PROBATIONARY, Status.FULL):
        raise ValidationError({"status": _("Hồ sơ mới là đảng viên dự bị hoặc chính thức; "
                                           "tình trạng khác được ghi qua quyết định.")})
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({"__all__": _("Trường không hợp lệ: %(fields)s.") % {
            "fields": ', '.join(sorted(unknown))}})
    member = Member(unit=unit, status=status, **normalize_data(data))
    validate_member(member)
    set_derived(member)
    _save(member)
    counts_change(None, state_of(member))
    timeline.record_created(actor=actor, member=member)
    publish(MembersCreated(actor=actor, members=(member,)))
    return member


def _display(member: Member, name: str) -> str:
    value = getattr(member, name)
    if name in SECRET_FIELDS:
        return "(đã thay đổi)"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if name in CHOICES and value:
        return str(CHOICES[name](value).label)
    return "" if value is None else str(value)


def stale_changes(member: Member, since_version: int) -> list[FieldChange]:
    """What others changed after ``since_version``, newest value per field, for the refusal message."""
    events = TimelineEvent.objects.filter(
        member=member, kind=TimelineKind.UPDATED, data__version__gt=since_version
    ).order_by("pk")
    latest: dict[str, FieldChange] = {}
    for ev in events:
        for change in ev.data.get("changed", []):
            name = change["field"]
            latest[name] = FieldChange(name, change["label"], change["new"], ev.actor_label,
                                       timezone.localtime(ev.recorded_at).strftime("%H:%M %d/%m/%Y"))
    return list(latest.values())


@transaction.atomic
def member_update(*, actor: Actor, member: Member, expected_version: int, changes: dict) -> Member:
    """Save edits if nobody saved since ``expected_version``; otherwise raise StaleEdit."""
    require(actor, "members.edit", member.unit)
    current = Member.objects.select_for_update(of=("self",)).select_related("unit").get(pk=member.pk)
    if current.version != expected_version:
        raise StaleEdit(changes=stale_changes(current, expected_version), current_version=current.version)
    counted_before = state_of(current)
    diff = _apply_changes(current, changes)
    if not diff:
        return current
    validate_member(current)
    set_derived(current)
    current.version += 1
    _save(current)
    counts_change(counted_before, state_of(current))
    timeline.record_updated(actor=actor, member=current, changed=diff, version=current.version,
                            occurred_on=_today())
    return current


def _apply_changes(current: Member, changes: dict) -> list[dict]:
    """Set ``changes`` (normalized) on the record; what changed, as the timeline and the audit row say it
    (secret fields without their values). Unknown fields are refused."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({"__all__": _("Không sửa được các trường: %(fields)s.") % {
            "fields": ', '.join(sorted(unknown))}})
    normalized = normalize_data(changes)
    before = {name: (getattr(current, name), _display(current, name)) for name in normalized}
    for name, value in normalized.items():
        setattr(current, name, value)
    return [{"field": name, "label": LABELS[name], "old": before[name][1], "new": _display(current, name)}
            for name in EDITABLE_FIELDS if name in before and getattr(current, name) != before[name][0]]


def _require_decision(reason: str, document: str, effective_on: date | None) -> dict[str, str]:
    errors = {}
    if not clean(reason):
        errors["reason"] = _("Cần ghi lý do.")
    if not clean(document):
        errors["document"] = _("Cần số và ngày của văn bản quyết định.")
    if effective_on is None:
        errors["effective_on"] = _("Cần ngày hiệu lực.")
    elif effective_on > _today():
        errors["effective_on"] = _("Ngày hiệu lực không thể ở tương lai.")
    return errors


@transaction.atomic
def member_change_status(*, actor: Actor, member: Member, status: str, reason: str, document: str,
                         effective_on: date) -> Member:
    require(actor, "members.status", member.unit)
    current = Member.objects.select_for_update(of=("self",)).select_related("unit").get(pk=member.pk)
    errors = _require_decision(reason, document, effective_on)
    if status not in Status.values:
        errors["status"] = _("Tình trạng không hợp lệ.")
    elif status not in STATUS_TRANSITIONS[current.status]:
        errors["status"] = (_("Không thể chuyển từ «%(status)s» sang "
                              "«%(new_status)s».") % {
                                "status": _(current.get_status_display()), "new_status": _(Status(status).label)})
    if not errors and effective_on < current.admission_date:
        errors["effective_on"] = _("Ngày hiệu lực trước ngày vào Đảng.")
    if errors:
        raise ValidationError(errors)
    if status == Status.FULL and current.status == Status.PROBATIONARY:
        current.confirmation_date = effective_on
    _status_write(actor, current, status, reason, document, effective_on)
    if status not in ACTIVE_STATUSES:
        accounts.member_left_the_rolls(actor=actor, member=current, effective_on=effective_on, end_post=_end_post)
    return current


def _status_write(actor: Actor, current: Member, status: str, reason: str, document: str, effective_on: date) -> None:
    """The new status saved, with the counters, the timeline event and the event other apps follow."""
    old, counted_before = current.status, state_of(current)
    current.status = status
    current.version += 1
    current.save()
    counts_change(counted_before, state_of(current))
    timeline.record_status_changed(actor=actor, member=current, old=old, new=status, reason=clean(reason),
                                   document=clean(document), effective_on=effective_on)
    publish(MemberStatusChanged(actor=actor, member=current, old=old, new=status, effective_on=effective_on))


@transaction.atomic
def member_restore(*, actor: Actor, member: Member, reason: str, document: str, effective_on: date) -> Member:
    """Put an expelled member back on the rolls as a full member, when the expulsion is annulled or changed on
    appeal (the discipline app calls it with the appeal's decision). Posts ended by the expulsion stay ended and
    the account stays closed until the member is invited again."""
    require(actor, "members.status", member.unit)
    current = Member.objects.select_for_update(of=("self",)).select_related("unit").get(pk=member.pk)
    errors = _require_decision(reason, document, effective_on)
    if current.status != Status.EXPELLED:
        errors["status"] = _("Đảng viên đang ở tình trạng «%(status)s», không phải khai trừ.") % {
            "status": _(current.get_status_display())}
    if errors:
        raise ValidationError(errors)
    _status_write(actor, current, Status.FULL, reason, document, effective_on)
    return current


def _move(actor: Actor, member: Member, to_unit: Unit, *, reason: str, document: str, effective_on: date,
          returning: bool) -> Member:
    """Put a member on another unit's rolls, with its timeline event. ``returning`` lets a member
    who had transferred out of the tree come back (a transfer in), as full or probationary again."""
    current = Member.objects.select_for_update(of=("self",)).select_related("unit").get(pk=member.pk)
    to_unit = unit_lock(to_unit)
    errors = _require_decision(reason, document, effective_on)
    if to_unit.pk == current.unit_id:
        errors["to_unit"] = _("Đảng viên đang sinh hoạt tại tổ chức này.")
    elif not to_unit.is_open:
        errors["to_unit"] = _("«%(to_unit)s» đã giải thể.") % {"to_unit": to_unit.name}
    allowed = (*ACTIVE_STATUSES, Status.TRANSFERRED_OUT) if returning else ACTIVE_STATUSES
    if current.status not in allowed:
        errors["status"] = _("Đảng viên không còn sinh hoạt Đảng.")
    if errors:
        raise ValidationError(errors)
    old_unit, counted_before = current.unit, state_of(current)
    current.unit = to_unit
    if current.status == Status.TRANSFERRED_OUT:  # back on the rolls of this organization
        current.status = Status.FULL if current.confirmation_date else Status.PROBATIONARY
    current.version += 1
    current.save()
    counts_change(counted_before, state_of(current))
    timeline.record_moved(actor=actor, member=current, old_unit=old_unit, new_unit=to_unit,
                          reason=clean(reason), document=clean(document), effective_on=effective_on)
    return current


@transaction.atomic
def member_move(*, actor: Actor, member: Member, to_unit: Unit, reason: str, document: str,
                effective_on: date) -> Member:
    """Move a member between units of the tree (both must be within the actor's scope)."""
    require(actor, "members.status", member.unit)
    require(actor, "members.status", to_unit)
    return _move(actor, member, to_unit, reason=reason, document=document, effective_on=effective_on,
                 returning=False)


@transaction.atomic
def member_transfer_in(*, actor: Actor, member: Member, to_unit: Unit, reason: str, document: str,
                       effective_on: date) -> Member:
    """The destination of a transfer takes the member in (the member reported with the letter).

    Only the receiving side's permission is checked: the sending side issued the letter through
    ``chibo.transfers.services``, which is the only caller."""
    require(actor, "members.status", to_unit)
    return _move(actor, member, to_unit, reason=reason, document=document, effective_on=effective_on,
                 returning=True)


# ------------------------------------------------------------------------------------------------
# Committee posts (cấp ủy): appointed by decision, ended by decision or when the unit closes
# ------------------------------------------------------------------------------------------------
@transaction.atomic
def post_appoint(
    *, actor: Actor, unit: Unit, member: Member, role: str, from_date: date, decision_no: str, decision_date: date,
) -> CommitteePost:
    """Appoint a member to a committee post; a new secretary ends the sitting one's term."""
    require(actor, "posts.edit", unit)
    unit = unit_lock(unit)
    member = Member.objects.select_related("unit").get(pk=member.pk)
    errors: dict[str, str] = {}
    if role not in PostRole.values:
        errors["role"] = _("Chức vụ không hợp lệ.")
    if not unit.is_open:
        errors["unit"] = _("Tổ chức đã giải thể.")
    if member.status not in ACTIVE_STATUSES:
        errors["member"] = _("%(member)s không còn sinh hoạt Đảng.") % {"member": member.full_name}
    elif not member.unit.path.startswith(unit.path):
        errors["member"] = _("%(member)s không sinh hoạt tại %(unit)s hoặc tổ chức trực thuộc.") % {
            "member": member.full_name, "unit": unit.name}
    if not clean(decision_no):
        errors["decision_no"] = _("Cần số quyết định chỉ định.")
    if decision_date > _today() or from_date > _today() + timedelta(days=366):
        errors["decision_date"] = _("Ngày quyết định không thể ở tương lai.")
    elif from_date < decision_date:
        errors["from_date"] = _("Ngày nhận nhiệm vụ không thể trước ngày quyết định.")
    if from_date < unit.opened_on:
        errors["from_date"] = _("Ngày nhận nhiệm vụ trước ngày thành lập tổ chức.")
    if CommitteePost.objects.filter(unit=unit, member=member, to_date__isnull=True).exists():
        errors["member"] = _("%(member)s đang giữ một chức vụ trong cấp ủy này; hãy kết thúc chức vụ cũ trước.") % {
            "member": member.full_name}
    if errors:
        raise ValidationError(errors)
    if role == PostRole.SECRETARY:
        for old in CommitteePost.objects.filter(unit=unit, role=PostRole.SECRETARY, to_date__isnull=True):
            _end_post(actor, old, max(old.from_date, from_date - timedelta(days=1)), "Chỉ định bí thư mới")
    post = CommitteePost.objects.create(
        unit=unit, member=member, role=role, from_date=from_date, decision_no=clean(decision_no),
        decision_date=decision_date,
    )
    timeline.record_post_appointed(actor=actor, post=post)
    accounts.post_role_granted(actor=actor, post=post)
    return post


def _end_post(actor: Actor, post: CommitteePost, to_date: date, reason: str) -> None:
    post.to_date, post.ended_reason = to_date, reason[:200]
    post.save(update_fields=["to_date", "ended_reason"])
    timeline.record_post_ended(actor=actor, post=post)
    accounts.post_role_ended(actor=actor, post=post)


@transaction.atomic
def member_posts_end(*, actor: Actor, member: Member, to_date: date, reason: str) -> int:
    """End every committee post the member holds (a removal from post, «cách chức», decided by a competent
    committee: the deciding process has checked its competence; here the actor needs ``members.status`` on the
    member's unit, as for a change of status). Returns the number of posts ended."""
    require(actor, "members.status", member.unit)
    posts = list(CommitteePost.objects.select_for_update().select_related("unit", "member")
                 .filter(member=member, to_date__isnull=True))
    for post in posts:
        _end_post(actor, post, max(to_date, post.from_date), clean(reason))
    return len(posts)


@transaction.atomic
def post_end(*, actor: Actor, post: CommitteePost, to_date: date, reason: str) -> CommitteePost:
    require(actor, "posts.edit", post.unit)
    post = CommitteePost.objects.select_for_update().select_related("unit", "member").get(pk=post.pk)
    if post.to_date is not None:
        raise ValidationError({"to_date": _("Chức vụ này đã kết thúc.")})
    if to_date < post.from_date:
        raise ValidationError({"to_date": _("Ngày thôi giữ chức vụ không thể trước ngày nhận nhiệm vụ.")})
    if not clean(reason):
        raise ValidationError({"reason": _("Cần ghi lý do.")})
    _end_post(actor, post, to_date, clean(reason))
    return post


def posts_end_on_unit_close(*, actor: Actor, unit: Unit, closed_on: date, reason: str) -> int:
    """End every sitting post of a unit (it closed, or a delegation came home); returns how many."""
    posts = list(CommitteePost.objects.select_for_update().filter(unit=unit, to_date__isnull=True)
                 .select_related("unit", "member"))
    for post in posts:
        _end_post(actor, post, max(closed_on, post.from_date), reason)
    return len(posts)


@subscribe(UnitClosing)
def _refuse_closing_with_members(event: UnitClosing) -> None:
    remaining = Member.objects.filter(unit=event.unit, status__in=ACTIVE_STATUSES).count()
    if remaining:
        raise ValidationError({"closed_on": _("Còn %(count)s đảng viên đang sinh hoạt; hãy chuyển sinh hoạt "
                                              "trước.") % {"count": remaining}})


@subscribe(UnitClosed)
def _end_posts_of_closed_unit(event: UnitClosed) -> None:
    posts_end_on_unit_close(actor=event.actor, unit=event.unit, closed_on=event.closed_on, reason="Tổ chức kết thúc")


def member_lock(member: Member) -> Member:
    """The member's row (with its unit) locked until the caller's transaction ends: a process service
    holds it while it decides on the member (one open transfer at a time…)."""
    return Member.objects.select_for_update(of=("self",)).select_related("unit").get(pk=member.pk)
