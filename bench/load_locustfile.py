"""The journeys of the load test, for locust (`bench/load_test.py` runs it; not meant to be run by hand).

Environment: LOAD_USERS (the JSON `load_sessions.py` wrote: one signed-in session per simulated user), LOAD_THINK
(`min,max` seconds a user reads a page before the next; `0,0` for the capacity runs). User classes, picked on the
command line: MemberUser, SecretaryUser and OfficerUser (weights 60, 25, 15), HealthUser (the trivial view
`/healthz`, the baseline), WriterUser (the SQLite writers: attendance, a member's record edited through the API with
its version, notifications marked read, back to back).

Every request is checked: a page must answer 200 (redirects are not followed: one to the sign-in page would hide
an expired session), a form POST 302 to the meeting's page, an API write 200. Anything else is a failure, and the
first bytes of the answer are kept in the failure's message.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
from http.cookiejar import Cookie
from pathlib import Path

import gevent
from locust import task
from locust.contrib.fasthttp import FastHttpUser

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_sessions import member_pages, officer_pages, secretary_pages  # noqa: E402  (django is not imported)

USERS = json.loads(Path(os.environ["LOAD_USERS"]).read_text(encoding="utf-8")) if os.environ.get("LOAD_USERS") else {}
THINK = tuple(float(x) for x in os.environ.get("LOAD_THINK", "2,8").split(","))
NEXT = {kind: itertools.count() for kind in ("members", "secretaries", "officers", "writers")}
PRESENCE = ("in_person", "online")


def cookie(name: str, value: str) -> Cookie:
    return Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, True, None, None, {})


class Journey(FastHttpUser):
    abstract = True
    kind = ""
    network_timeout = 60.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        pool = USERS[self.kind]
        self.who = pool[next(NEXT[self.kind]) % len(pool)]
        self.rng = random.Random()
        self.client.cookiejar.set_cookie(cookie(self.who["session_cookie"], self.who["session"]))
        self.client.cookiejar.set_cookie(cookie(self.who["csrf_cookie"], self.who["csrf"]))

    def think(self) -> None:
        if THINK[1] > 0:
            gevent.sleep(self.rng.uniform(*THINK))

    def page(self, name: str, url: str) -> None:
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {(r.text or '')[:200]!r}")

    def walk(self, pages) -> None:
        for name, url in pages:
            self.page(name, url)
            self.think()

    def attendance_page(self, name: str = "secretary: record attendance (form POST)") -> None:
        who = self.who
        data = {"csrfmiddlewaretoken": who["csrf"], "action": "attendance", "member": self.rng.choice(who["roll"]),
                "presence": self.rng.choice(PRESENCE)}
        with self.client.post(f"/meetings/{who['meeting']}/act/", data=data, name=name, allow_redirects=False,
                              catch_response=True) as r:
            if r.status_code != 302 or f"/meetings/{who['meeting']}/" not in r.headers.get("Location", ""):
                r.failure(f"{r.status_code} {r.headers.get('Location')} {(r.text or '')[:200]!r}")

    def attendance_api(self, name: str = "secretary: record attendance (API)") -> None:
        who = self.who
        body = {"action": "attendance", "member": self.rng.choice(who["roll"]), "presence": self.rng.choice(PRESENCE)}
        with self.client.post(f"/api/v1/meetings/{who['meeting']}/actions/", json=body, name=name,
                              headers={"X-CSRFToken": who["csrf"]}, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {(r.text or '')[:200]!r}")


class MemberUser(Journey):
    """A member reading their own pages: home, their record, their dues, the documents, their notifications."""

    weight = 60
    kind = "members"

    @task
    def visit(self) -> None:
        self.walk(member_pages(self.who, self.rng))


class SecretaryUser(Journey):
    """A secretary: the cell's list, a search by name, the meetings, the meeting's page, then attendance recorded
    through the page's form or the API (one in two each), and the meeting's page again."""

    weight = 25
    kind = "secretaries"

    @task
    def visit(self) -> None:
        self.walk(secretary_pages(self.who, self.rng))
        for _ in range(3):
            (self.attendance_page if self.rng.random() < 0.5 else self.attendance_api)()
            self.think()
        self.page("secretary: meeting page", f"/meetings/{self.who['meeting']}/")
        self.think()


class OfficerUser(Journey):
    """An officer: dashboard, deadlines radar, reports board and roll-up, statistics of a mid-size unit, a search
    across the tree."""

    weight = 15
    kind = "officers"

    @task
    def visit(self) -> None:
        self.walk(officer_pages(self.who, self.rng))


class HealthUser(FastHttpUser):
    """The trivial view, same users and setup: the baseline of throughput."""

    network_timeout = 60.0
    connection_timeout = 10.0

    def think(self) -> None:
        if THINK[1] > 0:
            gevent.sleep(random.uniform(*THINK))

    @task
    def health(self) -> None:
        with self.client.get("/healthz", name="trivial view /healthz", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
        self.think()


class WriterUser(Journey):
    """A writer on SQLite: the writes users make, back to back (or with LOAD_THINK): attendance through the form and
    the API, a member of their cell edited through the API with the version read just before, notifications marked
    read."""

    kind = "writers"

    @task
    def write(self) -> None:
        who = self.who
        self.attendance_page("writer: attendance (form POST)")
        self.think()
        self.attendance_api("writer: attendance (API)")
        self.think()
        pk = self.rng.choice(who["roll"])
        with self.client.get(f"/api/v1/members/{pk}/", name="writer: member read (API)", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {(r.text or '')[:200]!r}")
                return
            version = r.json()["version"]
        body = {"version": version, "workplace": f"Cơ quan đại diện, phòng {self.rng.randint(1, 999)}"}
        with self.client.patch(f"/api/v1/members/{pk}/", json=body, name="writer: member edit (API PATCH)",
                               headers={"X-CSRFToken": who["csrf"]}, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {(r.text or '')[:200]!r}")
        self.think()
        with self.client.post("/notifications/read/", data={"csrfmiddlewaretoken": who["csrf"]},
                              name="writer: notifications marked read (form POST)", allow_redirects=False,
                              catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"{r.status_code} {(r.text or '')[:200]!r}")
        self.think()
