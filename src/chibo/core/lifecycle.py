"""Each process declares its lifecycle once (design principle 11): its states and its transitions.

A ``Transition`` says from which states it may be taken, the state it leads to, who may take it (a
permission on a unit of the object, and/or a rule such as "the member themself"), any further
condition on the object, the input it needs (a Django form), the deadlines it opens and closes, and
which service runs it. From that one declaration:

- services guard with ``LIFECYCLE.check(actor, obj, "name")`` (after locking the object): a step out of
  order raises ``TransitionRefused``, a step the actor may not take raises ``PermissionDenied``;
- pages and the API offer exactly ``LIFECYCLE.available(actor, obj)``, and take a step with
  ``LIFECYCLE.perform(actor, obj, "name", data)`` (the form validates, the registered service runs);
- one action view (``core.lifecycle_views``), one API action endpoint (``core.lifecycle_api``) and the
  ``chibo act`` command serve every process;
- the help page draws each process from it (``diagram_svg``).

A service registers itself as the runner of a transition with ``@LIFECYCLE.runs("name")``; it is
called as ``service(actor=…, <subject>=obj, **form.cleaned_data)`` (after the transition's
``prepare``, which turns ids into objects where the form cannot).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.core.access import ROLE_PERMISSIONS, Actor, Role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ANY = "*"  # a transition that may be taken from every non-final state


class TransitionRefused(Exception):
    """A step not allowed from the object's current state (or while a condition does not hold): the
    same refusal, word for word, on the page, in the API (409) and on the command line."""

    def __init__(self, message: StrOrPromise, *, lifecycle: str = "", transition: str = "", state: str = ""):
        super().__init__(message)
        self.message = message
        self.lifecycle, self.transition, self.state = lifecycle, transition, state


@dataclass(frozen=True)
class Transition:
    name: str
    label: StrOrPromise
    sources: tuple[str, ...]
    target: str | None = None                 # None: the object stays in its state (a recording step)
    perm: str = ""                            # permission needed on ``unit(obj)``
    unit: Callable[[Any], Any] | None = None  # the unit the permission is checked on (default: obj.unit)
    allow: Callable[[Actor, Any], bool] | None = None  # who else may take it (e.g. the member themself)
    allow_label: StrOrPromise = ""                     # how the help page names those (e.g. "the member")
    # who may not take it whatever their role (a conflict of interest: the member on their own discipline case)
    deny: Callable[[Actor, Any], bool] | None = None
    when: Callable[[Any], bool] | None = None  # a further condition on the object
    when_label: StrOrPromise = ""                      # why it is not offered when ``when`` is false
    form: type[forms.Form] | None = None      # the input it needs
    form_kwargs: Callable[[Any], dict] | None = None  # extra arguments of the form (e.g. the case)
    prepare: Callable[[Actor, Any, dict], dict] | None = None  # cleaned data → service keyword arguments
    targets: tuple[str, ...] = ()             # the possible end states when the input decides (approve/refuse)
    opens: tuple[str, ...] = ()               # deadline kinds it opens
    closes: tuple[str, ...] = ()              # deadline kinds it closes
    help: StrOrPromise = ""
    done: Any = ""                            # the confirmation shown after it ran (or: service result → text)
    secondary: bool = False                   # shown folded on the page (cancel, withdraw…)
    label_for: Callable[[Any], str] | None = None  # the label on the object's page, when it depends on it
    returns: str = ""                         # the API answer carries the service's result under this name

    def ends(self) -> tuple[str, ...]:
        return self.targets or ((self.target,) if self.target else ())


@dataclass
class Lifecycle:
    key: str                                  # e.g. "transfer"; the API and `chibo act` use it
    label: StrOrPromise                       # e.g. "Chuyển sinh hoạt đảng"
    states: type[models.TextChoices]
    transitions: tuple[Transition, ...]
    subject: str                              # the service's keyword for the object (e.g. "transfer")
    state_attr: str = "state"
    start: StrOrPromise = ""                           # how an object comes to exist (help page)
    final: tuple[str, ...] = ()               # states without a way out
    help: StrOrPromise = ""
    # (actor, pk) → the object within the actor's scope (404 outside): installed by the app's selectors at
    # start-up, used where only the process's key is known (the `chibo act` command).
    finder: Callable[[Actor, Any], Any] | None = field(default=None, repr=False)
    _services: dict[str, Callable[..., Any]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        names = [t.name for t in self.transitions]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.key}: two transitions share a name")
        known = set(self.states.values) | {ANY}
        for t in self.transitions:
            unknown = (set(t.sources) | set(t.ends())) - known
            if unknown:
                raise ValueError(f"{self.key}.{t.name}: unknown states {sorted(unknown)}")
        LIFECYCLES[self.key] = self

    # -- the declaration ------------------------------------------------------------------------
    def get(self, name: str) -> Transition:
        for t in self.transitions:
            if t.name == name:
                return t
        raise KeyError(name)

    def names(self) -> list[str]:
        return [t.name for t in self.transitions]

    def state_of(self, obj) -> str:
        return getattr(obj, self.state_attr)

    def state_label(self, state: str) -> str:
        return str(self.states(state).label) if state in self.states.values else state

    def runs(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: the service below runs transition ``name``."""
        self.get(name)

        def register(service: Callable[..., Any]) -> Callable[..., Any]:
            self._services[name] = service
            return service

        return register

    def service(self, name: str) -> Callable[..., Any]:
        try:
            return self._services[name]
        except KeyError as exc:  # a declaration without its service: a programming error
            raise LookupError(f"{self.key}.{name} has no service registered (@{self.key}.runs)") from exc

    # -- who may do what ------------------------------------------------------------------------
    def _unit(self, t: Transition, obj):
        """The unit the permission is checked on: the transition's (which may depend on the state, e.g. who
        writes the next box), else — and when the transition's has none now — the object's own unit, so
        that a step out of order is refused for its state (409), not for the actor (403)."""
        unit = t.unit(obj) if t.unit is not None else None
        return unit if unit is not None else getattr(obj, "unit", None)

    def permitted(self, actor: Actor, obj, t: Transition) -> bool:
        if t.deny is not None and t.deny(actor, obj):
            return False
        if t.allow is not None and t.allow(actor, obj):
            return True
        if t.perm:
            unit = self._unit(t, obj)
            return unit is not None and actor.can(t.perm, unit)
        return False

    def in_state(self, obj, t: Transition) -> bool:
        state = self.state_of(obj)
        from_ok = state in t.sources or (ANY in t.sources and state not in self.final)
        return from_ok and (t.when is None or bool(t.when(obj)))

    def available(self, actor: Actor, obj) -> list[Transition]:
        """The transitions this actor may take on this object now, in declaration order."""
        return [t for t in self.transitions if self.in_state(obj, t) and self.permitted(actor, obj, t)]

    def check(self, actor: Actor, obj, name: str) -> Transition:
        """Raise unless ``actor`` may take ``name`` on ``obj`` now: PermissionDenied for the actor,
        TransitionRefused for the state. Services call it once they hold the object's lock."""
        t = self.get(name)
        if not self.permitted(actor, obj, t):
            raise PermissionDenied(f"{self.key}.{name}")
        if not self.in_state(obj, t):
            raise TransitionRefused(self.refusal(obj, t), lifecycle=self.key, transition=name,
                                    state=self.state_of(obj))
        return t

    def refusal(self, obj, t: Transition) -> StrOrPromise:
        state = self.state_of(obj)
        if state in t.sources or (ANY in t.sources and state not in self.final):
            return t.when_label or _("«%(step)s» chưa thực hiện được lúc này.") % {"step": t.label}
        return _("Không thể «%(step)s»: %(what)s đang ở bước «%(state)s».") % {
            "step": t.label, "what": self.label.lower(), "state": _(self.state_label(state))}

    # -- taking a step --------------------------------------------------------------------------
    def form_for(self, obj, name: str, data=None, *, files=None, auto_id: str = "id_%s"):
        """The step's form, bound to ``data`` (``auto_id`` keeps the ids of several steps' forms on one
        page apart, their field names unchanged)."""
        t = self.get(name)
        if t.form is None:
            return None
        kwargs = t.form_kwargs(obj) if t.form_kwargs else {}
        return t.form(data, files, auto_id=auto_id, **kwargs)

    def perform(self, actor: Actor, obj, name: str, data=None, *, form=None):
        """Take transition ``name`` with ``data`` (a dict or QueryDict): check, validate the input, run the
        service. Raises PermissionDenied, TransitionRefused, or ValidationError (the form's errors)."""
        t = self.get(name)
        if not self.permitted(actor, obj, t):
            raise PermissionDenied(f"{self.key}.{name}")
        if not self.in_state(obj, t):
            raise TransitionRefused(self.refusal(obj, t), lifecycle=self.key, transition=name,
                                    state=self.state_of(obj))
        cleaned: dict = {}
        if t.form is not None:
            form = form if form is not None else self.form_for(obj, name, data)
            if not form.is_valid():
                raise ValidationError({k: list(v) for k, v in form.errors.items()})
            cleaned = dict(form.cleaned_data)
        kwargs = t.prepare(actor, obj, cleaned) if t.prepare else cleaned
        return self.service(name)(actor=actor, **{self.subject: obj}, **kwargs)

    # -- description (help page, API) -------------------------------------------------------------
    def who(self, t: Transition) -> list[str]:
        roles = [str(label) for role, label in Role.CHOICES if t.perm and t.perm in ROLE_PERMISSIONS.get(role, ())]
        if t.allow_label:
            roles.append(str(t.allow_label))
        return roles

    def inputs(self, t: Transition) -> list[str]:
        if t.form is None:
            return []
        return [str(f.label) for f in t.form.base_fields.values()]

    def diagram_svg(self) -> str:
        """The states top to bottom in declaration order; a step to the next state is a straight arrow,
        any other a curve (forward on the right, backward on the left, dashed); beside each state, the
        steps that leave it (→) and those that keep it (↺)."""
        order = list(self.states.values)
        row = {s: i for i, s in enumerate(order)}
        box_w, box_h, gap, left = 230, 34, 26, 150
        right = left + box_w
        edges = [(t, s, e) for t in self.transitions
                 for s in (order if ANY in t.sources else t.sources)
                 if s in row and not (ANY in t.sources and s in self.final)
                 for e in t.ends() if e != s and e in row]
        height = len(order) * (box_h + gap) + 10

        def top(state: str) -> float:
            return 10 + row[state] * (box_h + gap)

        arrow = f"arrow-{self.key}"  # one marker per diagram: a page may show several
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {right + 520} {height}" '
                 f'role="img" aria-label="{escape(self.label)}" class="lifecycle">',
                 f'<defs><marker id="{arrow}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
                 'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="currentColor"/></marker></defs>']
        straight: set[tuple[str, str]] = set()
        for k, (_t, s, e) in enumerate(edges):
            y1, y2 = top(s) + box_h / 2, top(e) + box_h / 2
            if row[e] == row[s] + 1:
                if (s, e) not in straight:
                    straight.add((s, e))
                    x = left + box_w / 2
                    parts.append(f'<line x1="{x}" y1="{top(s) + box_h}" x2="{x}" y2="{top(e) - 2}" '
                                 f'stroke="currentColor" marker-end="url(#{arrow})"/>')
                continue
            forward = row[e] > row[s]
            reach = 24 + 10 * (k % 10)
            edge, x = (right, right + reach) if forward else (left, left - reach)
            dash = "" if forward else ' stroke-dasharray="4 3"'
            parts.append(f'<path d="M{edge},{y1} C{x},{y1} {x},{y2} {edge},{y2 + (2 if forward else -2)}" '
                         f'fill="none" stroke="currentColor"{dash} marker-end="url(#{arrow})"/>')
        for s in order:
            y = top(s)
            fill = "#eef2ee" if s in self.final else "#ffffff"
            parts.append(f'<rect x="{left}" y="{y}" width="{box_w}" height="{box_h}" rx="8" fill="{fill}" '
                         'stroke="currentColor"/>')
            parts.append(f'<text x="{left + box_w / 2}" y="{y + box_h / 2 + 5}" text-anchor="middle" '
                         f'font-size="13">{escape(_(self.state_label(s)))}</text>')
            leaving = list(dict.fromkeys(str(t.label) for t, s1, _e in edges if s1 == s))
            staying = [str(t.label) for t in self.transitions if not t.ends()
                       and (s in t.sources or (ANY in t.sources and s not in self.final))]
            note = " · ".join([*(f"→ {x}" for x in leaving), *(f"↺ {x}" for x in staying)])
            if note:
                parts.append(f'<text x="{right + 130}" y="{y + box_h / 2 + 4}" font-size="11">{escape(note)}</text>')
        parts.append("</svg>")
        return "".join(parts)


LIFECYCLES: dict[str, Lifecycle] = {}


def lifecycles() -> list[Lifecycle]:
    """Every declared lifecycle (each process module declares its own when Django starts)."""
    return sorted(LIFECYCLES.values(), key=lambda lc: lc.key)


def lifecycle(key: str) -> Lifecycle:
    return LIFECYCLES[key]


def states_of(lc: Lifecycle) -> Iterable[tuple[str, str]]:
    return [(s, lc.state_label(s)) for s in lc.states.values]


REFUSED_TITLE = gettext_lazy("Chưa thực hiện được")
