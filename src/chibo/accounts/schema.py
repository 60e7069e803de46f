"""OpenAPI description of chibo's API authentication (loaded by drf-spectacular)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class MFASessionScheme(OpenApiAuthenticationExtension):
    target_class = "chibo.accounts.api_auth.MFASessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid",
                "description": "Browser session after login with MFA"}
