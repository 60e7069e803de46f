"""One review workflow for a member's requests and declarations: the member (or the cell for them) files,
the cell gives its opinion, the committee above decides — approved or refused.

A process's model inherits ``MemberRequest`` (the member, their unit, the dates, the opinion, the
decision) and declares its lifecycle with ``review_transitions()`` plus any step of its own (a trip's
report after return); its services call ``review_file``, ``review_opinion`` and ``review_decide``, which
guard through the lifecycle, write the request, its typed timeline event and the audit row. Trips abroad,
declarations made abroad and exemptions from party work use it; later processes reuse it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.core import clock
from chibo.core.access import Actor, require
from chibo.core.lifecycle import Lifecycle, Transition
from chibo.core.text import clean
from chibo.members import timeline

if TYPE_CHECKING:
    from chibo.members.models import Member

FILED, OPINION, APPROVED, REFUSED = "filed", "opinion", "approved", "refused"


class MemberRequest(models.Model):
    """The review part of a member's request (abstract): each process's model adds its own fields."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="%(class)ss")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    filed_on = models.DateField(_("ngày nộp"))
    cell_opinion = models.CharField(_("ý kiến của chi bộ"), max_length=500, blank=True)
    opinion_on = models.DateField(null=True, blank=True)
    decision_doc = models.CharField(_("văn bản quyết định"), max_length=120, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    state: str  # each process's model declares its state field, with its own choices

    class Meta:
        abstract = True


R = TypeVar("R", bound=MemberRequest)


class OpinionForm(forms.Form):
    opinion = forms.CharField(label=_("Ý kiến của chi bộ"), max_length=500)


class ApproveField(forms.TypedChoiceField):
    """Approve or refuse: "1"/"0" from the page's radio buttons, true/false from the API."""

    api_type = "boolean"

    def to_python(self, value):
        if value is True or str(value).lower() == "true":
            return "1"
        if value is False or str(value).lower() == "false":
            return "0"
        return super().to_python(value)


class DecisionForm(forms.Form):
    approve = ApproveField(label=_("Quyết định"), choices=[("1", _("Đồng ý")), ("0", _("Không đồng ý"))],
                           coerce=lambda v: v == "1", widget=forms.RadioSelect)
    document = forms.CharField(label=_("Số văn bản quyết định"), max_length=120)


def committee_of(obj):
    """The committee that decides: the one above the member's cell (the top decides for its own rolls)."""
    return obj.unit.parent or obj.unit


def files_for_self(actor: Actor, obj) -> bool:
    return actor.member_id is not None and actor.member_id == obj.member_id


def review_transitions(*, perm: str, opinion_label=None, decide_label=None,
                       opens_on_approval: tuple[str, ...] = ()) -> tuple[Transition, ...]:
    """The cell's opinion (filed → opinion) and the committee's decision (opinion → approved | refused)."""
    return (
        Transition("opinion", opinion_label or _("Ý kiến của chi bộ"), sources=(FILED,), target=OPINION,
                   perm=perm, form=OpinionForm, done=_("Đã ghi ý kiến của chi bộ."),
                   help=_("Chi bộ của đảng viên cho ý kiến.")),
        Transition("decide", decide_label or _("Quyết định của cấp ủy"), sources=(OPINION,),
                   targets=(APPROVED, REFUSED),
                   perm=perm, unit=committee_of, form=DecisionForm, opens=opens_on_approval,
                   done=_("Đã ghi quyết định của cấp ủy."), help=_("Cấp ủy cấp trên của chi bộ quyết định.")),
    )


def may_file(actor: Actor, member, perm: str) -> None:
    """The member files for themself; the cell (``perm`` on the member's unit) for a member of its scope."""
    if actor.member_id != member.pk:
        require(actor, perm, member.unit)


def review_file(*, actor: Actor, model: type[R], member: Member, perm: str, event: str, data: dict,
                **fields: Any) -> R:
    """Create the request filed today (``fields`` are the process's own), with its timeline event."""
    may_file(actor, member, perm)
    obj = model._default_manager.create(member=member, unit=member.unit, filed_on=clock.today(), state=FILED, **fields)
    timeline.record(actor=actor, member=member, kind=event, occurred_on=obj.filed_on, unit=obj.unit,
                    data={"id": obj.pk, **data})
    return obj


def _locked(obj: R) -> R:
    return type(obj)._default_manager.select_for_update(of=("self",)).select_related("member", "unit", "unit__parent") \
        .get(pk=obj.pk)


def review_opinion(*, actor: Actor, lc: Lifecycle, obj: R, opinion: str, event: str) -> R:
    obj = _locked(obj)
    lc.check(actor, obj, "opinion")
    if not clean(opinion):
        raise ValidationError({"opinion": _("Cần ý kiến của chi bộ.")})
    obj.state, obj.cell_opinion, obj.opinion_on = OPINION, clean(opinion)[:500], clock.today()
    obj.save(update_fields=["state", "cell_opinion", "opinion_on"])
    timeline.record(actor=actor, member=obj.member, kind=event, occurred_on=obj.opinion_on, unit=obj.unit,
                    data={"id": obj.pk, "opinion": obj.cell_opinion})
    return obj


def review_decide(*, actor: Actor, lc: Lifecycle, obj: R, approve: bool, document: str,
                  event: str) -> R:
    """The committee decides; the caller adds what approval sets off (a deadline…) in the same transaction."""
    obj = _locked(obj)
    lc.check(actor, obj, "decide")
    if not clean(document):
        raise ValidationError({"document": _("Cần số văn bản quyết định.")})
    obj.state = APPROVED if approve else REFUSED
    obj.decision_doc, obj.decided_on = clean(document)[:120], clock.today()
    obj.save(update_fields=["state", "decision_doc", "decided_on"])
    timeline.record(actor=actor, member=obj.member, kind=event, occurred_on=obj.decided_on,
                    unit=committee_of(obj), data={"id": obj.pk, "approved": approve, "document": obj.decision_doc})
    return obj


def decided_text(d: dict) -> str:
    """The detail of a decision event, in the reader's language."""
    verdict = _("đồng ý") if d.get("approved") else _("không đồng ý")
    return f"{verdict} ({d.get('document', '')})"


