"""The platform's one encryption module: field-encryption keys, AES-256-GCM, blind-index keys.

Models do not call this directly; they declare the fields in :mod:`core.fields`. This module
holds what those fields and ``manage.py rotate_encryption_keys`` share.

**Key ring.** ``FIELD_ENCRYPTION_KEYS`` is a comma-separated list of ``key_id:base64url``
entries, each key exactly 32 random bytes. The first key encrypts; every key decrypts, so
values written under an older key stay readable while they are re-encrypted.

**Stored form.** An encrypted value is the text ``v1:<key id>:<base64url(nonce + ciphertext)>``
with a fresh 96-bit nonce per value. The associated data binds it to its column
(``app_label.model.field``) and its row (the primary key), so a value copied into another row
or another column does not decrypt.

**Failures raise** :class:`DecryptionError`, whose message never contains ciphertext or
plaintext; a value that cannot be decrypted is never handed back as if it were one.

**Blind indexes** use a separate root key, ``BLIND_INDEX_KEY`` (base64url, 32 bytes), so that
rotating encryption keys never changes them. Each index column gets its own HMAC-SHA256 key,
derived from the root key with HKDF-SHA256 using the column's ``app_label.model.field`` as info.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16

_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")


class DecryptionError(Exception):
    """An encrypted value could not be decrypted.

    The key id is unknown, the key is wrong, the value was altered, or it was moved from
    another row or column. The message names the reason, never the value.
    """


@dataclass(frozen=True)
class KeyRing:
    active_id: str
    ciphers: Mapping[str, AESGCM]


def _decode_key(text: str) -> bytes | None:
    """32 bytes from base64url text (padding optional), or None if it is not exactly that."""
    if not _BASE64URL.fullmatch(text):
        return None
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return key if len(key) == KEY_BYTES else None


def parse_key_ring(value: str) -> KeyRing:
    """Parse ``FIELD_ENCRYPTION_KEYS``; error messages name the entry, never the key."""
    entries = [entry.strip() for entry in value.strip().split(",")] if value.strip() else []
    if not entries:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: it needs at least one key.")
    ciphers: dict[str, AESGCM] = {}
    for position, entry in enumerate(entries, start=1):
        key_id, _, encoded = entry.partition(":")
        key = _decode_key(encoded)
        if not _KEY_ID.fullmatch(key_id) or key is None:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS entry {position} is not key_id:base64url(32 bytes) "
                "(key ids are 1-32 letters, digits, '-' or '_')."
            )
        if key_id in ciphers:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS entry {position} repeats key id {key_id!r}."
            )
        ciphers[key_id] = AESGCM(key)
    return KeyRing(active_id=entries[0].partition(":")[0], ciphers=ciphers)


def parse_blind_index_key(value: str) -> bytes:
    key = _decode_key(value.strip())
    if key is None:
        raise ImproperlyConfigured("BLIND_INDEX_KEY must be base64url(32 random bytes).")
    return key


@functools.cache
def key_ring() -> KeyRing:
    return parse_key_ring(settings.FIELD_ENCRYPTION_KEYS)


@functools.cache
def _blind_index_root() -> bytes:
    return parse_blind_index_key(settings.BLIND_INDEX_KEY)


@functools.cache
def _blind_index_key(column: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=column.encode()
    ).derive(_blind_index_root())


@receiver(setting_changed)
def _reload_keys(*, setting: str, **kwargs: Any) -> None:
    """Tests swap keys with ``override_settings``; the cached keys must follow."""
    if setting in {"FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"}:
        key_ring.cache_clear()
        _blind_index_root.cache_clear()
        _blind_index_key.cache_clear()


def check_configuration() -> None:
    """Parse both settings now, so a bad key stops the process before it serves anything."""
    key_ring()
    _blind_index_root()


def active_key_id() -> str:
    return key_ring().active_id


def envelope_prefix(key_id: str) -> str:
    """What every value encrypted under ``key_id`` starts with."""
    return f"{VERSION}:{key_id}:"


@functools.lru_cache(maxsize=4096)
def _associated_data_prefix(key_id: str, column: str) -> str:
    return json.dumps([VERSION, key_id, column], separators=(",", ":"))[:-1] + ","


def _associated_data(key_id: str, column: str, row: str) -> bytes:
    """``json.dumps([VERSION, key_id, column, row], separators=(",", ":"))``, byte for byte.

    Built from a per-column prefix because it runs for every value encrypted or read: the
    general ``json.dumps`` with separators took more time than AES-GCM itself.
    """
    return f"{_associated_data_prefix(key_id, column)}{json.dumps(row)}]".encode()


def encrypt(plaintext: bytes, *, column: str, row: str) -> str:
    """Encrypt under the active key, bound to ``column`` (``app_label.model.field``) and ``row``."""
    ring = key_ring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.ciphers[ring.active_id].encrypt(
        nonce, plaintext, _associated_data(ring.active_id, column, row)
    )
    body = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()
    return f"{envelope_prefix(ring.active_id)}{body}"


def _split(envelope: str) -> tuple[str, bytes]:
    version, _, rest = envelope.partition(":")
    key_id, _, body = rest.partition(":")
    if version != VERSION or not _KEY_ID.fullmatch(key_id) or not _BASE64URL.fullmatch(body):
        raise DecryptionError("The stored value is not an encrypted value of a known format.")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("The stored value is truncated.")
    return key_id, raw


def key_id_of(envelope: str) -> str:
    return _split(envelope)[0]


def decrypt(envelope: str, *, column: str, row: str) -> bytes:
    """The plaintext of ``envelope``, which must have been encrypted for ``column`` and ``row``."""
    if not isinstance(envelope, str):
        raise DecryptionError("The stored value is not an encrypted value of a known format.")
    key_id, raw = _split(envelope)
    cipher = key_ring().ciphers.get(key_id)
    if cipher is None:
        raise DecryptionError(f"The value is encrypted under key id {key_id!r}, not in the ring.")
    try:
        return cipher.decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated_data(key_id, column, row)
        )
    except InvalidTag:
        raise DecryptionError(
            "The value does not authenticate: wrong key, altered, or moved from another "
            "row or column."
        ) from None


def blind_digest(column: str, message: bytes) -> str:
    """HMAC-SHA256 of ``message`` under the key derived for index ``column``, as hex."""
    return hmac.new(_blind_index_key(column), message, hashlib.sha256).hexdigest()
