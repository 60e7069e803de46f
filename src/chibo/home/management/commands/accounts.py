"""``chibo accounts …`` (here, above the members app, for member invitations): accounts and roles from the
command line, through the same services as the pages and the API, acting as ``--user`` (default: the
installation's operator over the whole tree).

    chibo accounts list [--state invited|expired|active|deactivated]
    chibo accounts invite-staff --name N --email E --role org_officer|inspector|treasurer --unit CODE
    chibo accounts invite-member MEMBER_ID [--email E]
    chibo accounts invite-unit UNIT_CODE
    chibo accounts resend USERNAME | revoke USERNAME | deactivate USERNAME --reason R
    chibo accounts grant USERNAME org_officer|inspector|treasurer UNIT_CODE
    chibo accounts withdraw ROLE_ID --reason R
    chibo accounts review
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from chibo.accounts import selectors, services
from chibo.accounts.cli import cli_actor, unit_by_code
from chibo.accounts.enums import AccountKind, AccountState
from chibo.members import accounts as member_accounts
from chibo.members.selectors import member_get


class Command(BaseCommand):
    help = "Accounts and roles: list, invite (staff, a member, a whole unit), resend, revoke, deactivate, grant, " \
           "withdraw, review."

    def add_arguments(self, parser):
        parser.add_argument("--user", help="act as this user (default: the installation's operator)")
        sub = parser.add_subparsers(dest="what", required=True)
        listing = sub.add_parser("list")
        listing.add_argument("--state", choices=AccountState.values)
        staff = sub.add_parser("invite-staff")
        staff.add_argument("--name", required=True)
        staff.add_argument("--email", required=True)
        staff.add_argument("--role", required=True, choices=list(services.OFFICER_ROLES))
        staff.add_argument("--unit", required=True, help="unit code")
        member = sub.add_parser("invite-member")
        member.add_argument("member_id", type=int)
        member.add_argument("--email", default="")
        unit = sub.add_parser("invite-unit")
        unit.add_argument("unit_code")
        for name in ("resend", "revoke", "deactivate"):
            p = sub.add_parser(name)
            p.add_argument("username")
            if name == "deactivate":
                p.add_argument("--reason", required=True)
        grant = sub.add_parser("grant")
        grant.add_argument("username")
        grant.add_argument("role", choices=list(services.OFFICER_ROLES))
        grant.add_argument("unit_code")
        withdraw = sub.add_parser("withdraw")
        withdraw.add_argument("role_id", type=int)
        withdraw.add_argument("--reason", required=True)
        sub.add_parser("review")

    def handle(self, *args, what, **o):
        actor = cli_actor(o["user"])
        try:
            getattr(self, "do_" + what.replace("-", "_"))(actor, o)
        except PermissionDenied as exc:
            raise CommandError(f"{actor.label} may not do this{': ' + str(exc) if str(exc) else ''}.") from exc
        except Http404 as exc:
            raise CommandError("Not found in your scope.") from exc
        except ValidationError as exc:
            problems = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            raise CommandError("; ".join(f"{k + ': ' if k else ''}{' '.join(v)}" for k, v in problems.items())) from exc

    def _account(self, actor, username: str):
        user = selectors.accounts_visible(actor).filter(username=username).first()
        if user is None:
            raise CommandError(f"No account {username!r} in your scope.")
        return user

    def do_list(self, actor, o):
        users = selectors.accounts_visible(actor)
        if o["state"]:
            users = selectors.filter_by_state(users, o["state"])
        for user in users:
            home = selectors.account_unit(user)
            self.stdout.write(f"{user.username}\t{user.display_name}\t{user.kind}\t{home.code if home else '-'}\t"
                              f"{selectors.account_state(user)}")

    def do_invite_staff(self, actor, o):
        invitation = services.account_invite(actor=actor, kind=AccountKind.STAFF, unit=unit_by_code(o["unit"]),
                                             email=o["email"], full_name=o["name"], role=o["role"])
        self.stdout.write(f"Invited {invitation.user.username} ({invitation.email}); the link goes by e-mail.")

    def do_invite_member(self, actor, o):
        invitation = member_accounts.member_invite(actor=actor, member=member_get(actor, o["member_id"]),
                                                   email=o["email"])
        self.stdout.write(f"Invited {invitation.user.username} ({invitation.email}); the link goes by e-mail.")

    def do_invite_unit(self, actor, o):
        result = member_accounts.members_invite_unit(actor=actor, unit=unit_by_code(o["unit_code"]))
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in result.counts.items()))
        for m in result.without_email:
            self.stdout.write(f"  no e-mail on record: {m.pk} {m.full_name}")

    def _invitation(self, actor, username):
        invitation = selectors.latest_invitation(self._account(actor, username))
        if invitation is None:
            raise CommandError(f"{username} has no invitation.")
        return invitation

    def do_resend(self, actor, o):
        invitation = services.invitation_resend(actor=actor, invitation=self._invitation(actor, o["username"]))
        self.stdout.write(f"Sent again to {invitation.email}.")

    def do_revoke(self, actor, o):
        services.invitation_revoke(actor=actor, invitation=self._invitation(actor, o["username"]))
        self.stdout.write("Invitation revoked.")

    def do_deactivate(self, actor, o):
        user = self._account(actor, o["username"])
        home = selectors.account_unit(user)
        if home is None:
            raise CommandError(f"{user.username} belongs to no unit.")
        services.account_deactivate(actor=actor, user=user, unit=home, reason=o["reason"])
        self.stdout.write(f"{user.username} deactivated.")

    def do_grant(self, actor, o):
        assignment = services.role_grant(actor=actor, user=self._account(actor, o["username"]), role=o["role"],
                                         unit=unit_by_code(o["unit_code"]))
        self.stdout.write(f"Role {assignment.pk}: {assignment.role} on {assignment.unit.code} from "
                          f"{assignment.starts_on:%d/%m/%Y}.")

    def do_withdraw(self, actor, o):
        services.role_withdraw(actor=actor, assignment=selectors.role_get(actor, o["role_id"]), reason=o["reason"])
        self.stdout.write("Role withdrawn.")

    def do_review(self, actor, o):
        review = selectors.account_review(actor)
        for title, users in (("whole-tree roles", review.whole_tree), ("no second factor", review.without_mfa),
                             (f"unused for {review.unused_days} days", review.unused)):
            self.stdout.write(f"{title}: {len(users)}")
            for user in users:
                self.stdout.write(f"  {user.username}\t{user.display_name}")
