"""Reads from a real PostgreSQL streaming replica (``core/replicas.py``): the test starts a primary of its own
(initdb), a replica of it (pg_basebackup, streaming), loads a small demo organization into the primary and drives the
product through its API in a separate process configured with DATABASE_URL and DATABASE_REPLICA_URLS:

- a page read goes to the replica; a write goes to the primary;
- a client that just wrote reads its own write although the replica has not replayed it (replay paused);
- another client reads from the replica meanwhile (it shows the older value), and once the replica lags more than
  ``CHIBO_REPLICA_MAX_LAG_BYTES`` nobody reads from it;
- with the replica stopped, every read goes to the primary and the pages answer as usual.

Runs in the PostgreSQL pass of ``make test`` (it needs Debian's PostgreSQL server programs).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
ROOT = Path(__file__).resolve().parents[4]


def _bindir() -> Path:
    found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
    return Path(found)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A PostgreSQL server in a directory of its own, run as the postgres user when the tests run as root."""

    def __init__(self, base: Path, name: str):
        self.dir, self.port, self.bin = base / name, _free_port(), _bindir()

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(a) for a in args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> None:
        self.run(self.bin / "pg_ctl", "-D", self.dir, "-w", "-t", "60", "-l", self.dir / "server.log", "-o",
                 f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c jit=off", "start")

    def stop(self) -> None:
        self.run(self.bin / "pg_ctl", "-D", self.dir, "-w", "-m", "immediate", "stop", check=False)

    def url(self, db: str = "chibo") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"


@pytest.fixture(scope="module")
def servers():
    base = Path(tempfile.mkdtemp(prefix="chibo-replica-"))  # not under pytest's directories: the server's user
    if os.geteuid() == 0:                                    # must reach it
        shutil.chown(base, "postgres")
    primary, replica = Cluster(base, "primary"), None
    primary.run(primary.bin / "initdb", "-D", primary.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                "--locale=C.UTF-8")
    with open(primary.dir / "pg_hba.conf", "a") as hba:  # the replica connects for replication over loopback
        hba.write("host replication postgres 127.0.0.1/32 trust\n")
    primary.start()
    try:
        replica = Cluster(base, "replica")  # its port is chosen while the primary holds its own: never the same
        primary.run(primary.bin / "createdb", "-h", "127.0.0.1", "-p", primary.port, "-U", "postgres", "chibo")
        replica.run(primary.bin / "pg_basebackup", "-h", "127.0.0.1", "-p", primary.port, "-U", "postgres", "-D",
                    replica.dir, "-R", "-X", "stream", "-c", "fast")
        replica.start()
        yield primary, replica
    finally:
        if replica is not None:
            replica.stop()
        primary.stop()
        shutil.rmtree(base, ignore_errors=True)


def _product(primary: Cluster, replica: Cluster, *args: str) -> dict:
    env = {**os.environ, "CHIBO_ENV": "test", "DATABASE_URL": primary.url(), "PYTHONPATH": str(ROOT / "src"),
           "DATABASE_REPLICA_URLS": replica.url()}
    env.pop("CHIBO_TEST_DB_NAME", None)
    done = subprocess.run([sys.executable, __file__, *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_wal_position_from_a_cookie_is_read_strictly():
    from chibo.core.replicas import lsn_value

    assert lsn_value("16/B374D848") == (0x16 << 32) + 0xB374D848
    assert lsn_value("0/365f3d8") == 0x365F3D8
    for hostile in ("", None, "1/2/3", "x/1", "0/1; DROP TABLE", "123456789/1", " 0/1", "0/"):
        assert lsn_value(hostile) is None


@pytest.mark.skipif(not ON_POSTGRES, reason="the PostgreSQL pass starts a primary and a replica")
def test_reads_go_to_the_replica_and_each_client_reads_its_own_writes(servers):
    primary, replica = servers
    live = _product(primary, replica, "live")
    assert live["page_from_replica"] and live["page_status"] == 200
    assert live["write_status"] == 200 and live["cookie"]
    assert live["writer_reads"] == "Thanh tra viên" and not live["writer_read_from_replica"]
    assert live["other_reads"] == live["before"] != "Thanh tra viên" and live["other_read_from_replica"]
    assert live["lagging_reads"] == "Thanh tra viên" and not live["lagging_read_from_replica"]
    assert live["after_replay"] == "Thanh tra viên" and live["after_replay_from_replica"]

    replica.stop()
    down = _product(primary, replica, "down")
    assert down["page_status"] == 200 and down["reads"] == "Thanh tra viên" and down["seconds"] < 5


# -- the product's side, in a process of its own ---------------------------------------------------------------------
def _wait(condition, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the replica did not catch up")
        time.sleep(0.1)


def _probe(phase: str) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from chibo.accounts.models import User
    from chibo.core import replicas
    from chibo.members.models import Member

    def replayed() -> bool:
        with connections["replica_1"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn()::text")
            there = replicas.lsn_value(cursor.fetchone()[0]) or 0
        return there >= (replicas.lsn_value(replicas.primary_position()) or 0)

    def read(client: Client, member: Member) -> tuple[str, bool]:
        replicas.forget()
        with CaptureQueriesContext(connections["replica_1"]) as there:
            answer = client.get(f"/api/v1/members/{member.pk}/")
        assert answer.status_code == 200, answer.status_code
        return answer.json()["job_title"], any("members_member" in q["sql"] for q in there.captured_queries)

    def officer() -> Client:
        client = Client()
        client.force_login(User.objects.get(username="ban.tochuc"))
        return client

    if phase == "down":
        member = Member.objects.filter(job_title="Thanh tra viên").get()
        start = time.monotonic()
        replicas.forget()
        answer = officer().get(f"/api/v1/members/{member.pk}/")
        page = officer().get("/members/")
        return {"reads": answer.json()["job_title"], "page_status": page.status_code,
                "seconds": time.monotonic() - start}

    call_command("migrate", verbosity=0)
    from chibo.demo.builder import build_demo

    build_demo(seed=7, members=40)
    member = Member.objects.filter(unit__parent__isnull=False).order_by("pk").first()
    assert member is not None
    _wait(replayed)
    writer, other = officer(), officer()
    result: dict = {"before": read(other, member)[0]}
    with CaptureQueriesContext(connections["replica_1"]) as there:
        replicas.forget()
        page = writer.get("/members/")
    result["page_status"] = page.status_code
    result["page_from_replica"] = any("members_member" in q["sql"] for q in there.captured_queries)

    with connections["replica_1"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    member.refresh_from_db()
    wrote = writer.patch(f"/api/v1/members/{member.pk}/", {"version": member.version, "job_title": "Thanh tra viên"},
                         content_type="application/json")
    result["write_status"] = wrote.status_code
    result["cookie"] = wrote.cookies.get(replicas.COOKIE).value if replicas.COOKIE in wrote.cookies else ""
    result["writer_reads"], result["writer_read_from_replica"] = read(writer, member)
    result["other_reads"], result["other_read_from_replica"] = read(other, member)
    with override_settings(CHIBO_REPLICA_MAX_LAG_BYTES=0):
        result["lagging_reads"], result["lagging_read_from_replica"] = read(other, member)
    with connections["replica_1"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    _wait(replayed)
    result["after_replay"], result["after_replay_from_replica"] = read(other, member)
    return result


if __name__ == "__main__":
    print(json.dumps(_probe(sys.argv[1])))
