"""Reads of applicants: an applicant sees only their own dossier."""

from __future__ import annotations

from django.http import Http404

from chibo.admission.models import Applicant
from chibo.core.access import Actor


def my_dossier(actor: Actor) -> Applicant:
    if not actor.applicant_id:
        raise Http404
    return Applicant.objects.select_related("unit").get(pk=actor.applicant_id)
