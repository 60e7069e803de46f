"""Other users writing while an import runs, for the tests and the benchmark: a script for ``chibo shell -c`` that,
against the database of its environment, repeats three writes a web request makes (an audited read of a member's
full record, a new session, an edit of a member) until the import job JOB has finished (or SECONDS have passed),
timing each and catching its errors; it prints one line, WRITES and a JSON list: every write as [name, seconds,
job phase, error].

``JOB`` 0 means no job: the writes run until the file STOP exists (the benchmark's baseline, an import run by
``chibo import`` in one transaction)."""

from __future__ import annotations

SCRIPT = """
import json, os, time
from django.contrib.sessions.backends.db import SessionStore
from chibo.accounts.models import User
from chibo.bulk.models import ImportJob
from chibo.core.access import actor_from_user
from chibo.members import selectors, services

actor = actor_from_user(User.objects.get(username="bithu.phap"))
pk = selectors.members_visible(actor).order_by("pk").values_list("pk", flat=True).first()
n = 0


def read():
    selectors.member_read_full(actor, pk)


def session():
    store = SessionStore()
    store["n"] = n
    store.save()


def edit():
    member = selectors.member_get(actor, pk)
    services.member_update(actor=actor, member=member, expected_version=member.version,
                           changes={"job_title": f"Bí thư chi bộ ({n})"})


out = []
stop = time.monotonic() + SECONDS
while time.monotonic() < stop:
    if JOB:
        job = ImportJob.objects.filter(pk=JOB).values_list("state", "phase").first()
        if job is None or job[0] in ("done", "failed", "cancelled"):
            break
        phase = job[1]
    else:
        if os.path.exists(STOP):
            break
        phase = "one transaction"
    for name, write in (("read", read), ("session", session), ("edit", edit)):
        n += 1
        started = time.monotonic()
        try:
            write()
            error = ""
        except Exception as exc:
            error = f"{exc.__class__.__name__}: {exc}"
        out.append([name, round(time.monotonic() - started, 4), phase, error])
    time.sleep(0.05)
print("WRITES", json.dumps(out))
"""


def writers_script(*, job: int = 0, seconds: float = 120, stop: str = "") -> str:
    return SCRIPT.replace("JOB", str(int(job))).replace("SECONDS", str(float(seconds))).replace("STOP", repr(stop))
