"""The key ring, the stored format and its failures, below the model fields."""

import base64
import json
import secrets

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import crypto
from core.demo_secrets import new_field_key, new_key
from tests.core.stored import assert_same

COLUMN = "children.child.given_name"
ROW = "5f0c3a52-8d54-4a63-9d0e-2f7f5f6f3c11"


@pytest.mark.parametrize(
    "ring",
    [
        "",
        " , ",
        "k1",
        "k1:",
        "k1:" + base64.urlsafe_b64encode(secrets.token_bytes(16)).decode(),
        "k1:" + base64.urlsafe_b64encode(secrets.token_bytes(33)).decode(),
        "k1:" + "*" * 43,
        "bad id:" + new_key(),
        ":" + new_key(),
        new_field_key("k1") + "," + new_field_key("k1"),
        new_field_key("k1") + ",",
    ],
    ids=[
        "empty",
        "only-commas",
        "no-key",
        "empty-key",
        "short-key",
        "long-key",
        "not-base64",
        "bad-key-id",
        "empty-key-id",
        "repeated-key-id",
        "empty-entry",
    ],
)
def test_malformed_key_rings_are_refused_without_echoing_keys(ring):
    with pytest.raises(ImproperlyConfigured) as refused:
        crypto.parse_key_ring(ring)
    key_parts = [entry.partition(":")[2] for entry in ring.split(",")]
    leaked = any(len(part) > 8 and part in str(refused.value) for part in key_parts)
    assert not leaked


def test_the_first_key_encrypts_and_every_key_decrypts():
    ring = crypto.parse_key_ring(f"{new_field_key('new')}, {new_field_key('old')}")
    assert ring.active_id == "new"
    assert set(ring.ciphers) == {"new", "old"}


def test_keys_may_be_unpadded_base64url():
    unpadded = new_key().rstrip("=")
    assert crypto.parse_key_ring(f"k1:{unpadded}").active_id == "k1"
    assert len(crypto.parse_blind_index_key(unpadded)) == 32


@pytest.mark.parametrize(
    "value",
    ["", "short", new_key()[:20], "k1:" + new_key()],
    ids=["empty", "short", "truncated", "a field key"],
)
def test_malformed_blind_index_keys_are_refused(value):
    with pytest.raises(ImproperlyConfigured):
        crypto.parse_blind_index_key(value)


def test_round_trip_and_stored_format(keys):
    envelope = crypto.encrypt(b"Jane Doe", column=COLUMN, row=ROW)
    version, key_id, body = envelope.split(":")
    assert (version, key_id) == ("v1", "k1")
    assert b"Jane" not in base64.urlsafe_b64decode(body + "==")
    assert_same(crypto.decrypt(envelope, column=COLUMN, row=ROW), b"Jane Doe")
    assert crypto.key_id_of(envelope) == "k1"


def test_every_encryption_uses_a_fresh_nonce(keys):
    first = crypto.encrypt(b"same", column=COLUMN, row=ROW)
    second = crypto.encrypt(b"same", column=COLUMN, row=ROW)
    assert first != second


@pytest.mark.parametrize("row", [ROW, "42", 'quote " and \\ backslash', "café ünïcode"])
def test_associated_data_is_the_json_list_of_version_key_column_and_row(row):
    # Values already stored were bound to exactly these bytes: they must never change.
    expected = json.dumps(["v1", "k1", COLUMN, row], separators=(",", ":")).encode()
    assert crypto._associated_data("k1", COLUMN, row) == expected


@pytest.mark.parametrize(
    ("column", "row"),
    [
        ("children.child.family_name", ROW),
        (COLUMN, "5f0c3a52-8d54-4a63-9d0e-2f7f5f6f3c12"),
    ],
    ids=["other-column", "other-row"],
)
def test_a_value_only_decrypts_for_its_own_column_and_row(keys, column, row):
    envelope = crypto.encrypt(b"Jane Doe", column=COLUMN, row=ROW)
    with pytest.raises(crypto.DecryptionError) as failed:
        crypto.decrypt(envelope, column=column, row=row)
    assert "Jane" not in str(failed.value)
    assert envelope.split(":")[2] not in str(failed.value)


def test_a_ring_reload_follows_the_setting(keys):
    envelope = crypto.encrypt(b"x", column=COLUMN, row=ROW)
    keys.use("k2", "k1")
    assert crypto.active_key_id() == "k2"
    assert crypto.key_id_of(crypto.encrypt(b"x", column=COLUMN, row=ROW)) == "k2"
    assert_same(crypto.decrypt(envelope, column=COLUMN, row=ROW), b"x")


def test_unknown_key_id_and_wrong_key_material_raise(keys, settings):
    envelope = crypto.encrypt(b"secret", column=COLUMN, row=ROW)
    keys.use("k9")
    with pytest.raises(crypto.DecryptionError, match="not in the ring"):
        crypto.decrypt(envelope, column=COLUMN, row=ROW)
    settings.FIELD_ENCRYPTION_KEYS = new_field_key("k1")  # same id, different key
    with pytest.raises(crypto.DecryptionError, match="does not authenticate"):
        crypto.decrypt(envelope, column=COLUMN, row=ROW)


def test_tampered_and_malformed_values_raise(keys):
    envelope = crypto.encrypt(b"secret value", column=COLUMN, row=ROW)
    prefix, body = envelope.rsplit(":", 1)
    flipped = body[:-3] + ("A" if body[-3] != "A" else "B") + body[-2:]
    candidates = [
        f"{prefix}:{flipped}",
        f"{prefix}:{body[:20]}",
        "v2" + envelope[2:],
        "plain text",
        "",
        f"{prefix}:not*base64",
    ]
    for candidate in candidates:
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(candidate, column=COLUMN, row=ROW)


def test_blind_digests_depend_on_the_column_and_the_key(keys, settings):
    first = crypto.blind_digest("core.person.name_index", b"jane")
    assert len(first) == 64
    assert crypto.blind_digest("core.person.other_index", b"jane") != first
    settings.BLIND_INDEX_KEY = new_key()
    assert crypto.blind_digest("core.person.name_index", b"jane") != first
