"""Writes of the library (docs/domain.md, "Tủ tài liệu và sổ tài liệu mật"): sending a document down the tree, a new
version of its file, the read receipt, the read-by reminders; registering a classified document, its hand-overs
and their acknowledgement, its destruction. Each write locks, checks, writes, audits and (where someone must act)
notifies, in one transaction."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.accounts.selectors import role_holders, users_of_members
from chibo.core import clock
from chibo.core.access import PATH_END, Actor, require
from chibo.core.audit import audit
from chibo.core.said import said, said_term
from chibo.core.text import clean, clean_lines, search_key
from chibo.deadlines.services import deadline_close_for, deadline_open
from chibo.library import selectors
from chibo.library.enums import AUDIENCE_ROLES, DocKind, Level
from chibo.library.models import ClassifiedEntry, Document, DocumentFile, Handover, Receipt, Target
from chibo.members.selectors import members_on_rolls
from chibo.notifications.enums import Channel
from chibo.notifications.services import notify
from chibo.units.selectors import subtree_units

if TYPE_CHECKING:
    from chibo.members.models import Member
    from chibo.units.models import Unit

MAX_UPLOAD = 20 * 1024 * 1024
ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".doc": "application/msword",
}
# Files are checked by what they contain, not by their name.
MAGIC = {".pdf": b"%PDF-", ".docx": b"PK\x03\x04", ".odt": b"PK\x03\x04", ".doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"}
ISOLATED_ONLY = gettext_lazy("Không lưu tệp tài liệu mật trên máy có kết nối mạng (Luật Bảo vệ bí mật nhà nước "
                             "117/2025/QH15): hệ thống này không khai báo là mạng nội bộ cách ly, chỉ được đăng ký "
                             "thông tin của tài liệu.")


def check_file(filename: str, data: bytes) -> tuple[str, str, str | None]:
    """(safe name, content type, problem or None) of an uploaded file: PDF, DOCX, ODT or DOC, at most 20 MB, its
    content matching its name."""
    name = clean(filename).replace("\\", "/").rsplit("/", 1)[-1][:200]
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if ext not in ALLOWED_TYPES:
        return name, "", _("Chỉ nhận tệp PDF, DOCX, ODT hoặc DOC.")
    if not data:
        return name, "", _("Tệp rỗng.")
    if len(data) > MAX_UPLOAD:
        return name, "", _("Tệp quá lớn (tối đa %(limit)s MB).") % {"limit": MAX_UPLOAD // 1024 // 1024}
    if not data.startswith(MAGIC[ext]):
        return name, "", _("Nội dung tệp không đúng định dạng đã khai (tên tệp không khớp nội dung).")
    return name, ALLOWED_TYPES[ext], None


def _of_unit(member: Member, unit: Unit) -> bool:
    """Whether the member is on the rolls of the unit (or of a unit below it: a committee's members sit in cells)."""
    return members_on_rolls(unit).filter(pk=member.pk).exists()


def _in_subtree(unit: Unit, root: Unit) -> bool:
    return bool(root.path <= unit.path < root.path + PATH_END)


# --- the library --------------------------------------------------------------------------------------------------
@transaction.atomic
def document_send(*, actor: Actor, unit: Unit, number: str, issued_on: date, issuer: str, kind: str, title: str,
                  summary: str = "", filename: str, data: bytes, targets: list[Unit] | None = None,
                  roles: list[str] | None = None, to_everyone: bool = False, read_by: date | None = None) -> Document:
    """``unit`` (where the actor holds ``library.send``) sends a document to units of its subtree (and the units below
    them), to holders of roles in its subtree, or to everyone in its subtree."""
    require(actor, "library.send", unit)
    targets, roles = list(targets or []), [r for r in (roles or []) if r]
    errors: dict[str, str] = {}
    if not clean(number):
        errors["number"] = _("Cần ghi số, ký hiệu văn bản.")
    if not clean(title):
        errors["title"] = _("Cần ghi trích yếu (tên) văn bản.")
    if not clean(issuer):
        errors["issuer"] = _("Cần ghi cơ quan ban hành.")
    if kind not in DocKind.values:
        errors["kind"] = _("Chọn loại văn bản.")
    if issued_on and issued_on > clock.today():
        errors["issued_on"] = _("Ngày ban hành không được sau hôm nay.")
    if read_by and read_by < clock.today():
        errors["read_by"] = _("Hạn đọc không được trước hôm nay.")
    outside = [t.name for t in targets if not _in_subtree(t, unit)]
    if outside:
        errors["targets"] = _("Chỉ gửi được cho tổ chức thuộc phạm vi của cấp gửi; ngoài phạm vi: %(units)s") % {
            "units": ", ".join(outside)}
    bad_roles = [r for r in roles if r not in dict(AUDIENCE_ROLES)]
    if bad_roles:
        errors["roles"] = _("Vai trò không hợp lệ: %(roles)s") % {"roles": ", ".join(bad_roles)}
    if not (targets or roles or to_everyone):
        errors["targets"] = errors.get("targets") or _("Chọn nơi nhận: tổ chức, vai trò, hoặc gửi mọi đảng viên.")
    name, content_type, problem = check_file(filename, data)
    if problem:
        errors["file"] = problem
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    doc = Document.objects.create(
        unit=unit, number=clean(number)[:60], issued_on=issued_on, issuer=clean(issuer)[:200], kind=kind,
        title=clean(title)[:300], summary=clean_lines(summary, limit=5000),
        search=search_key(f"{clean(title)} {clean(number)}")[:400], to_everyone=to_everyone,
        roles=("," + ",".join(dict.fromkeys(roles)) + ",") if roles else "", read_by=read_by, sent_at=now,
        sent_by=actor.label)
    Target.objects.bulk_create([Target(document=doc, unit=t) for t in dict.fromkeys(targets)])
    DocumentFile.objects.create(document=doc, number=1, filename=name, content_type=content_type, size=len(data),
                                content=data, uploaded_at=now, uploaded_by=actor.label)
    audit(actor=actor, action="library.document_sent", obj=doc, unit=unit,
          data={"number": doc.number, "targets": [t.pk for t in targets], "roles": roles, "everyone": to_everyone})
    users = users_of_members(selectors.audience_members(doc).values("pk"))
    if roles:
        paths = subtree_units([unit.path]).values_list("path", flat=True)
        users = users | role_holders(list(paths), roles=roles)
    notify(actor=actor, users=users.distinct(), kind="library.sent", title=said("Tài liệu mới: %(no)s", no=doc.number),
           body=doc.title, url=f"/library/documents/{doc.pk}/", unit=unit, ref=f"library:{doc.pk}",
           channels=(Channel.IN_APP,))
    return doc


@transaction.atomic
def document_add_version(*, actor: Actor, document: Document, filename: str, data: bytes,
                         note: str = "") -> DocumentFile:
    """A new version of the file (the old ones are kept); by the sending level."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    require(actor, "library.send", document.unit)
    name, content_type, problem = check_file(filename, data)
    if problem:
        raise ValidationError({"file": problem})
    last = document.files.order_by("-number").values_list("number", flat=True).first() or 0
    version = DocumentFile.objects.create(document=document, number=last + 1, filename=name,
                                          content_type=content_type, size=len(data), content=data,
                                          note=clean(note)[:300], uploaded_at=timezone.now(),
                                          uploaded_by=actor.label)
    document.version += 1
    document.save(update_fields=["version"])
    audit(actor=actor, action="library.version_added", obj=document, unit=document.unit_id,
          data={"version": version.number, "size": version.size})
    return version


def document_mark_read(*, actor: Actor, document: Document) -> Receipt | None:
    """Record "đã đọc" the first time a member in the document's audience opens it (once per member)."""
    if not actor.member_id or not selectors.is_addressed_to(actor, document):
        return None
    if Receipt.objects.filter(document=document, member_id=actor.member_id).exists():
        return None
    try:
        with transaction.atomic():
            receipt = Receipt.objects.create(document=document, member_id=actor.member_id, read_at=timezone.now())
            audit(actor=actor, action="library.document_read", obj=document, unit=actor.member_unit_id)
    except IntegrityError:  # opened twice at the same moment: the first one counts
        return None
    return receipt


REMIND_BEFORE = 3  # days before the read-by date; then once more on the day after it


def read_reminders_step(today: date) -> int:
    """A step of the daily sweep: members who have not read a document REMIND_BEFORE days before its read-by date,
    and again the day after it passed, get one reminder each (through the outbox; a key keeps it once)."""
    sent = 0
    for doc in selectors.documents_needing_reminders(today, before=REMIND_BEFORE):
        stage = "before" if doc.read_by and doc.read_by >= today else "late"
        members = selectors.audience_members(doc).exclude(pk__in=doc.receipts.values("member_id"))
        users = users_of_members(members.values("pk"))
        with transaction.atomic():
            sent += len(notify(
                actor=Actor(user=None, label="system"), users=users, kind="library.read_reminder",
                title=said("Nhắc đọc tài liệu %(no)s (hạn %(due)s)", no=doc.number, due=f"{doc.read_by:%d/%m/%Y}"),
                body=doc.title,
                url=f"/library/documents/{doc.pk}/", unit=doc.unit, key=f"library:{doc.pk}:{stage}",
                ref=f"library:{doc.pk}"))
    return sent


# --- the register of classified documents -------------------------------------------------------------------------
def _source(entry: ClassifiedEntry) -> str:
    return f"classified:{entry.pk}"


@transaction.atomic
def classified_register(*, actor: Actor, unit: Unit, number: str, issued_on: date, issuer: str, level: str,
                        copies: int, custodian: Member, received_on: date, protected_until: date,
                        filename: str = "", data: bytes | None = None) -> ClassifiedEntry:
    """Register a classified document (never its content on a networked install: a file is refused unless the
    deployment declares an isolated LAN). Its declassification date goes on the unit's deadline radar."""
    require(actor, "library.secret", unit)
    errors: dict[str, str] = {}
    if data is not None and not settings.CHIBO_ISOLATED_LAN:
        errors["file"] = str(ISOLATED_ONLY)
    elif data is not None:
        name, _type, problem = check_file(filename, data)
        if problem:
            errors["file"] = problem
    if not clean(number):
        errors["number"] = _("Cần ghi số, ký hiệu.")
    if not clean(issuer):
        errors["issuer"] = _("Cần ghi cơ quan ban hành.")
    if level not in Level.values:
        errors["level"] = _("Chọn độ mật: Mật, Tối mật hoặc Tuyệt mật.")
    if not copies or copies < 1:
        errors["copies"] = _("Số bản ít nhất là 1.")
    today = clock.today()
    if issued_on and issued_on > today:
        errors["issued_on"] = _("Ngày văn bản không được sau hôm nay.")
    if received_on and received_on > today:
        errors["received_on"] = _("Ngày nhận không được sau hôm nay.")
    if protected_until and issued_on and protected_until <= issued_on:
        errors["protected_until"] = _("Ngày hết thời hạn bảo vệ phải sau ngày văn bản.")
    if custodian is None or not _of_unit(custodian, unit):
        errors["custodian"] = _("Người quản lý phải là đảng viên của chính tổ chức này.")
    if errors:
        raise ValidationError(errors)
    entry = ClassifiedEntry.objects.create(
        unit=unit, number=clean(number)[:60], issued_on=issued_on, issuer=clean(issuer)[:200], level=level,
        copies=copies, custodian=custodian, received_on=received_on, protected_until=protected_until,
        filename=name if data is not None else "", content=data, created_by=actor.label)
    deadline_open(actor=actor, kind="library.declassify", unit=unit, start=protected_until,
                  title=said("Giải mật hoặc gia hạn: tài liệu %(no)s (%(level)s)", no=entry.number,
                             level=said_term(entry.get_level_display())),
                  source=_source(entry))
    audit(actor=actor, action="library.classified_registered", obj=entry, unit=unit,
          data={"number": entry.number, "level": level, "copies": copies, "file": data is not None})
    return entry


def _locked_entry(entry: ClassifiedEntry) -> ClassifiedEntry:
    return ClassifiedEntry.objects.select_for_update().select_related("unit").get(pk=entry.pk)


@transaction.atomic
def classified_hand_over(*, actor: Actor, entry: ClassifiedEntry, to_member: Member, handed_on: date,
                         copies: int) -> Handover:
    """The custodian hands the document to another member of the unit; the receiver acknowledges it."""
    entry = _locked_entry(entry)
    require(actor, "library.secret", entry.unit)
    errors: dict[str, str] = {}
    if entry.destroyed_on:
        raise ValidationError(_("Tài liệu đã tiêu hủy: không giao nhận được nữa."))
    if entry.handovers.filter(acknowledged_at__isnull=True).exists():
        raise ValidationError(_("Lần giao trước chưa được người nhận xác nhận."))
    if to_member is None or not _of_unit(to_member, entry.unit):
        errors["to_member"] = _("Chỉ giao cho đảng viên của chính tổ chức này.")
    elif to_member.pk == entry.custodian_id:
        errors["to_member"] = _("Người nhận đang là người quản lý tài liệu.")
    if not copies or copies < 1 or copies > entry.copies:
        errors["copies"] = _("Số bản từ 1 đến %(copies)s.") % {"copies": entry.copies}
    if handed_on and handed_on > clock.today():
        errors["handed_on"] = _("Ngày giao không được sau hôm nay.")
    if errors:
        raise ValidationError(errors)
    handover = Handover.objects.create(entry=entry, from_member_id=entry.custodian_id, to_member=to_member,
                                       handed_on=handed_on, copies=copies, recorded_by=actor.label)
    entry.version += 1
    entry.save(update_fields=["version"])
    audit(actor=actor, action="library.classified_handed_over", obj=entry, unit=entry.unit,
          data={"handover": handover.pk, "from": handover.from_member_id, "to": to_member.pk, "copies": copies})
    notify(actor=actor, users=users_of_members([to_member.pk]), kind="library.handover",
           title=said("Xác nhận đã nhận tài liệu mật"),
           body=said("Tài liệu số %(no)s: xác nhận trong hệ thống.", no=entry.number),
           url=f"/library/classified/{entry.pk}/", unit=entry.unit, ref=f"classified:{entry.pk}",
           channels=(Channel.IN_APP,))
    return handover


@transaction.atomic
def handover_acknowledge(*, actor: Actor, handover: Handover) -> Handover:
    """The receiver (and only the receiver) acknowledges a hand-over; they become the custodian."""
    handover = Handover.objects.select_for_update().select_related("entry").get(pk=handover.pk)
    if actor.member_id is None or actor.member_id != handover.to_member_id:
        raise PermissionDenied("library.acknowledge")
    if handover.acknowledged_at is not None:
        raise ValidationError(_("Đã xác nhận từ trước."))
    entry = _locked_entry(handover.entry)
    handover.acknowledged_at = timezone.now()
    handover.save(update_fields=["acknowledged_at"])
    entry.custodian_id, entry.version = handover.to_member_id, entry.version + 1
    entry.save(update_fields=["custodian", "version"])
    audit(actor=actor, action="library.handover_acknowledged", obj=entry, unit=entry.unit,
          data={"handover": handover.pk})
    return handover


@transaction.atomic
def classified_destroy(*, actor: Actor, entry: ClassifiedEntry, destroyed_on: date, record: str) -> ClassifiedEntry:
    """Record the destruction (the number of the destruction record); the radar item is closed."""
    entry = _locked_entry(entry)
    require(actor, "library.secret", entry.unit)
    errors: dict[str, str] = {}
    if entry.destroyed_on:
        raise ValidationError(_("Tài liệu đã được ghi tiêu hủy."))
    if not clean(record):
        errors["record"] = _("Cần ghi số, ngày biên bản tiêu hủy và người chứng kiến.")
    if not destroyed_on or destroyed_on > clock.today():
        errors["destroyed_on"] = _("Ngày tiêu hủy không được sau hôm nay.")
    if errors:
        raise ValidationError(errors)
    entry.destroyed_on, entry.destruction_record = destroyed_on, clean(record)[:300]
    entry.content, entry.version = None, entry.version + 1
    entry.save(update_fields=["destroyed_on", "destruction_record", "content", "version"])
    deadline_close_for(actor=actor, source=_source(entry), kind="library.declassify", on=destroyed_on,
                       waived_reason="Tài liệu đã tiêu hủy")
    audit(actor=actor, action="library.classified_destroyed", obj=entry, unit=entry.unit,
          data={"record": entry.destruction_record})
    return entry
