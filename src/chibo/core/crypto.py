"""Field-level encryption (AES-256-GCM with a key id) and a keyed blind index.

Stored form of an encrypted value: ``<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>``. The key id
lets keys rotate: new writes use the first key of ``CHIBO_FIELD_KEYS``, every listed key decrypts.
The blind index is HMAC-SHA256 of the normalized value, so an exact look-up (a citizen ID) works
without decrypting rows and without storing the plain value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@lru_cache(maxsize=4)
def _keys(spec: str) -> tuple[str, dict[str, bytes]]:
    keys: dict[str, bytes] = {}
    first = ""
    for item in spec.split(","):
        if not item.strip():
            continue
        key_id, _, material = item.strip().partition(":")
        raw = _b64decode(material)
        if len(raw) != 32 or not key_id:
            raise ImproperlyConfigured("each CHIBO_FIELD_KEYS entry is id:base64(32 bytes)")
        keys[key_id] = raw
        first = first or key_id
    if not keys:
        raise ImproperlyConfigured("CHIBO_FIELD_KEYS is empty")
    return first, keys


def encrypt_bytes(plain: bytes) -> bytes:
    """``<key id>:`` then nonce ‖ ciphertext ‖ tag (the key id is also the associated data)."""
    key_id, keys = _keys(settings.CHIBO_FIELD_KEYS)
    nonce = os.urandom(12)
    return key_id.encode() + b":" + nonce + AESGCM(keys[key_id]).encrypt(nonce, plain, key_id.encode())


def decrypt_bytes(stored: bytes) -> bytes:
    key_id, _, raw = bytes(stored).partition(b":")
    _, keys = _keys(settings.CHIBO_FIELD_KEYS)
    if key_id.decode(errors="replace") not in keys:
        raise ImproperlyConfigured(f"no field key with id {key_id[:20]!r}")
    return AESGCM(keys[key_id.decode()]).decrypt(raw[:12], raw[12:], key_id)


def encrypt(plain: str) -> str:
    key_id, _, sealed = encrypt_bytes(plain.encode()).partition(b":")
    return f"{key_id.decode()}:{base64.urlsafe_b64encode(sealed).decode().rstrip('=')}"


def decrypt(stored: str) -> str:
    key_id, _, payload = stored.partition(":")
    return decrypt_bytes(key_id.encode() + b":" + _b64decode(payload)).decode()


def blind_index(value: str) -> str:
    """HMAC-SHA256 of the value with spaces removed, hex; '' for an empty value."""
    value = "".join(value.split())
    if not value:
        return ""
    key = _b64decode(settings.CHIBO_BLIND_INDEX_KEY)
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column holding AES-GCM ciphertext; Python code sees the plain value."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)


class EncryptedBinaryField(models.BinaryField):
    """A binary column holding AES-GCM ciphertext (a stored file's bytes); Python code sees the plain bytes."""

    def from_db_value(self, value, expression, connection):
        if value is None or len(value) == 0:
            return value
        return decrypt_bytes(bytes(value))

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return value
        return encrypt_bytes(bytes(value))


class BinaryCharField(models.CharField):
    """A CharField compared byte by byte on every database (C collation on PostgreSQL).

    Materialized paths and sort keys rely on plain byte order: range scans on the index and
    ``ORDER BY`` must agree on both databases whatever the server's locale.
    """

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


def encrypt_binary_column_in_place(connection, table: str, column: str) -> int:
    """For a migration that turns a plain binary column into an EncryptedBinaryField: encrypt the values stored
    in clear (anything ``decrypt_bytes`` refuses), leave ciphertext alone. Returns how many rows were encrypted."""
    return _encrypt_in_place(connection, table, column, lambda v: bytes(v or b""), encrypt_bytes, decrypt_bytes)


def encrypt_column_in_place(connection, table: str, column: str) -> int:
    """For a migration that turns a plain text column into an EncryptedTextField: encrypt the values stored in
    clear (anything ``decrypt`` refuses), leave ciphertext alone. Returns how many rows were encrypted."""
    return _encrypt_in_place(connection, table, column, lambda v: v or "", encrypt, decrypt)


def _encrypt_in_place(connection, table: str, column: str, read, seal, opens) -> int:
    """Encrypt with ``seal`` each non-empty value of ``column`` that ``opens`` refuses, one row in memory at a
    time (a column may hold files)."""
    qn = connection.ops.quote_name
    done = 0
    with connection.cursor() as cur:
        cur.execute(f"SELECT id FROM {qn(table)}")  # noqa: S608 (fixed names)
        for (pk,) in cur.fetchall():
            cur.execute(f"SELECT {qn(column)} FROM {qn(table)} WHERE id = %s", [pk])  # noqa: S608
            value = read(cur.fetchone()[0])
            if not value:
                continue
            try:
                opens(value)
                continue
            except Exception:  # noqa: BLE001 (plain, or a value no key opens: encrypt it)
                pass
            cur.execute(f"UPDATE {qn(table)} SET {qn(column)} = %s WHERE id = %s", [seal(value), pk])  # noqa: S608
            done += 1
    return done
