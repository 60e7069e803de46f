"""Reads of the library (docs/domain.md, "Tủ tài liệu và sổ tài liệu mật").

A document is seen by the members it is addressed to (units of the sender's subtree and the units below them, holders
of roles in the sender's subtree, or everyone in the sender's subtree), and by the holders of ``library.view`` or
``library.send`` on the sending unit or on a unit addressed (or above them). Anyone else gets 404 and the attempt is
written to the audit chain. A classified register entry is seen by the holders of ``library.secret`` on its unit or
above, its custodian and the members a hand-over names."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.selectors import role_holders
from chibo.core.access import PATH_STEP, ROLE_PERMISSIONS, Actor, subtree_q
from chibo.core.audit import audit
from chibo.core.text import as_id, search_key
from chibo.library.models import ClassifiedEntry, Document, DocumentFile, Handover, Receipt
from chibo.members.selectors import members_on_rolls, members_visible, no_members
from chibo.units.selectors import subtree_units, units_by_id

if TYPE_CHECKING:
    from chibo.members.models import Member
    from chibo.units.models import Unit


def _ancestors(path: str) -> list[str]:
    """The unit at ``path`` and every unit above it, as paths."""
    return [path[:i] for i in range(PATH_STEP, len(path) + 1, PATH_STEP)]


def _member_unit_path(actor: Actor) -> str | None:
    if not actor.member_id or not actor.member_unit_id:
        return None
    unit = units_by_id([actor.member_unit_id]).get(actor.member_unit_id)
    return unit.path if unit is not None else None


def _addressed_q(actor: Actor) -> Q:
    """The documents addressed to the actor: as a member of a unit, or as the holder of a role."""
    q = Q(pk__in=[])
    path = _member_unit_path(actor)
    if path:
        above = _ancestors(path)
        q |= Q(to_everyone=True, unit__path__in=above) | Q(targets__unit__path__in=above)
    for grant in actor.grants:
        q |= Q(roles__contains=f",{grant.role},", unit__path__in=_ancestors(grant.unit_path))
    return q


def _staff_q(actor: Actor) -> Q:
    roots = sorted(set(actor.paths_for("library.view")) | set(actor.paths_for("library.send")))
    return subtree_q(roots, "unit__path") | subtree_q(roots, "targets__unit__path")


def documents_for_me(actor: Actor) -> QuerySet[Document]:
    """The documents addressed to the actor, unread first, then the newest."""
    ids = Document.objects.filter(_addressed_q(actor)).values("pk")
    read = Receipt.objects.filter(document=OuterRef("pk"), member_id=actor.member_id or 0)
    return (Document.objects.filter(pk__in=ids).select_related("unit").annotate(is_read=Exists(read))
            .order_by("is_read", "-sent_at", "-pk"))


def documents_visible(actor: Actor) -> QuerySet[Document]:
    ids = Document.objects.filter(_addressed_q(actor) | _staff_q(actor)).values("pk")
    read = Receipt.objects.filter(document=OuterRef("pk"), member_id=actor.member_id or 0)
    return Document.objects.filter(pk__in=ids).select_related("unit").annotate(is_read=Exists(read))


def documents_reaching(unit: Unit) -> QuerySet[Document]:
    """The documents every member of ``unit`` may read: sent to everyone by the unit or a level above it, or
    addressed to the unit or a unit above it (not those addressed only to roles)."""
    above = _ancestors(unit.path)
    ids = Document.objects.filter(Q(to_everyone=True, unit__path__in=above) | Q(targets__unit__path__in=above))
    return Document.objects.filter(pk__in=ids.values("pk"))


def documents_for_unit(actor: Actor, unit: Unit) -> QuerySet[Document]:
    """The documents the actor may see that reach every member of ``unit`` (what a cell's session may use),
    the newest first."""
    return (documents_visible(actor).filter(pk__in=documents_reaching(unit).values("pk"))
            .order_by("-sent_at", "-pk"))


def documents_sent(actor: Actor) -> QuerySet[Document]:
    """The documents sent by the units where the actor may send or follow reading (their staff's list)."""
    roots = sorted(set(actor.paths_for("library.view")) | set(actor.paths_for("library.send")))
    return Document.objects.filter(subtree_q(roots, "unit__path")).select_related("unit").order_by("-sent_at", "-pk")


def search(docs: QuerySet[Document], text: str) -> QuerySet[Document]:
    """Title and number, without diacritics ("nghi quyet" finds "Nghị quyết")."""
    key = search_key(text or "")
    for word in key.split():
        docs = docs.filter(search__contains=word)
    return docs


def document_get(actor: Actor, pk: int | str) -> Document:
    """The document if the actor may see it; 404 otherwise, the attempt audited."""
    doc = documents_visible(actor).filter(pk=as_id(pk) or 0).first()
    if doc is None:
        audit(actor=actor, action="library.document_denied", data={"document": str(pk)[:20]})
        raise Http404(_("Không tìm thấy tài liệu"))
    return doc


def file_get(actor: Actor, pk: int | str) -> DocumentFile:
    """A version of a file by its own id, if the actor may see its document; 404 otherwise, the attempt audited."""
    found = (DocumentFile.objects.filter(pk=as_id(pk) or 0, document__in=documents_visible(actor).values("pk"))
             .select_related("document", "document__unit").first())
    if found is None:
        audit(actor=actor, action="library.file_denied", data={"file": str(pk)[:20]})
        raise Http404(_("Không tìm thấy tệp"))
    return found


def files_of(doc: Document) -> QuerySet[DocumentFile]:
    return doc.files.defer("content").order_by("-number")


def latest_file(doc: Document) -> DocumentFile:
    return doc.files.order_by("-number").first()  # type: ignore[return-value]


def is_addressed_to(actor: Actor, doc: Document) -> bool:
    return Document.objects.filter(_addressed_q(actor), pk=doc.pk).exists()


def may_send(actor: Actor, doc: Document) -> bool:
    return actor.can("library.send", doc.unit)


def audience_members(doc: Document) -> QuerySet[Member]:
    """The members the document is addressed to (on the rolls of the units addressed and below them, of the
    sender's subtree when sent to everyone, and the holders of the roles named in the sender's subtree)."""
    roots = [doc.unit.path] if doc.to_everyone else list(doc.targets.values_list("unit__path", flat=True))
    members = members_on_rolls().filter(subtree_q(roots, "unit__path")) if roots else no_members()
    if doc.role_list:
        paths = list(subtree_units([doc.unit.path]).values_list("path", flat=True))
        holders = role_holders(paths, roles=doc.role_list).filter(member_id__isnull=False).values("member_id")
        members = members | members_on_rolls().filter(pk__in=holders)
    return members.distinct()


def documents_needing_reminders(today: date, *, before: int) -> QuerySet[Document]:
    return Document.objects.filter(read_by__gte=today - timedelta(days=1),
                                   read_by__lte=today + timedelta(days=before)).select_related("unit")


@dataclass
class UnitReading:
    unit_id: int
    name: str
    read: int
    total: int
    not_read: list[str] = field(default_factory=list)  # names: only for the unit addressed itself and below
    names_shown: bool = False

    @property
    def unread(self) -> int:
        return self.total - self.read

    @property
    def percent(self) -> int:
        return round(100 * self.read / self.total) if self.total else 0


def readings(actor: Actor, doc: Document) -> list[UnitReading]:
    """Per unit of the audience within the actor's ``library.view`` scope: how many of its members have read the
    document. The names of those who have not are shown to the staff of a unit addressed (or below it), never to
    the sending level; no ranking of members anywhere."""
    roots = actor.paths_for("library.view")
    if not roots:
        return []
    members = (audience_members(doc).filter(subtree_q(roots, "unit__path"))
               .values_list("pk", "full_name", "unit_id", "unit__path", "name_sort"))
    read = set(doc.receipts.values_list("member_id", flat=True))
    # The grants of the actor on a unit addressed (or below one): those units see names; the sender sees numbers.
    if doc.to_everyone:
        named = [g.unit_path for g in actor.grants if "library.view" in ROLE_PERMISSIONS.get(g.role, ())
                 and g.unit_path.startswith(doc.unit.path) and g.unit_path != doc.unit.path]
    else:
        targets = list(doc.targets.values_list("unit__path", flat=True))
        named = [g.unit_path for g in actor.grants if "library.view" in ROLE_PERMISSIONS.get(g.role, ())
                 and any(g.unit_path.startswith(t) for t in targets)]
    rows: dict[int, UnitReading] = {}
    units = units_by_id({m[2] for m in members})
    for pk, name, unit_id, path, _sort in sorted(members, key=lambda m: (m[3], m[4])):
        row = rows.get(unit_id)
        if row is None:
            shown = any(path.startswith(g) for g in named)
            row = rows[unit_id] = UnitReading(unit_id, units[unit_id].name, 0, 0, names_shown=shown)
        row.total += 1
        if pk in read:
            row.read += 1
        elif row.names_shown:
            row.not_read.append(name)
    return list(rows.values())


# --- the register of classified documents -------------------------------------------------------------------------
def _entries_q(actor: Actor) -> Q:
    q = subtree_q(actor.paths_for("library.secret"), "unit__path")
    if actor.member_id:
        q |= Q(custodian_id=actor.member_id) | Q(handovers__to_member_id=actor.member_id)
    return q


def entries_visible(actor: Actor) -> QuerySet[ClassifiedEntry]:
    ids = ClassifiedEntry.objects.filter(_entries_q(actor)).values("pk")
    return (ClassifiedEntry.objects.filter(pk__in=ids).select_related("unit", "custodian")
            .defer("content").order_by("unit__path", "-received_on", "-pk"))


def entry_get(actor: Actor, pk: int | str) -> ClassifiedEntry:
    entry = entries_visible(actor).filter(pk=as_id(pk) or 0).first()
    if entry is None:
        audit(actor=actor, action="library.classified_denied", data={"entry": str(pk)[:20]})
        raise Http404(_("Không tìm thấy tài liệu mật"))
    audit(actor=actor, action="library.classified_viewed", obj=entry, unit=entry.unit)
    return entry


def handovers_of(entry: ClassifiedEntry) -> QuerySet[Handover]:
    return entry.handovers.select_related("from_member", "to_member").order_by("-handed_on", "-pk")


def handover_get(actor: Actor, pk: int | str) -> Handover:
    handover = (Handover.objects.filter(pk=as_id(pk) or 0, entry__in=entries_visible(actor).values("pk"))
                .select_related("entry", "entry__unit", "to_member").first())
    if handover is None:
        audit(actor=actor, action="library.handover_denied", data={"handover": str(pk)[:20]})
        raise Http404(_("Không tìm thấy lần giao nhận"))
    return handover


def unit_members(unit: Unit) -> QuerySet[Member]:
    """Members who may hold a classified document of the unit (on its rolls or below it), in name order."""
    return members_on_rolls(unit).select_related("unit").order_by("name_sort", "pk")


def reads_between(actor: Actor, level: Unit, first: date, last: date) -> int:
    """How many times a member of the level's subtree, among the members the actor sees, first opened a document of
    the library from ``first`` to ``last`` (one per member and document): a report's "documents read"."""
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    members = members_visible(actor).filter(subtree_q([level.path], "unit__path"))
    return Receipt.objects.filter(member__in=members.values("pk"), read_at__gte=start, read_at__lt=end).count()
