"""API throttling by the client's real address (trusted proxies honoured, see request_context.client_ip).

Kept apart from chibo.core.api: DRF imports the authentication classes, which use these, while its views
module is still loading."""

from __future__ import annotations

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from chibo.core.request_context import client_ip


class AddressRateThrottle(AnonRateThrottle):
    """Requests without an account, per client address."""

    def get_ident(self, request) -> str:
        return client_ip(request)


class AccountRateThrottle(UserRateThrottle):
    """Requests of a signed-in account, per account; without one, per client address."""

    def get_ident(self, request) -> str:
        return client_ip(request)
