"""Access follows the organization: a member who leaves the rolls loses it at once (sessions and tokens
answer 401), a committee post's role ends with the term, each person sees their roles, sessions and tokens,
the weekly review reaches the officers, and ``chibo setup`` starts an empty install exactly once."""

from __future__ import annotations

import io
import os
import re
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from chibo.accounts.models import ApiToken, Invitation, RoleAssignment, User
from chibo.accounts.services import token_create
from chibo.core.access import SYSTEM
from chibo.core.models import AuditEvent
from chibo.members.models import CommitteePost, Member
from chibo.notifications.models import Notification

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_a_member_struck_off_loses_access_at_once(client_of, personas):
    user = personas["dangvien.phap"]
    session = client_of("dangvien.phap")
    token = Client(headers={"authorization": f"Token {token_create(actor=SYSTEM, user=user)}"})
    assert session.get("/api/v1/me/").status_code == 200
    assert token.get("/api/v1/me/").status_code == 200
    assert session.get("/members/me/").status_code == 302  # to the member's own record

    today = timezone.localdate()
    answer = post(client_of("bithu.phap"), f"/api/v1/members/{user.member_id}/status/", {
        "status": "struck_off", "effective_on": today.isoformat(), "document": "7-QĐ/CB",
        "reason": "Bỏ sinh hoạt ba tháng liền không có lý do"})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "struck_off"

    assert session.get("/api/v1/me/").status_code == 401
    assert token.get("/api/v1/me/").status_code == 401
    page = session.get("/members/me/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    user.refresh_from_db()
    assert not user.is_active and user.deactivated_at is not None and not user.has_usable_password()
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert not RoleAssignment.objects.filter(user=user, revoked_at__isnull=True).exists()
    event = AuditEvent.objects.filter(action="account.deactivated", object_id=str(user.pk)).get()
    assert event.data["tokens"] == 1 and "dangvien.phap" not in str(event.data)  # by id: object_id, no name
    # Signing in again is refused, with the password that used to work.
    from chibo.demo.builder import DEMO_PASSWORD

    login = Client().post("/accounts/login/", {"login": "dangvien.phap", "password": DEMO_PASSWORD})
    assert login.status_code == 200 and "_auth_user_id" not in login.wsgi_request.session


def test_a_status_change_the_member_may_not_take_is_refused_and_writes_nothing(client_of, personas):
    member = personas["dangvien.phap"].member
    secretary = client_of("bithu.phap")
    before = (Member.objects.get(pk=member.pk).status, AuditEvent.objects.count())
    options = secretary.get(f"/api/v1/members/{member.pk}/status/").json()
    assert options["status"] == "full" and "probationary" not in options["next_statuses"]
    bad = post(secretary, f"/api/v1/members/{member.pk}/status/", {
        "status": "probationary", "effective_on": "2026-01-01", "document": "1", "reason": "x"})
    assert bad.status_code == 400 and "status" in bad.json()
    unknown = post(secretary, f"/api/v1/members/{member.pk}/status/", {
        "status": "exempt", "effective_on": "2026-01-01", "document": "1", "reason": "x", "is_active": False})
    assert unknown.status_code == 400 and "is_active" in unknown.json()
    assert (Member.objects.get(pk=member.pk).status, AuditEvent.objects.count()) == before


def test_a_post_grants_its_role_and_the_end_of_the_term_withdraws_it(client_of, personas, unit):
    cell = unit("PHAP-DSQ")
    user = personas["dangvien.phap"]
    officer = client_of("ban.tochuc")
    today = timezone.localdate()
    appointed = post(officer, f"/api/v1/units/{cell.pk}/posts/", {
        "member": user.member_id, "role": "committee_member", "from_date": today.isoformat(),
        "decision_no": "15-QĐ/ĐUBNG", "decision_date": today.isoformat()})
    assert appointed.status_code == 201, appointed.json()
    post_id = appointed.json()["id"]
    role = RoleAssignment.objects.get(user=user, source=f"post:{post_id}")
    assert (role.role, role.unit_id, role.starts_on, role.ends_on) == ("committee", cell.pk, today, None)
    assert post_id in [p["id"] for p in officer.get(f"/api/v1/units/{cell.pk}/posts/").json()]
    # The member now sees the committee's pages of the cell.
    assert client_of("dangvien.phap").get(f"/api/v1/units/{cell.pk}/").status_code == 200

    # A role that follows a post is withdrawn by ending the term, not by hand.
    by_hand = post(officer, f"/api/v1/roles/{role.pk}/withdraw/", {"reason": "Thử"})
    assert by_hand.status_code == 400

    ended = post(officer, f"/api/v1/posts/{post_id}/end/", {"to_date": today.isoformat(), "reason": "Về nước"})
    assert ended.status_code == 200 and ended.json()["to_date"] == today.isoformat()
    role.refresh_from_db()
    assert role.ends_on == today and role.in_force_on(today) and not role.in_force_on(today + timedelta(days=1))
    assert AuditEvent.objects.filter(action="role.withdrawn", object_id=str(role.pk)).exists()
    assert not CommitteePost.objects.filter(pk=post_id, to_date__isnull=True).exists()
    # Germany's secretary may not touch a French post; the member may not appoint.
    assert post(client_of("bithu.duc"), f"/api/v1/posts/{post_id}/end/", {
        "to_date": today.isoformat(), "reason": "x"}).status_code == 404
    assert post(client_of("dangvien.phap"), f"/api/v1/units/{cell.pk}/posts/", {
        "member": user.member_id, "role": "secretary", "from_date": today.isoformat(),
        "decision_no": "1", "decision_date": today.isoformat()}).status_code == 403


def test_the_account_page_shows_roles_sessions_and_tokens(client_of):
    client = client_of("bithu.phap")
    made = client.post("/account/tokens/", {"label": "Máy tính bảng chi bộ"})
    assert made.status_code == 200
    secret = re.search(r"[A-Za-z0-9_-]{40,}", made.content.decode())
    assert secret, "the new token is shown once"
    page = client.get("/account/").content.decode()
    assert "Máy tính bảng chi bộ" in page and "Bí thư" in page
    assert secret.group(0) not in page  # shown once only
    mine = client.get("/api/v1/me/").json()
    assert {r["role"] for r in mine["roles"]} >= {"secretary"}
    tokens = client.get("/api/v1/me/tokens/").json()
    token = next(t for t in tokens if t["label"] == "Máy tính bảng chi bộ")
    assert post(client, f"/api/v1/me/tokens/{token['id']}/revoke/", {}).status_code == 200
    assert Client(headers={"authorization": f"Token {secret.group(0)}"}).get("/api/v1/me/").status_code == 401


def test_the_weekly_account_review_reaches_the_officers_once_a_week(client_of, personas):
    stale = personas["ub.kiemtra"]
    User.objects.filter(pk=stale.pk).update(last_login=timezone.now() - timedelta(days=200))
    day = timezone.localdate()
    call_command("reminders", "--today", day.strftime("%d/%m/%Y"), stdout=open(os.devnull, "w"))
    notes = Notification.objects.filter(user=personas["ban.tochuc"], url="/users/review/")
    assert notes.count() == 1
    assert "Không đăng nhập từ 90 ngày: 1" in notes.get().body
    call_command("reminders", "--today", day.strftime("%d/%m/%Y"), stdout=open(os.devnull, "w"))
    assert notes.count() == 1  # once per week
    review = client_of("ban.tochuc").get("/api/v1/accounts/review/").json()
    assert stale.pk in [a["id"] for a in review["unused"]]
    assert client_of("bithu.phap").get("/api/v1/accounts/review/").status_code == 403


def test_chibo_setup_starts_an_empty_install_once(tmp_path: Path):
    """A real empty install: migrate and ``chibo setup`` in their own processes, on their own database."""
    env = {**os.environ, "CHIBO_ENV": "dev", "CHIBO_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    chibo = [sys.executable, "-m", "chibo.cli"]
    subprocess.run([*chibo, "migrate", "--no-input", "-v", "0"], env=env, check=True, timeout=300)
    args = ["setup", "--no-input", "--unit-name", "Đảng ủy Bộ Ngoại giao", "--unit-code", "DUBNG",
            "--name", "Nguyễn Thị Lan", "--email", "lan@example.org"]
    first = subprocess.run([*chibo, *args], env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "Sign-in name: nguyen.thi.lan" in first.stdout
    link = re.search(r"/account/activate/([A-Za-z0-9_-]+)/", first.stdout)
    assert link, first.stdout
    again = subprocess.run([*chibo, *args], env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode != 0 and "runs once" in again.stderr
    missing = subprocess.run([*chibo, "setup", "--no-input", "--unit-name", "X"], env=env, capture_output=True,
                             text=True, timeout=120)
    assert missing.returncode != 0
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert db.execute("select count(*) from units_unit").fetchone() == (1,)
        assert db.execute("select username, is_active from accounts_user").fetchall() == [("nguyen.thi.lan", 0)]
        roles = db.execute("select role, unit_id from accounts_roleassignment").fetchall()
        assert roles == [("org_officer", db.execute("select id from units_unit").fetchone()[0])]
        assert db.execute("select count(*) from accounts_invitation where used_at is null").fetchone() == (1,)
        # The link is stored only as a digest.
        assert link.group(1) not in str(db.execute("select * from accounts_invitation").fetchall())


def test_an_invitation_link_from_setup_activates_the_first_officer(empty_install, mailoutbox):
    """On an empty database, the command's link opens the activation page, sets the password and sends the
    officer to enrol a second factor."""
    out = io.StringIO()
    call_command("setup", "--no-input", "--unit-name", "Đảng ủy Bộ Ngoại giao", "--unit-code", "DUBNG",
       "--name", "Nguyễn Thị Lan", stdout=out)
    path = re.search(r"(/account/activate/[A-Za-z0-9_-]+/)", out.getvalue()).group(1)
    client = Client()
    assert client.get(path).status_code == 200
    weak = client.post(path, {"password": "matkhau123", "password2": "matkhau123"})
    assert weak.status_code == 400 and not User.objects.get(username="nguyen.thi.lan").is_active
    done = client.post(path, {"password": "trăng rằm soi bóng cửa sổ phía tây",
                              "password2": "trăng rằm soi bóng cửa sổ phía tây"})
    assert done.status_code == 302
    gate = client.get(done["Location"])
    assert gate.status_code == 302 and "/accounts/2fa/" in gate["Location"]  # a second factor before anything
    assert User.objects.get(username="nguyen.thi.lan").is_active
    assert Client().get(path).status_code == 410  # used once
    assert Invitation.objects.filter(used_at__isnull=False).count() == 1
    assert not Member.objects.exists()  # no member record is made for a staff officer


def test_the_accounts_command_acts_within_the_users_scope(personas, mailoutbox):
    def chibo(*args) -> str:
        out = io.StringIO()
        call_command("accounts", *args, stdout=out)
        return out.getvalue()

    invited = chibo("--user", "ban.tochuc", "invite-staff", "--name", "Đỗ Minh Khoa", "--email", "khoa@example.org",
                    "--role", "inspector", "--unit", "PHAP")
    assert "do.minh.khoa" in invited
    assert "do.minh.khoa\tĐỗ Minh Khoa\tstaff\tPHAP\tinvited" in chibo("--user", "ban.tochuc", "list", "--state",
                                                                        "invited")
    assert "Sent again" in chibo("--user", "ban.tochuc", "resend", "do.minh.khoa")
    assert "Invitation revoked" in chibo("--user", "ban.tochuc", "revoke", "do.minh.khoa")
    # France's secretary neither sees Germany's accounts nor grants officer roles.
    assert "bithu.duc" not in chibo("--user", "bithu.phap", "list")
    with pytest.raises(CommandError, match="may not"):
        chibo("--user", "bithu.phap", "grant", "dangvien.phap", "inspector", "PHAP")
    before = RoleAssignment.objects.count()
    with pytest.raises(CommandError, match="No account"):
        chibo("--user", "bithu.duc", "deactivate", "dangvien.phap", "--reason", "x")
    assert RoleAssignment.objects.count() == before
    granted = chibo("--user", "ban.tochuc", "grant", "ub.kiemtra", "org_officer", "PHAP")
    role_id = re.search(r"Role (\d+):", granted).group(1)
    assert "Role withdrawn" in chibo("--user", "ban.tochuc", "withdraw", role_id, "--reason", "Hết nhiệm vụ")
    assert "whole-tree roles" in chibo("--user", "ban.tochuc", "review")


def test_a_password_reset_for_an_unknown_address_sends_nothing(mailoutbox):
    answer = Client().post("/accounts/password/reset/", {"email": "nobody-here@example.org"})
    assert answer.status_code in (200, 302)
    assert mailoutbox == []
    assert "signup" not in Client().get("/accounts/login/").content.decode()


def test_an_officer_signs_a_person_out_everywhere(client_of, personas):
    user = personas["dangvien.phap"]
    phone, laptop = client_of("dangvien.phap"), client_of("dangvien.phap")
    from allauth.usersessions.models import UserSession

    for c in (phone, laptop):
        assert c.get("/api/v1/me/").status_code == 200
        UserSession.objects.get_or_create(user=user, session_key=c.session.session_key,
                                          defaults={"ip": "192.0.2.1", "user_agent": "test"})
    answer = client_of("bithu.phap").post(f"/api/v1/accounts/{user.pk}/end-sessions/")
    assert answer.status_code == 200
    assert phone.get("/api/v1/me/").status_code == 401 and laptop.get("/api/v1/me/").status_code == 401
    assert AuditEvent.objects.filter(action="account.sessions_ended", object_id=str(user.pk)).exists()
    assert client_of("bithu.duc").post(f"/api/v1/accounts/{user.pk}/end-sessions/").status_code == 404
