"""Public enums of the programs app: the states of a work program's item and of a proposal raised to the upper
committee (docs/domain.md §14)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop


class ItemState(models.TextChoices):
    PLANNED = "planned", gettext_noop("Chưa thực hiện")
    IN_PROGRESS = "in_progress", gettext_noop("Đang thực hiện")
    DONE = "done", gettext_noop("Đã hoàn thành")
    DROPPED = "dropped", gettext_noop("Không thực hiện")


class ProposalState(models.TextChoices):
    RAISED = "raised", gettext_noop("Đã gửi")
    RECEIVED = "received", gettext_noop("Cấp trên đã nhận")
    ANSWERED = "answered", gettext_noop("Đã trả lời")
    WITHDRAWN = "withdrawn", gettext_noop("Đã rút")


ITEM_OPEN_STATES = (ItemState.PLANNED, ItemState.IN_PROGRESS)
PROPOSAL_OPEN_STATES = (ProposalState.RAISED, ProposalState.RECEIVED)

# Who does what: a unit's program is kept by whoever runs its meetings (the program is adopted at the meeting), and
# read by every holder of a role on the unit or above.
VIEW = "meetings.view"
EDIT = "meetings.manage"
DEADLINE_KIND = "programs.proposal"
ANSWER_RULE = "programs.proposal_answer_within"
DUE_SOON_RULE = "programs.due_soon_days"
