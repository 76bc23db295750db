"""Demo secrets in var/: generated once, kept, and completed when a new one is added."""

import json
import stat

from core import crypto, demo_secrets


def test_demo_secrets_are_created_once_owner_only_and_valid(tmp_path):
    first = demo_secrets.load_or_create(tmp_path)
    assert demo_secrets.load_or_create(tmp_path) == first
    path = tmp_path / "demo-secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert crypto.parse_key_ring(first["field_encryption_keys"]).active_id == "demo1"
    assert len(crypto.parse_blind_index_key(first["blind_index_key"])) == 32


def test_an_older_file_gains_the_blind_index_key_and_keeps_the_rest(tmp_path):
    older = {"secret_key": "kept-secret", "field_encryption_keys": "demo1:kept"}
    (tmp_path / "demo-secrets.json").write_text(json.dumps(older))
    values = demo_secrets.load_or_create(tmp_path)
    assert values["secret_key"] == "kept-secret"
    assert values["field_encryption_keys"] == "demo1:kept"
    assert len(crypto.parse_blind_index_key(values["blind_index_key"])) == 32
    assert json.loads((tmp_path / "demo-secrets.json").read_text()) == values
