from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from chibo.admission.selectors import my_dossier
from chibo.core.access import actor_for


@login_required
def dossier(request):
    """The applicant's own page: their record and where the case stands; nothing else."""
    return render(request, "admission/dossier.html", {"a": my_dossier(actor_for(request))})
