"""Behind the reverse proxy the README describes, the client's address comes from X-Forwarded-For (only when
the proxy is one the deployment trusts): login throttling locks the attacker's address, never everyone behind
the proxy; the audit log records the client; the API throttles per account, and wrong tokens per address."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings

from chibo.core.models import AuditEvent
from chibo.core.request_context import client_ip
from chibo.demo.builder import DEMO_PASSWORD

PROXY = "10.0.0.5"


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def through_proxy(client_address: str, *, proxy: str = PROXY, chain: str = "") -> Client:
    forwarded = f"{chain}, {client_address}" if chain else client_address
    return Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded)


@override_settings(CHIBO_TRUSTED_PROXIES=["10.0.0.0/24", "2001:db8::1"])
@pytest.mark.parametrize("remote, forwarded, expected", [
    (PROXY, "203.0.113.9", "203.0.113.9"),
    (PROXY, "198.51.100.1, 203.0.113.9", "203.0.113.9"),       # what the client wrote on the left is not believed
    (PROXY, "203.0.113.9, 10.0.0.7", "203.0.113.9"),           # two trusted proxies in a row
    (PROXY, "", PROXY),                                         # nothing forwarded
    (PROXY, "not-an-address", PROXY),                           # a malformed chain: the proxy's own address
    ("192.0.2.44", "203.0.113.9", "192.0.2.44"),                # an untrusted sender cannot pick its address
    ("2001:db8::1", "2001:db8::99", "2001:db8::99"),
])
def test_the_client_address_is_taken_from_trusted_proxies_only(remote, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_without_trusted_proxies_the_header_is_ignored():
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == PROXY


@pytest.mark.django_db
@override_settings(CHIBO_TRUSTED_PROXIES=[PROXY])
def test_five_wrong_passwords_behind_the_proxy_lock_the_attacker_not_the_victim(personas):
    for _ in range(5):
        through_proxy("203.0.113.9").post("/accounts/login/", {"login": "bithu.phap", "password": "doan-bua"})
    locked = through_proxy("203.0.113.9").post("/accounts/login/", {"login": "bithu.phap", "password": DEMO_PASSWORD})
    assert locked.status_code == 429
    victim = through_proxy("198.51.100.20").post("/accounts/login/",
                                                 {"login": "bithu.phap", "password": DEMO_PASSWORD})
    assert victim.status_code == 302 and "/accounts/2fa/authenticate/" in victim["Location"]
    failures = AuditEvent.objects.filter(action="auth.login_failed")
    assert failures.exists() and set(failures.values_list("ip", flat=True)) == {"203.0.113.9"}


@pytest.mark.django_db
def test_guessing_from_many_addresses_is_capped_per_account(personas):
    """30 wrong passwords an hour per account, whatever the addresses (10 a minute per address beside it)."""
    answers = []
    for i in range(31):
        client = Client(REMOTE_ADDR=f"192.0.2.{100 + i}")
        answers.append(client.post("/accounts/login/", {"login": "dangvien.phap", "password": f"sai-{i}"}))
    assert all(a.status_code == 200 for a in answers[:30])
    assert "quá nhiều" in answers[30].content.decode()


@pytest.mark.django_db
def test_the_api_throttles_per_account_and_wrong_tokens_per_address(client_of, monkeypatch):
    from chibo.accounts.api_auth import BadTokenThrottle
    from chibo.core.throttles import AccountRateThrottle

    monkeypatch.setattr(AccountRateThrottle, "THROTTLE_RATES", {"user": "5/min"})
    monkeypatch.setattr(BadTokenThrottle, "THROTTLE_RATES", {"bad_token": "3/min"})
    member = client_of("dangvien.phap")
    assert [member.get("/api/v1/me/").status_code for _ in range(6)] == [200] * 5 + [429]
    assert client_of("bithu.phap").get("/api/v1/me/").status_code == 200  # another account is not held up
    guesser = Client(REMOTE_ADDR="192.0.2.9", headers={"authorization": "Token not-a-real-token"})
    assert [guesser.get("/api/v1/me/").status_code for _ in range(4)] == [401, 401, 401, 429]
    assert Client(REMOTE_ADDR="192.0.2.10", headers={"authorization": "Token x"}).get("/api/v1/me/").status_code == 401
    refused = member.get("/api/v1/me/")
    assert refused["Content-Type"].startswith("application/json") and "detail" in refused.json()
