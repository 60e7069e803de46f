"""API authentication: hashed tokens (``Authorization: Token …``) and MFA-complete sessions."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from chibo.accounts.models import ApiToken
from chibo.accounts.selectors import has_mfa, needs_mfa
from chibo.accounts.services import hash_token
from chibo.core.throttles import AddressRateThrottle


class BadTokenThrottle(AddressRateThrottle):
    """Wrong or revoked tokens, per client address: guessing is answered 429 before it is answered 401."""

    scope = "bad_token"

    def get_cache_key(self, request, view) -> str:
        # Called while the request is being authenticated: request.user is not to be touched here.
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class HashedTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            throttle = BadTokenThrottle()
            if not throttle.allow_request(request, None):
                raise exceptions.Throttled(throttle.wait()) from None
            raise

    def authenticate_credentials(self, key):
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(key), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Mã truy cập không hợp lệ hoặc đã bị thu hồi."))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token


class MFASessionAuthentication(authentication.SessionAuthentication):
    """Session auth for the API, only once the session passed the MFA gate of the pages."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None

        user = result[0]
        if needs_mfa(user) and not has_mfa(user):
            raise exceptions.PermissionDenied(_("Tài khoản cần bật xác thực hai lớp trước khi dùng API."))
        return result
