"""The simulated users of the load test (`bench/load_test.py` runs this; not meant to be run by hand): accounts and
signed-in sessions made server-side on a throw-away database, written as JSON for the locust file.

`.venv/bin/python bench/load_sessions.py OUT.json MEMBERS SECRETARIES OFFICERS` with DJANGO_SETTINGS_MODULE and
DATABASE_URL of the throw-away database. Each simulated user gets an account of their own (the API throttles per
account, and a real organization's users are distinct people), TOTP enrolled as every account must have, and a session
made with Django's own login machinery (`Client.force_login`, as the suite's `client_of` does: the MFA gate of the
pages then accepts it), plus a CSRF secret of its own for the pages' and the API's POSTs. The demo personas
(dangvien.phap, bithu.phap, bithu.duc, ban.tochuc) are among them; the others are:

- members: active members picked at random over the whole tree, each with an account of their own;
- secretaries: a member of a cell of the national data (30 to 300 members) holding the secretary role of that cell,
  with a meeting planned in it for the attendance they record;
- officers: organization officers, a third of them of the upper committee (the whole tree, as ban.tochuc), the others
  of a grassroots committee (a mid-size unit).

Before writing, one user of each kind opens each page of its journey through the test client: a page that does not
answer 200 stops the run here.
"""

from __future__ import annotations

import json
import os
import random
import sys
from datetime import date, time, timedelta
from urllib.parse import quote_plus

import django

MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # throw-away accounts that never sign in with a password


def main() -> None:
    out, n_members, n_secretaries, n_officers = sys.argv[1], *map(int, sys.argv[2:5])
    writers = int(sys.argv[sys.argv.index("--writers") + 1]) if "--writers" in sys.argv else 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")
    django.setup()
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=MD5):
        users = build_writers(writers) if writers else build(n_members, n_secretaries, n_officers)
    if not writers:
        smoke(users)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(users, fh)
    print(f"users: {sum(len(v) for v in users.values())} "
          + ", ".join(f"{k} {len(v)}" for k, v in users.items()), flush=True)


def _system():
    from chibo.core.access import Actor, Grant, Role
    from chibo.units.models import Unit

    root = Unit.objects.get(parent__isnull=True)
    return root, Actor(user=None, grants=(Grant(Role.ORG_OFFICER, root.pk, root.path),), label="load test")


def _account(system, username: str, member=None):
    from chibo.accounts import services as account_services
    from chibo.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        user = account_services.user_create(actor=system, username=username, password="load-test-only-0",
                                            member=member, email=f"{username}@example.org",
                                            full_name="" if member else f"Cán bộ {username}")
        account_services.totp_enrol(actor=system, user=user)
    return user


def build_writers(n: int) -> dict:
    """The SQLite writers: each the secretary of a cell of the demo organization (the largest cells first; when
    there are fewer cells than writers, the writers of one cell share its meeting and split its members, so that no
    two writers edit the same record)."""
    from django.db import transaction
    from django.db.models import Count, Q

    from chibo.accounts import services as account_services
    from chibo.accounts.models import User
    from chibo.core.access import Role
    from chibo.members.enums import Status
    from chibo.units.models import Unit

    root, system = _system()
    active = [Status.FULL, Status.PROBATIONARY]
    cells = list(Unit.objects.filter(kind__in=["grassroots_cell", "subordinate_cell"], closed_on__isnull=True)
                 .annotate(n=Count("members", filter=Q(members__status__in=active))).filter(n__gte=4)
                 .order_by("-n", "pk")[:n])
    taken = set(User.objects.exclude(member__isnull=True).values_list("member_id", flat=True))
    writers = []
    with transaction.atomic():
        for i in range(n):
            cell = cells[i % len(cells)]
            member = (cell.members.filter(status__in=active).exclude(pk__in=taken).order_by("pk")[i // len(cells)])
            user = _account(system, f"load.writer{i}", member)
            if not user.roles.exists():
                account_services.staff_role_for_demo(actor=system, user=user, role=Role.SECRETARY, unit=cell,
                                                     starts_on=root.opened_on)
            writers.append((user, cell))
    rng = random.Random(2026)
    out = []
    for i, (user, cell) in enumerate(writers):
        entry = secretary_entry(User.objects.get(pk=user.pk), cell, cell, rng)
        share = sum(1 for _u, c in writers if c.pk == cell.pk)
        entry["roll"] = entry["roll"][i // len(cells)::share]
        out.append(entry)
    return {"writers": out}


def build(n_members: int, n_secretaries: int, n_officers: int) -> dict:
    from django.db import transaction
    from django.db.models import Count, Q

    from chibo.accounts import services as account_services
    from chibo.accounts.models import User
    from chibo.core.access import Role
    from chibo.members.enums import Status
    from chibo.members.models import Member
    from chibo.units.models import Unit

    rng = random.Random(2026)
    root, system = _system()
    ACTIVE = [Status.FULL, Status.PROBATIONARY]  # noqa: N806
    active = Q(status__in=ACTIVE)
    taken = set(User.objects.exclude(member__isnull=True).values_list("member_id", flat=True))
    day = root.opened_on

    def account(username: str, member=None) -> User:
        return _account(system, username, member)

    def persona(name: str) -> User:
        return User.objects.get(username=name)

    with transaction.atomic():
        # Members: the demo's member, then members picked over the whole tree.
        ids = list(Member.objects.filter(active).exclude(pk__in=taken).order_by("?").values_list("pk", flat=True)
                   [:n_members])
        member_users = [persona("dangvien.phap")]
        for i, pk in enumerate(ids[:n_members - 1]):
            member_users.append(account(f"load.member{i}", Member.objects.get(pk=pk)))

        # Secretaries: bithu.phap and bithu.duc, then the secretary of a national cell of 30 to 300 members.
        cells = list(Unit.objects.filter(kind__in=["grassroots_cell", "subordinate_cell"], closed_on__isnull=True,
                                         code__startswith="TQ")
                     .annotate(n=Count("members", filter=Q(members__status__in=ACTIVE))).filter(n__gte=30, n__lte=300)
                     .order_by("?")[:n_secretaries])
        secretaries = []
        for name, code in (("bithu.phap", "PHAP"), ("bithu.duc", "DUC")):
            unit = Unit.objects.get(code=code)
            cell = (Unit.objects.filter(path__startswith=unit.path)
                    .annotate(n=Count("members", filter=Q(members__status__in=ACTIVE))).order_by("-n").first())
            secretaries.append((persona(name), unit, cell))
        for i, cell in enumerate(cells[:n_secretaries - 2]):
            member = Member.objects.filter(active, unit=cell).exclude(pk__in=taken).order_by("pk").first()
            user = account(f"load.secretary{i}", member)
            if user.roles.exists():  # made by an earlier run on this database
                cell = user.roles.get().unit
            else:
                account_services.staff_role_for_demo(actor=system, user=user, role=Role.SECRETARY, unit=cell,
                                                     starts_on=day)
            secretaries.append((user, cell, cell))

        # Officers: ban.tochuc and others of the upper committee (a third), then officers of grassroots committees.
        committees = list(Unit.objects.filter(kind="grassroots_committee", closed_on__isnull=True,
                                              code__startswith="TQ").order_by("?")[:n_officers])
        officers = [(persona("ban.tochuc"), root)]
        for i in range(n_officers - 1):
            unit = root if i < n_officers // 3 - 1 else committees[i % len(committees)]
            user = account(f"load.officer{i}", None)
            if user.roles.exists():  # made by an earlier run on this database
                unit = user.roles.get().unit
            else:
                account_services.staff_role_for_demo(actor=system, user=user, role=Role.ORG_OFFICER, unit=unit,
                                                     starts_on=day)
            officers.append((user, unit))

    return {"members": [member_entry(u) for u in member_users],
            "secretaries": [secretary_entry(u, unit, cell, rng) for u, unit, cell in secretaries],
            "officers": [officer_entry(u, unit, committees, rng) for u, unit in officers]}


def session(user) -> dict:
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    client = Client()
    client.force_login(user)
    from django.conf import settings

    return {"username": user.username, "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "session_cookie": settings.SESSION_COOKIE_NAME, "csrf_cookie": settings.CSRF_COOKIE_NAME,
            "csrf": _get_new_csrf_string()}


def member_entry(user) -> dict:
    return {**session(user), "member": user.member_id}


def secretary_entry(user, unit, cell, rng: random.Random) -> dict:
    """``unit``: the secretary's unit (their member list); ``cell``: where the meeting is held (the same for a cell's
    secretary; for an organization's, its largest cell)."""
    from chibo.core.access import actor_from_user
    from chibo.meetings import services
    from chibo.meetings.models import Meeting, MeetingState, MinutesState
    from chibo.meetings.rules import attendance_roll
    from chibo.members.models import Member

    meeting = (Meeting.objects.filter(unit=cell, state__in=[MeetingState.PLANNED, MeetingState.OPEN],
                                      minutes_state=MinutesState.NONE).order_by("pk").first()
)
    if meeting is None:
        fresh = type(user).objects.get(pk=user.pk)  # the actor reads the roles granted since the account was made
        meeting = services.meeting_plan(actor=actor_from_user(fresh), unit=cell, kind="regular",
                                        title="Sinh hoạt chi bộ thường kỳ (thử tải)",
                                        day=date.today() + timedelta(days=7), time=time(19, 0), planned_minutes=120,
                                        place="Phòng họp")
    roll = [m.pk for m in attendance_roll(meeting)][:200]
    names = list(Member.objects.filter(pk__in=roll).values_list("full_name", flat=True))
    return {**session(user), "unit": unit.pk, "meeting": meeting.pk, "roll": roll,
            "names": [" ".join(n.split()[-2:]) for n in rng.sample(names, min(10, len(names)))]}


def officer_entry(user, unit, committees, rng: random.Random) -> dict:
    from chibo.members.models import Member

    mid = unit.pk if unit.parent_id is not None else rng.choice(committees).pk
    names = list(Member.objects.filter(unit__path__startswith=unit.path).order_by("?")
                 .values_list("full_name", flat=True)[:10])
    return {**session(user), "unit": unit.pk, "stats_unit": mid, "names": names}


def member_pages(who: dict, rng: random.Random) -> list[tuple[str, str]]:
    """A member reading their own pages (name, URL), in the order of a visit."""
    return [("member: home", "/"), ("member: my record", f"/members/{who['member']}/"),
            ("member: my dues", f"/dues/members/{who['member']}/"), ("member: documents", "/library/"),
            ("member: notifications", "/notifications/")]


def secretary_pages(who: dict, rng: random.Random) -> list[tuple[str, str]]:
    """A secretary's reads: the cell's members, a search by name, the meetings and the meeting to be held."""
    return [("secretary: home", "/"), ("secretary: member list of the cell", f"/members/?unit={who['unit']}"),
            ("secretary: search by name", "/members/?q=" + quote_plus(rng.choice(who["names"]))),
            ("secretary: meetings", "/meetings/"), ("secretary: meeting page", f"/meetings/{who['meeting']}/")]


def officer_pages(who: dict, rng: random.Random) -> list[tuple[str, str]]:
    """An officer's dashboard, deadline radar, reports board and roll-up of their level, the statistics of a
    mid-size unit and a search across their tree."""
    return [("officer: dashboard", "/"), ("officer: deadlines radar", "/deadlines/"),
            ("officer: reports board", f"/reports/board/?unit={who['unit']}"),
            ("officer: reports roll-up", f"/reports/rollup/?unit={who['unit']}"),
            ("officer: statistics of a mid-size unit", f"/stats/?unit={who['stats_unit']}"),
            ("officer: search across the tree", "/members/?q=" + quote_plus(rng.choice(who["names"])))]


def smoke(users: dict) -> None:
    """The first user of each kind opens every page of its journey: each must answer 200."""
    from django.conf import settings
    from django.test import Client

    for kind, pages in (("members", member_pages), ("secretaries", secretary_pages), ("officers", officer_pages)):
        for who in users[kind][:2]:
            client = Client()
            client.cookies[settings.SESSION_COOKIE_NAME] = who["session"]
            for name, url in pages(who, random.Random(1)):
                code = client.get(url).status_code
                print(f"  smoke {who['username']:<20} {name:<32} {url} {code}", flush=True)
                if code != 200:
                    raise SystemExit(f"{url} answered {code} for {who['username']}")


if __name__ == "__main__":
    main()
