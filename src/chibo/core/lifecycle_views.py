"""The one action view of every process: a page POSTs ``do=<transition>`` with that step's form.

A detail page lists ``action_forms(actor, LIFECYCLE, obj)`` (the steps the declaration allows this actor
now, each with its form) through the template ``core/lifecycle_actions.html``; its action URL calls
``act``: the step is checked (403 for the actor, a clear message for the state), its form validated (the
page again with the errors beside the fields), the service run, and the user sent back with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from chibo.core.access import actor_for
from chibo.core.errors import StaleEdit
from chibo.core.forms import apply_service_errors
from chibo.core.lifecycle import Lifecycle, Transition, TransitionRefused

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass
class Action:
    transition: Transition
    form: forms.Form | None
    label: StrOrPromise
    open: bool = False  # shown unfolded (its form came back with errors)

    @property
    def name(self) -> str:
        return self.transition.name


def action_forms(actor, lc: Lifecycle, obj, bound: dict[str, forms.Form] | None = None,
                 initial: Callable[[Transition], dict] | None = None) -> list[Action]:
    """The steps this actor may take now, each with its form (a bound one from ``bound`` after an error)."""
    bound = bound or {}
    out = []
    for t in lc.available(actor, obj):
        form = bound.get(t.name)
        if form is None and t.form is not None:
            kwargs = t.form_kwargs(obj) if t.form_kwargs else {}
            form = t.form(initial=initial(t) if initial else None, auto_id=f"id_{t.name}_%s", **kwargs)
        label = t.label_for(obj) if t.label_for else t.label
        out.append(Action(t, form, label, open=t.name in bound))
    return out


def act(request, *, lc: Lifecycle, obj, success_url: str,
        render_page: Callable[[dict[str, forms.Form]], HttpResponse], field: str = "do",
        step: str | None = None) -> HttpResponse:
    """Take the step named in ``field`` (``do``) — or ``step``, for a page that posts one step only — on
    ``obj`` from a page; ``render_page(bound)`` shows the object's page again with the bound form of the
    step when its input is refused."""
    actor = actor_for(request)
    name = step if step is not None else request.POST.get(field, "")
    try:
        t = lc.get(name)
    except KeyError:
        if not any(lc.permitted(actor, obj, x) for x in lc.transitions):
            raise PermissionDenied(lc.key) from None  # may take no step here: nothing to learn from the request
        messages.error(request, _("Thao tác không hợp lệ."))
        response = render_page({})
        response.status_code = 400
        return response
    try:
        lc.check(actor, obj, name)  # PermissionDenied (403) before anything else is read
    except TransitionRefused as exc:
        return _refused(request, exc, render_page)
    form = lc.form_for(obj, name, request.POST, files=request.FILES, auto_id=f"id_{name}_%s")
    if form is not None and not form.is_valid():
        return render_page({name: form})
    try:
        result = lc.perform(actor, obj, name, form=form)
    except TransitionRefused as exc:  # the state changed meanwhile (another user took a step)
        return _refused(request, exc, render_page)
    except (ValidationError, StaleEdit) as exc:
        if form is None:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return redirect(success_url)
        if isinstance(exc, StaleEdit):
            form.add_error(None, exc.message)
        else:
            apply_service_errors(form, exc)
        return render_page({name: form})
    done = t.done(result) if callable(t.done) else t.done
    messages.success(request, done or _("Đã ghi: %(step)s.") % {"step": t.label})
    return redirect(success_url)


def _refused(request, exc: TransitionRefused, render_page) -> HttpResponse:
    """The object's page again, with the reason the step is not possible now (409: nothing was written)."""
    messages.error(request, exc.message)
    response = render_page({})
    response.status_code = 409
    return response
