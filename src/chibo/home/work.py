"""The home page's work list ("Việc cần làm"): what waits for this user now, drawn from each process's public
selectors, most urgent first: deadlines overdue and due within a week, the next meetings and how ready they are,
reviews waiting for the user's step, what the member owes in dues, the applicant's next step. Every link leads to
the page where the thing is done."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chibo.admission.selectors import expected_of_applicant, my_case
from chibo.core.access import Actor
from chibo.core.money import format_amount
from chibo.deadlines.selectors import deadlines_visible
from chibo.discipline.selectors import cases_visible
from chibo.dues.selectors import member_position
from chibo.grading.selectors import waiting_for
from chibo.meetings.minutes import held_day
from chibo.meetings.selectors import meetings_visible
from chibo.members.selectors import member_fresh

SOON_DAYS = 7
SHOWN = 8


@dataclass
class Item:
    text: str
    url: str
    when: date | None = None
    late: bool = False
    note: str = ""


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    more: int = 0           # items beyond those shown (the linked page lists them all)
    more_url: str = ""


def _deadlines(actor: Actor, today: date) -> Section | None:
    qs = (deadlines_visible(actor).filter(state="open", due_date__lte=today + timedelta(days=SOON_DAYS))
          .select_related("member", "unit").order_by("due_date", "pk"))
    total = qs.count()
    if not total:
        return None
    items = [Item(d.title, reverse("deadlines:detail", args=[d.pk]), d.due_date, d.due_date < today,
                  d.member.full_name if d.member is not None else d.unit.name) for d in qs[:SHOWN]]
    return Section("deadlines", _("Hạn đã quá và sắp đến (7 ngày)"), items, max(total - SHOWN, 0),
                   reverse("deadlines:radar") + "?state=active")


def _overdue_meetings(actor: Actor) -> Section | None:
    """Planned meetings whose time has passed without being opened: late, to be opened, recorded or cancelled
    (never among the coming ones; the meetings page lists them apart the same way)."""
    qs = (meetings_visible(actor).filter(state="planned", starts_at__lt=timezone.now())
          .select_related("unit").order_by("starts_at", "pk"))
    total = qs.count()
    if not total:
        return None
    items = [Item(f"{m.title} · {m.unit.name}", reverse("meetings:detail", args=[m.pk]), held_day(m), True,
                  _("quá giờ, chưa khai mạc: khai mạc, ghi lại ngày giờ thực tế hoặc hủy")) for m in qs[:SHOWN]]
    return Section("meetings_overdue", _("Cuộc họp đã quá giờ, chưa khai mạc"), items, max(total - SHOWN, 0),
                   reverse("meetings:index"))


def _meetings(actor: Actor, today: date) -> Section | None:
    rows = (meetings_visible(actor).filter(Q(state="open") | Q(state="planned", starts_at__gte=timezone.now()))
            .select_related("unit").annotate(docs=Count("documents")).order_by("starts_at", "pk")[:3])
    items = []
    for m in rows:
        ready = []
        if m.state == "planned":
            ready.append(_("đã gửi thông báo") if m.notice_sent_at else _("chưa gửi thông báo"))
            ready.append(_("%(count)s tài liệu") % {"count": m.docs} if m.docs else _("chưa có tài liệu"))
        else:
            ready.append(_("đang họp"))
        items.append(Item(f"{m.title} · {m.unit.name}", reverse("meetings:detail", args=[m.pk]),
                          held_day(m), False, ", ".join(ready)))
    return Section("meetings", _("Cuộc họp sắp tới"), items) if items else None


STEP_TEXT = {"self": gettext_noop("Nộp bản tự đánh giá"), "cell_vote": gettext_noop("Chi bộ nhận xét, biểu quyết"),
             "decide": gettext_noop("Thẩm định, quyết định xếp loại")}


def _grading(actor: Actor, today: date) -> Section | None:
    items = []
    for w in waiting_for(actor):
        due = {"self": w.period.self_due, "cell_vote": w.period.cell_due, "decide": w.period.decide_due}[w.step]
        url = (reverse("grading:mine") if w.step == "self" else reverse("grading:period", args=[w.period.pk]))
        count = "" if w.step == "self" else _("%(count)s bản kiểm điểm") % {"count": w.count}
        items.append(Item(f"{_(STEP_TEXT[w.step])}: {w.period.title}", url, due, due < today, count))
    return Section("grading", _("Kiểm điểm, xếp loại"), items) if items else None


def _dues(actor: Actor, today: date) -> Section | None:
    if not actor.member_id:
        return None
    position = member_position(member_fresh(actor.member_id), today=today)
    owed = {cur: amount for cur, amount in position.arrears.items() if amount > 0}
    if not owed:
        return None
    text = _("Đảng phí còn nợ: ") + ", ".join(format_amount(a, c) for c, a in sorted(owed.items()))
    return Section("dues", _("Đảng phí"), [Item(text, reverse("dues:index"), None, True)])


def _discipline(actor: Actor) -> Section | None:
    """The member's own case waiting for their explanation (the staff's cases are on the discipline page)."""
    if not actor.member_id:
        return None
    waiting = cases_visible(actor).filter(member_id=actor.member_id, state="open").order_by("opened_on")
    items = [Item(_("Viết bản tự kiểm điểm, giải trình"), reverse("discipline:case", args=[c.pk]), None, False,
                  _("hồ sơ mở ngày %(day)s") % {"day": f"{c.opened_on:%d/%m/%Y}"}) for c in waiting]
    return Section("discipline", _("Hồ sơ kỷ luật"), items) if items else None


def _dossier(actor: Actor) -> Section | None:
    if not actor.applicant_id:
        return None
    return Section("dossier", _("Hồ sơ kết nạp"), [Item(expected_of_applicant(my_case(actor)), reverse("my_dossier"))])


def my_work(actor: Actor, today: date) -> list[Section]:
    sections = [_deadlines(actor, today), _discipline(actor), _grading(actor, today), _overdue_meetings(actor),
                _meetings(actor, today),
                _dues(actor, today), _dossier(actor)]
    return [s for s in sections if s is not None]

