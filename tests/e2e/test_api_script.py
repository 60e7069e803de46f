"""An outside script drives a whole meeting through the API alone: docs/examples/api_meeting.py, run in its
own process against the live server with the tokens people make for themselves. Checked here from the
database, independently of the meetings code: the ballot's totals add up, who voted how is stored nowhere,
the status change and the rule version are recorded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "examples" / "api_meeting.py"


def test_an_outside_script_runs_a_meeting_with_a_secret_ballot(demo_org):
    from chibo.accounts.models import User
    from chibo.accounts.services import token_create
    from chibo.core.access import SYSTEM
    from chibo.core.models import Rule
    from chibo.meetings.models import Ballot, BallotBox, Meeting
    from chibo.members.models import Member, Status

    secretary = User.objects.get(username="bithu.phap")
    member = User.objects.get(username="dangvien.phap")
    cell = secretary.member.unit
    target = (Member.objects.filter(unit=cell, status=Status.FULL).exclude(pk__in=[secretary.member_id,
                                                                                   member.member_id]).first())
    versions = Rule.objects.filter(key="meeting.min_minutes").count()
    env = {**os.environ, "CHIBO_URL": demo_org.url,
           "CHIBO_TOKEN": token_create(actor=SYSTEM, user=secretary),
           "CHIBO_VOTER_TOKENS": ",".join(token_create(actor=SYSTEM, user=u) for u in (secretary, member)),
           "CHIBO_OFFICER_TOKEN": token_create(actor=SYSTEM, user=User.objects.get(username="ban.tochuc"))}
    run = subprocess.run([sys.executable, str(SCRIPT), "--cell", str(cell.pk), "--status-member", str(target.pk)],
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)

    meeting = Meeting.objects.get(pk=summary["meeting"])
    assert (meeting.state, meeting.minutes_state) == ("held", "approved") == (summary["state"], summary["minutes"])
    box = BallotBox.objects.get(pk=summary["ballot"])
    ballots = Ballot.objects.filter(box=box)
    totals = summary["totals"]
    assert summary["receipts"] == 2 == ballots.count() == totals["online"]
    assert totals["cast"] == totals["online"] + totals["paper"] == box.eligible_count == summary["present"]
    assert totals["for"] + totals["against"] + totals["abstain"] + totals["invalid"] == totals["cast"]
    assert not any(f.name in ("member", "user", "voter") for f in Ballot._meta.get_fields())
    target.refresh_from_db()
    assert target.status == Status.EXEMPT == summary["status_change"]["status"]
    assert Rule.objects.filter(key="meeting.min_minutes").count() == versions + 1
