"""Accounts API: the caller's own account (roles, sessions, API tokens), invitations and activation,
the accounts and roles an officer sees, and the periodic review. The same services as the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from chibo.accounts import selectors, services
from chibo.accounts.api_auth import HashedTokenAuthentication
from chibo.accounts.enums import AccountKind, AccountState, InvitationState
from chibo.accounts.forms import OFFICER_ROLE_CHOICES
from chibo.accounts.models import ApiToken, Invitation, RoleAssignment, User
from chibo.core.access import Role, actor_for
from chibo.core.request_context import client_ip
from chibo.core.text import fold
from chibo.core.throttles import AddressRateThrottle
from chibo.units.selectors import unit_get


class RoleSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    user_name = serializers.CharField(source="user.display_name", read_only=True)
    follows_post = serializers.BooleanField(read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["id", "user", "user_name", "role", "role_label", "unit", "unit_name", "starts_on", "ends_on",
                  "source", "follows_post", "granted_at", "granted_by", "revoked_at", "revoked_by"]
        read_only_fields = fields


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "label", "prefix", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


class SessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ip = serializers.CharField()
    user_agent = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField()
    current = serializers.BooleanField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=AccountKind.choices)
    member = serializers.IntegerField(allow_null=True)
    applicant = serializers.IntegerField(allow_null=True)
    roles = RoleSerializer(many=True)
    second_factors = serializers.ListField(child=serializers.CharField(), help_text="totp, webauthn, recovery_codes")
    recovery_codes_left = serializers.IntegerField(allow_null=True)


class InvitationSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=InvitationState.choices, read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "unit", "created_at", "created_by", "expires_at", "sent_count", "used_at",
                  "revoked_at", "state"]
        read_only_fields = fields


class AccountSerializer(serializers.ModelSerializer):
    """An account as an officer sees it (no password, no secrets)."""

    state = serializers.SerializerMethodField()
    home_unit = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "kind", "member", "applicant", "home_unit", "state",
                  "activated_at", "deactivated_at", "deactivated_reason", "last_login", "roles"]
        read_only_fields = fields

    def get_state(self, user) -> str:
        return selectors.account_state(user)

    def get_home_unit(self, user) -> int | None:
        home = selectors.account_unit(user)
        return home.pk if home else None

    @extend_schema_field(RoleSerializer(many=True))
    def get_roles(self, user) -> list[dict]:
        return RoleSerializer([r for r in user.roles.all() if r.revoked_at is None], many=True).data  # type: ignore[return-value]  # many=True gives a list (ReturnList); the stub says ReturnDict


class AccountDetailSerializer(AccountSerializer):
    invitations = InvitationSerializer(many=True, read_only=True)

    class Meta(AccountSerializer.Meta):
        fields = [*AccountSerializer.Meta.fields, "invitations"]
        read_only_fields = fields


def _officer(request, perm: str = "accounts.view"):
    actor = actor_for(request)
    if not actor.can(perm):
        raise PermissionDenied
    return actor


# --- the caller's own account ---------------------------------------------------------------------

class Me(APIView):
    """The caller's account: roles in force or to come, second factors."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        authenticators = selectors.my_authenticators(user)
        return Response(MeSerializer({
            "id": user.pk, "username": user.username, "full_name": user.display_name, "kind": user.kind,
            "member": user.member_id, "applicant": user.applicant_id, "roles": selectors.my_roles(user),
            "second_factors": sorted({a.type for a in authenticators}),
            "recovery_codes_left": selectors.recovery_codes_left(user),
        }).data)


class TokenCreateSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=100)  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class; the stub sees Field.label


class MyTokens(generics.ListAPIView):
    """The caller's API tokens (never their keys). POST creates one and answers its key, once; only from a
    signed-in session (a token cannot make more tokens)."""

    serializer_class = TokenSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.my_tokens(self.request.user)

    @extend_schema(request=TokenCreateSerializer, responses={201: inline_serializer(
        "NewToken", {"id": serializers.IntegerField(), "key": serializers.CharField(), "label": serializers.CharField(),
                     "prefix": serializers.CharField()})})
    def post(self, request):
        if isinstance(request.successful_authenticator, HashedTokenAuthentication):
            raise PermissionDenied
        body = TokenCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        key = services.token_create(actor=actor_for(request), user=request.user, label=body.validated_data["label"])
        token = selectors.my_tokens(request.user).filter(prefix=key[:services.TOKEN_PREFIX_LEN]).first()
        return Response({"id": token.pk, "key": key, "label": token.label, "prefix": token.prefix},
                        status=status.HTTP_201_CREATED)


class MyTokenRevoke(APIView):
    @extend_schema(request=None, responses=TokenSerializer)
    def post(self, request, pk: int):
        token = selectors.my_token(request.user, pk)
        services.token_revoke(actor=actor_for(request), token=token)
        token.refresh_from_db()
        return Response(TokenSerializer(token).data)


class MySessions(APIView):
    """The caller's signed-in sessions (browsers)."""

    @extend_schema(responses=SessionSerializer(many=True))
    def get(self, request):
        current = getattr(request, "session", None)
        key = current.session_key if current is not None else None
        rows = [{"id": s.pk, "ip": s.ip, "user_agent": s.user_agent, "created_at": s.created_at,
                 "last_seen_at": s.last_seen_at, "current": s.session_key == key}
                for s in selectors.my_sessions(request.user)]
        return Response(SessionSerializer(rows, many=True).data)


class MySessionEnd(APIView):
    """End one of the caller's sessions (id 0: every session but the current one)."""

    @extend_schema(request=None, responses=inline_serializer("SessionsEnded", {"ended": serializers.IntegerField()}))
    def post(self, request, pk: int):
        current = getattr(request, "session", None)
        ended = services.session_end(actor=actor_for(request), user=request.user, session_id=pk,
                                     current_key=current.session_key if current is not None else None)
        return Response({"ended": ended})


# --- activation (anonymous) -----------------------------------------------------------------------

class AcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)
    password = serializers.CharField(max_length=200, style={"input_type": "password"})


class ActivationThrottle(AddressRateThrottle):
    scope = "activation"


class InvitationAccept(APIView):
    """Activate an invited account with the token of its link and a new password. The account must then
    sign in on the pages and enrol a second factor before the API answers it."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ActivationThrottle]

    @extend_schema(request=AcceptSerializer, responses={
        200: inline_serializer("Activated", {"username": serializers.CharField()}),
        410: OpenApiResponse(description="The link was used, revoked or has expired (the reason in detail)."),
        404: OpenApiResponse(description="No such link.")})
    def post(self, request):
        body = AcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            user = services.invitation_accept(token=body.validated_data["token"],
                                              password=body.validated_data["password"], ip=client_ip(request))
        except services.InvitationInvalid as exc:
            code = status.HTTP_404_NOT_FOUND if exc.state == "unknown" else status.HTTP_410_GONE
            return Response({"detail": exc.message, "state": exc.state}, status=code)
        return Response({"username": user.username})


# --- officers -------------------------------------------------------------------------------------

class StaffInviteSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=120)
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=OFFICER_ROLE_CHOICES)
    unit = serializers.IntegerField()


class AccountList(generics.ListAPIView):
    """Accounts in the caller's scope (members', applicants' and staff officers'). POST invites a staff
    officer of the upper committee with their role on a unit."""
    query_params = ("q", "state")

    serializer_class = AccountSerializer

    def get_queryset(self):
        actor = _officer(self.request)
        qs = selectors.accounts_visible(actor)
        state = self.request.query_params.get("state", "")
        if state:
            if state not in AccountState.values:
                raise serializers.ValidationError({"state": [_("Chọn một trong: %(choices)s.")
                                                               % {"choices": ", ".join(AccountState.values)}]})
            qs = selectors.filter_by_state(qs, state)
        q = self.request.query_params.get("q", "").strip()[:100]
        if q:
            qs = qs.filter(Q(username__icontains=".".join(fold(q).split())) | Q(full_name__icontains=q)
                           | Q(email__icontains=q))
        return qs

    @extend_schema(parameters=[OpenApiParameter("state", str, enum=AccountState.values),
                               OpenApiParameter("q", str, description="Part of a name, sign-in name or e-mail")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=StaffInviteSerializer, responses={201: AccountDetailSerializer})
    def post(self, request):
        actor = _officer(request, "roles.edit")
        body = StaffInviteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        unit = unit_get(actor, data["unit"])
        invitation = services.account_invite(actor=actor, kind=AccountKind.STAFF, unit=unit, email=data["email"],
                                             full_name=data["full_name"], role=data["role"])
        return Response(AccountDetailSerializer(selectors.account_get(actor, invitation.user_id)).data,
                        status=status.HTTP_201_CREATED)


class AccountDetail(generics.RetrieveAPIView):
    serializer_class = AccountDetailSerializer

    def get_object(self):
        return selectors.account_get(_officer(self.request), self.kwargs["pk"])


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class AccountAction(APIView):
    """resend / revoke the account's invitation, or deactivate the account (with a reason)."""

    action = ""

    def _account(self, request, pk):
        actor = _officer(request)
        user = selectors.account_get(actor, pk)
        home = selectors.account_unit(user)
        if home is None or not actor.can("accounts.manage", home):
            raise PermissionDenied
        return actor, user, home

    def _answer(self, actor, user) -> Response:
        return Response(AccountDetailSerializer(selectors.account_get(actor, user.pk)).data)

    @staticmethod
    def _invitation(user):
        invitation = selectors.latest_invitation(user)
        if invitation is None:
            raise serializers.ValidationError({"invitation": [_("Tài khoản này chưa có lời mời nào.")]})
        return invitation


class AccountResend(AccountAction):
    @extend_schema(request=None, responses=AccountDetailSerializer)
    def post(self, request, pk: int):
        actor, user, _home = self._account(request, pk)
        services.invitation_resend(actor=actor, invitation=self._invitation(user))
        return self._answer(actor, user)


class AccountRevoke(AccountAction):
    @extend_schema(request=None, responses=AccountDetailSerializer)
    def post(self, request, pk: int):
        actor, user, _home = self._account(request, pk)
        services.invitation_revoke(actor=actor, invitation=self._invitation(user))
        return self._answer(actor, user)


class AccountDeactivate(AccountAction):
    @extend_schema(request=ReasonSerializer, responses=AccountDetailSerializer)
    def post(self, request, pk: int):
        actor, user, home = self._account(request, pk)
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.account_deactivate(actor=actor, user=user, unit=home, reason=body.validated_data["reason"])
        return self._answer(actor, user)


class AccountEndSessions(AccountAction):
    """Sign the person out everywhere: every session of the account ends (its tokens stay)."""

    @extend_schema(request=None, responses=AccountDetailSerializer)
    def post(self, request, pk: int):
        actor, user, home = self._account(request, pk)
        services.account_sessions_end(actor=actor, user=user, unit=home)
        return self._answer(actor, user)


class RoleGrantSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    role = serializers.ChoiceField(choices=OFFICER_ROLE_CHOICES)
    unit = serializers.IntegerField()


class RoleList(generics.ListAPIView):
    """Roles in force (or to come) on the units in the caller's scope; ``unit`` keeps those at and below a
    unit. POST grants an upper-committee role (organization officer, inspector)."""
    query_params = ("role", "unit")

    serializer_class = RoleSerializer

    def get_queryset(self):
        actor = _officer(self.request)
        raw_unit = self.request.query_params.get("unit", "")
        role = self.request.query_params.get("role", "")
        if role and role not in dict(Role.CHOICES):
            raise serializers.ValidationError({"role": [_("Vai trò không hợp lệ.")]})
        unit = unit_get(actor, raw_unit) if raw_unit else None
        return selectors.roles_visible(actor, unit=unit, role=role)

    @extend_schema(parameters=[OpenApiParameter("unit", int),
                               OpenApiParameter("role", str, enum=[r for r, _label in Role.CHOICES])])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=RoleGrantSerializer, responses={201: RoleSerializer})
    def post(self, request):
        actor = _officer(request, "roles.edit")
        body = RoleGrantSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = selectors.account_get(actor, body.validated_data["user"])
        unit = unit_get(actor, body.validated_data["unit"])
        assignment = services.role_grant(actor=actor, user=user, role=body.validated_data["role"], unit=unit)
        return Response(RoleSerializer(assignment).data, status=status.HTTP_201_CREATED)


class RoleWithdraw(APIView):
    @extend_schema(request=ReasonSerializer, responses=RoleSerializer)
    def post(self, request, pk: int):
        actor = _officer(request, "roles.edit")
        assignment = selectors.role_get(actor, pk)
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.role_withdraw(actor=actor, assignment=assignment, reason=body.validated_data["reason"])
        assignment.refresh_from_db()
        return Response(RoleSerializer(assignment).data)


class ReviewSerializer(serializers.Serializer):
    day = serializers.DateField()
    unused_days = serializers.IntegerField()
    whole_tree = AccountSerializer(many=True)
    without_mfa = AccountSerializer(many=True)
    unused = AccountSerializer(many=True)


class AccountReview(APIView):
    """The periodic review: accounts with whole-tree roles, without a second factor, and unused for
    ``account.unused_days``."""

    @extend_schema(responses=ReviewSerializer)
    def get(self, request):
        return Response(ReviewSerializer(selectors.account_review(_officer(request, "accounts.review"))).data)
