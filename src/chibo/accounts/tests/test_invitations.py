"""Invitations and activation, driven through the API and the pages: an officer invites, the link goes
out by e-mail through the outbox (never stored in clear, never in the delivery log), the person sets a
password that the checks accept and must enrol a second factor before seeing anything; links expire,
are used once, can be resent and revoked; every refusal writes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from chibo.accounts.models import Invitation, RoleAssignment, User
from chibo.core.models import AuditEvent
from chibo.members.models import ACTIVE_STATUSES, Member, Status
from chibo.notifications.models import Message
from chibo.notifications.tasks import deliver_now

pytestmark = pytest.mark.django_db
STRONG = "trăng rằm soi bóng cửa sổ phía tây"
LINK = re.compile(r"http://[^\s]+/account/activate/([A-Za-z0-9_-]+)/")


def api(client, method, url, data=None):
    call = getattr(client, method)
    return call(url, data, content_type="application/json") if data is not None else call(url)


def link_in_mail(mailoutbox, address: str) -> str:
    """Deliver the queued invitation e-mails (the worker's job) and read the link the person receives."""
    for message in Message.objects.filter(kind="account.invitation", state="queued"):
        deliver_now(message.pk)
    mails = [m for m in mailoutbox if address in m.to]
    assert mails, f"no e-mail to {address}"
    found = LINK.search(mails[-1].body)
    assert found, mails[-1].body
    return found.group(0)


def written() -> tuple[int, int, int, int]:
    return (User.objects.count(), Invitation.objects.count(), RoleAssignment.objects.count(),
            Message.objects.count())


def test_a_staff_officer_is_invited_activates_and_must_enrol_a_second_factor(client_of, unit, mailoutbox):
    officer = client_of("ban.tochuc")
    phap = unit("PHAP")
    response = api(officer, "post", "/api/v1/accounts/", {"full_name": "Đỗ Minh Khoa", "email": "khoa@example.org",
                                                          "role": "inspector", "unit": phap.pk})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "invited" and body["username"] == "do.minh.khoa" and body["home_unit"] == phap.pk
    assert [r["role"] for r in body["roles"]] == ["inspector"]
    user = User.objects.get(pk=body["id"])
    assert not user.is_active and not user.has_usable_password()

    # The link is in the outbox encrypted, in no readable column, and erased once the e-mail is sent.
    message = Message.objects.get(kind="account.invitation", user=user)
    assert "activate" not in message.body and "activate" not in message.url and message.secret_url
    url = link_in_mail(mailoutbox, "khoa@example.org")
    message.refresh_from_db()
    assert message.state == "sent" and message.secret_url == ""
    assert "activate" not in officer.get("/notifications/log/").content.decode()

    visitor = Client()
    page = visitor.get(url)
    assert page.status_code == 200 and "do.minh.khoa" in page.content.decode()
    weak = visitor.post(url, {"password": "Dangvien2026!", "password2": "Dangvien2026!"})
    assert weak.status_code == 400 and "dễ đoán" in weak.content.decode()
    mismatch = visitor.post(url, {"password": STRONG, "password2": STRONG + "x"})
    assert mismatch.status_code == 400
    user.refresh_from_db()
    assert not user.is_active

    done = visitor.post(url, {"password": STRONG, "password2": STRONG})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.is_active and user.activated_at and user.check_password(STRONG)
    # Signed in, but nothing is shown before a second factor is enrolled.
    assert visitor.get("/")["Location"] == "/accounts/2fa/totp/activate/?required=1"
    assert visitor.get("/members/").status_code == 302
    assert AuditEvent.objects.filter(action="account.activated", object_id=str(user.pk)).exists()

    again = Client().get(url)
    assert again.status_code == 410 and "đã được dùng" in again.content.decode()


def test_an_expired_link_is_refused_and_resending_gives_a_new_one(client_of, unit, mailoutbox):
    officer = client_of("ban.tochuc")
    response = api(officer, "post", "/api/v1/accounts/", {"full_name": "Vũ Thị Lan", "email": "lan@example.org",
                                                          "role": "org_officer", "unit": unit("DUC").pk})
    account = response.json()["id"]
    old = link_in_mail(mailoutbox, "lan@example.org")
    Invitation.objects.filter(user_id=account).update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = Client().get(old)
    assert expired.status_code == 410 and "hết hạn" in expired.content.decode()
    assert api(officer, "get", f"/api/v1/accounts/{account}/").json()["state"] == "expired"

    resent = api(officer, "post", f"/api/v1/accounts/{account}/resend/")
    assert resent.status_code == 200 and resent.json()["state"] == "invited"
    assert resent.json()["invitations"][0]["sent_count"] == 2
    new = link_in_mail(mailoutbox, "lan@example.org")
    assert new != old
    assert Client().get(old).status_code == 404  # the old token no longer exists
    assert Client().post(new, {"password": STRONG, "password2": STRONG}).status_code == 302


def test_a_revoked_invitation_cannot_be_used(client_of, unit, mailoutbox):
    officer = client_of("ban.tochuc")
    account = api(officer, "post", "/api/v1/accounts/", {"full_name": "Hồ Văn Nam", "email": "nam@example.org",
                                                         "role": "inspector", "unit": unit("PHAP").pk}).json()["id"]
    url = link_in_mail(mailoutbox, "nam@example.org")
    assert api(officer, "post", f"/api/v1/accounts/{account}/revoke/").json()["state"] == "expired"
    response = Client().post(url, {"password": STRONG, "password2": STRONG})
    assert response.status_code == 410 and "thu hồi" in response.content.decode()
    assert not User.objects.get(pk=account).is_active
    # … and revoking twice is refused with the reason
    again = api(officer, "post", f"/api/v1/accounts/{account}/revoke/")
    assert again.status_code == 400


def test_activation_through_the_api(client_of, unit, mailoutbox):
    officer = client_of("ban.tochuc")
    api(officer, "post", "/api/v1/accounts/", {"full_name": "Mai Anh Tú", "email": "tu@example.org",
                                               "role": "inspector", "unit": unit("PHAP").pk})
    token = LINK.search(link_in_mail(mailoutbox, "tu@example.org")).group(1)
    anonymous = Client()
    weak = api(anonymous, "post", "/api/v1/invitations/accept/", {"token": token, "password": "123456789012"})
    assert weak.status_code == 400 and "password" in weak.json()
    ok = api(anonymous, "post", "/api/v1/invitations/accept/", {"token": token, "password": STRONG})
    assert ok.status_code == 200 and ok.json() == {"username": "mai.anh.tu"}
    used = api(anonymous, "post", "/api/v1/invitations/accept/", {"token": token, "password": STRONG})
    assert used.status_code == 410 and used.json()["state"] == "used"
    assert api(anonymous, "post", "/api/v1/invitations/accept/", {"token": "x" * 43, "password": STRONG}
               ).status_code == 404


@pytest.mark.parametrize(("who", "payload", "status", "field"), [
    # a secretary may not give upper-committee roles
    ("bithu.phap", {"role": "inspector", "unit": "PHAP"}, 403, None),
    # a unit outside the officer's scope: not found
    ("bithu.duc", {"role": "inspector", "unit": "PHAP"}, 403, None),  # no roles.edit anywhere: refused first
    # committee roles follow posts, never granted by hand
    ("ban.tochuc", {"role": "secretary", "unit": "PHAP"}, 400, "role"),
    # a bad address
    ("ban.tochuc", {"role": "inspector", "unit": "PHAP", "email": "khong-phai-thu"}, 400, "email"),
])
def test_staff_invitation_refusals_write_nothing(client_of, unit, who, payload, status, field):
    data = {"full_name": "Người Được Mời", "email": "moi@example.org", **payload, "unit": unit(payload["unit"]).pk}
    before = written()
    response = api(client_of(who), "post", "/api/v1/accounts/", data)
    assert response.status_code == status, response.content
    if field:
        assert field in response.json()
    assert written() == before


def test_a_whole_tree_role_is_given_only_by_an_officer_who_has_one(client_of, actor_of, unit, personas):
    from chibo.accounts.services import role_grant, user_create
    from chibo.core.access import SYSTEM

    top = actor_of("ban.tochuc")
    regional = user_create(actor=SYSTEM, username="ban.tochuc.phap", password="x", full_name="Cán bộ khu vực")
    role_grant(actor=top, user=regional, role="org_officer", unit=unit("PHAP"))
    from chibo.core.access import actor_from_user

    regional_actor = actor_from_user(regional)
    assert regional_actor.can("roles.edit", unit("PHAP-DSQ")) and not regional_actor.can("roles.edit", unit("DUC"))
    from django.core.exceptions import PermissionDenied

    before = written()
    with pytest.raises(PermissionDenied):
        role_grant(actor=regional_actor, user=personas["dangvien.phap"], role="inspector",
                   unit=unit("PHAP").parent)
    assert written() == before


def test_a_member_already_active_or_already_invited_is_refused(client_of, personas, mailoutbox):
    secretary = client_of("bithu.phap")
    active = personas["dangvien.phap"].member
    response = api(secretary, "post", f"/api/v1/members/{active.pk}/invite/", {})
    assert response.status_code == 400 and "đang hoạt động" in response.json()["email"][0]

    fresh = Member.objects.filter(unit=active.unit, status=Status.FULL, user__isnull=True).exclude(email="").first()
    first = api(secretary, "post", f"/api/v1/members/{fresh.pk}/invite/", {})
    assert first.status_code == 201, first.json()
    before = written()
    second = api(secretary, "post", f"/api/v1/members/{fresh.pk}/invite/", {"email": "khac@example.org"})
    assert second.status_code == 400 and "Gửi lại" in second.json()["email"][0]
    assert written() == before


def test_a_member_outside_the_secretarys_scope_is_not_found(client_of, unit):
    outsider = Member.objects.filter(unit__code="PHAP-DSQ", status=Status.FULL, user__isnull=True).first()
    before = written()
    assert api(client_of("bithu.duc"), "post", f"/api/v1/members/{outsider.pk}/invite/", {}).status_code == 404
    assert api(client_of("dangvien.phap"), "post", f"/api/v1/members/{outsider.pk}/invite/", {}).status_code in (
        403, 404)
    assert written() == before


def test_a_whole_cell_is_invited_at_once_and_told_who_was_left_out(client_of, unit, mailoutbox):
    cell = unit("PHAP-DSQ")
    members = list(Member.objects.filter(unit=cell, status__in=ACTIVE_STATUSES))
    no_email = next(m for m in members if not User.objects.filter(member=m).exists())
    Member.objects.filter(pk=no_email.pk).update(email="")
    response = api(client_of("bithu.phap"), "post", f"/api/v1/units/{cell.pk}/invite-members/")
    assert response.status_code == 200
    result = response.json()
    assert no_email.pk in result["without_email"]
    assert set(result["invited"]) | set(result["already_active"]) | set(result["already_invited"]) | set(
        result["without_email"]) == {m.pk for m in members}
    assert result["invited"], result
    assert Invitation.objects.filter(user__member_id__in=result["invited"]).count() == len(result["invited"])
    # Running it again invites nobody twice.
    again = api(client_of("bithu.phap"), "post", f"/api/v1/units/{cell.pk}/invite-members/").json()
    assert again["invited"] == [] and set(again["already_invited"]) >= set(result["invited"])


def test_inviting_a_member_carries_the_roles_of_their_posts(actor_of, unit, mailoutbox):
    from chibo.members import services as member_services
    from chibo.members.accounts import member_invite
    from chibo.members.models import PostRole

    cell = unit("PHAP-LHS")
    member = Member.objects.filter(unit=cell, status=Status.FULL, user__isnull=True, posts__isnull=True).first()
    officer = actor_of("ban.tochuc")
    today = timezone.localdate()
    member_services.post_appoint(actor=officer, unit=cell, member=member, role=PostRole.COMMITTEE_MEMBER,
                                 from_date=today - timedelta(days=10), decision_no="9-QĐ/ĐUBNG",
                                 decision_date=today - timedelta(days=10))
    invitation = member_invite(actor=officer, member=member, email="uyvien@example.org")
    roles = list(RoleAssignment.objects.filter(user=invitation.user))
    assert [(r.role, r.unit_id, r.starts_on, r.follows_post) for r in roles] == [
        ("committee", cell.pk, today - timedelta(days=10), True)]


def test_activation_attempts_through_the_api_are_throttled(monkeypatch):
    from django.core.cache import cache

    from chibo.accounts.api import ActivationThrottle

    monkeypatch.setattr(ActivationThrottle, "THROTTLE_RATES", {"activation": "3/min"})
    cache.clear()
    anonymous = Client()
    answers = [api(anonymous, "post", "/api/v1/invitations/accept/", {"token": f"guess-{i}", "password": STRONG}
                   ).status_code for i in range(5)]
    cache.clear()
    assert answers == [404, 404, 404, 429, 429]
