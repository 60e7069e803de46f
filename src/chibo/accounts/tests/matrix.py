"""The accounts' part of the permission matrix (core/tests/test_permission_matrix.py): the accounts, roles
and tokens the URLs point at, the payloads of the write routes, and what a write could change."""

from __future__ import annotations

from django.db.models import Count


def account_targets(personas: dict, units: dict) -> dict[str, int]:
    """dangvien.phap's account (in France), bithu.duc's (in Germany), an invited officer of France not yet
    activated, an inspector's role granted by hand on France, one of ban.tochuc's API tokens."""
    from chibo.accounts.models import RoleAssignment, User
    from chibo.accounts.services import account_invite, token_create
    from chibo.core.access import Actor, Grant, Role

    root = units["unit_root"]
    officer = Actor(user=personas["ban.tochuc"], grants=(Grant(Role.ORG_OFFICER, root.pk, root.path),),
                    label="matrix")
    invited = account_invite(actor=officer, kind="staff", unit=units["unit_fr"], email="moi.phap@example.org",
                             full_name="Cán bộ Được Mời", role=Role.INSPECTOR)
    role = RoleAssignment.objects.get(user=invited.user, role=Role.INSPECTOR)
    token_create(actor=Actor(user=None, label="matrix"), user=personas["ban.tochuc"], label="matrix")
    token = personas["ban.tochuc"].api_tokens.get(label="matrix")
    return {
        "account_fr": personas["dangvien.phap"].pk,
        "account_de": personas["bithu.duc"].pk,
        "account_invited_fr": invited.user_id,
        "account_missing": (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
        "role_fr_officer": role.pk,
        "token_ban": token.pk,
        "session_all": 0,
    }


def accounts_fingerprint() -> dict:
    from chibo.accounts.models import ApiToken, Invitation, RoleAssignment, User

    return {
        "accounts": list(User.objects.order_by("pk").values_list("pk", "is_active", "deactivated_at")),
        "invitations": list(Invitation.objects.order_by("pk").values_list("pk", "token_hash", "revoked_at",
                                                                          "used_at")),
        "roles": list(RoleAssignment.objects.order_by("pk").values_list("pk", "revoked_at", "ends_on")),
        "api_tokens": ApiToken.objects.aggregate(n=Count("pk"), revoked=Count("revoked_at")),
    }


def account_payload(kind: str, env) -> dict:
    t = env.targets
    return {
        "token_form": {"label": "Máy văn phòng"},
        "api_token": {"label": "Báo cáo tự động"},
        "staff_invite_fr": {"full_name": "Trần Văn Bình", "email": "binh@example.org", "role": "inspector",
                            "unit": str(t["unit_fr"])},
        "api_staff_invite_fr": {"full_name": "Trần Văn Bình", "email": "binh@example.org", "role": "inspector",
                                "unit": t["unit_fr"]},
        "role_grant_fr": {"user": str(t["account_fr"]), "role": "inspector", "unit": str(t["unit_fr"])},
        "api_role_grant_fr": {"user": t["account_fr"], "role": "inspector", "unit": t["unit_fr"]},
        "reason_form": {"reason": "Thôi công tác tại cơ quan"},
        "api_reason": {"reason": "Thôi công tác tại cơ quan"},
        "invite_email": {"email": "quanchung.duc@example.org"},
        "api_invite_email": {"email": "quanchung.duc@example.org"},
        "api_accept_unknown": {"token": "x" * 43, "password": "trăng rằm soi bóng cửa sổ phía tây"},
        "member_invite_email": {"email": "dangvien.moi@example.org"},
    }[kind]
