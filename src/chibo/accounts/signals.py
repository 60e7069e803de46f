"""Login, logout and failed logins go to the audit chain (authentication events, not business logic)."""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from chibo.core.access import Actor, actor_from_user
from chibo.core.audit import audit
from chibo.core.crypto import blind_index
from chibo.core.request_context import client_ip


def _ip(request) -> str | None:
    return client_ip(request) if request is not None else None


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    request.session["chibo_login_at"] = time.time()
    audit(actor=actor_from_user(user, ip=_ip(request)), action="auth.login", obj=user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if request is not None:  # the answer tells the browser to drop what it kept (core.middleware.NoStoreMiddleware)
        request.chibo_signed_out = True
    if user is not None:
        audit(actor=actor_from_user(user, ip=_ip(request)), action="auth.logout", obj=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    """The account tried (by id) when the name typed is one, and a keyed hash of the name typed, which groups the
    attempts on one name without keeping it: a sign-in name never enters the audit chain, never rewritten."""
    typed = str(credentials.get("username") or credentials.get("login") or "")[:150]
    account = get_user_model().objects.filter(username__iexact=typed).values_list("pk", flat=True).first()
    audit(actor=Actor(user=None, ip=_ip(request), label="anonymous"), action="auth.login_failed",
          data={"account": account, "typed": blind_index(typed.casefold())[:16]})
