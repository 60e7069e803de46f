"""`chibo act PROCESS ID STEP [field=value …] --user NAME`: take a step of any process from the command line,
through the same declaration, checks, form and service as the page and the API."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from chibo.accounts.cli import cli_actor
from chibo.core.lifecycle import TransitionRefused, lifecycle, lifecycles


class Command(BaseCommand):
    help = ("Take a step of a process (a transfer, an admission case, a trip …) as a user: "
            "chibo act transfer 12 approve on=01/12/2026 --user bithu.phap. "
            "Without a step, list the steps the user may take now.")

    def add_arguments(self, parser):
        parser.add_argument("process", help="one of: " + ", ".join(lc.key for lc in lifecycles()))
        parser.add_argument("id", help="the object's id")
        parser.add_argument("step", nargs="?", default="", help="the step's name (see the help page)")
        parser.add_argument("fields", nargs="*", help="the step's input, as name=value (dates dd/mm/yyyy)")
        parser.add_argument("--user", help="act as this user (default: the installation's operator)")

    def handle(self, *args, process, id, step, fields, user=None, **options):  # noqa: A002
        try:
            lc = lifecycle(process)
        except KeyError as exc:
            raise CommandError(f"No process {process!r}; known: {', '.join(x.key for x in lifecycles())}.") from exc
        if lc.finder is None:
            raise CommandError(f"The process {process!r} cannot be reached from the command line.")
        actor = cli_actor(user)
        try:
            obj = lc.finder(actor, id)
        except Http404 as exc:
            raise CommandError(f"No {process} {id} within the scope of {actor.label}.") from exc
        if not step:
            steps = lc.available(actor, obj)
            self.stdout.write(f"{lc.label}: {lc.state_label(lc.state_of(obj))}")
            for t in steps:
                inputs = ", ".join(t.form.base_fields) if t.form is not None else "—"
                self.stdout.write(f"  {t.name}: {t.label} ({inputs})")
            if not steps:
                self.stdout.write("  (no step this user may take now)")
            return
        if step not in lc.names():
            raise CommandError(f"No step {step!r} in {process}; steps: {', '.join(lc.names())}.")
        data = {}
        for item in fields:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"Input is name=value, not {item!r}.")
            data[name.strip()] = value
        try:
            lc.check(actor, obj, step)
            form = lc.form_for(obj, step, data)
            unknown = sorted(set(data) - set(form.fields if form is not None else ()))
            if unknown:
                raise CommandError(f"The step {step!r} has no field {', '.join(unknown)}.")
            lc.perform(actor, obj, step, data, form=form)
        except PermissionDenied as exc:
            raise CommandError(f"{actor.label} may not take the step {step!r} on this {process}.") from exc
        except TransitionRefused as exc:
            raise CommandError(exc.message) from exc
        except ValidationError as exc:
            problems = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            raise CommandError("; ".join(f"{k + ': ' if k and k != '__all__' else ''}{' '.join(v)}"
                                         for k, v in problems.items())) from exc
        obj = lc.finder(actor, id)
        self.stdout.write(self.style.SUCCESS(f"{lc.get(step).label}: done. Now: {lc.state_label(lc.state_of(obj))}."))
