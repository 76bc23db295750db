"""The backup and restore drill: a seeded database is backed up with deploy/backup, restored
with deploy/restore into a new one, and the restored copy is proved whole: the audit chain
verifies end to end, and every child's encrypted details decrypt (and stay searchable) with the
same keys, to exactly what the original holds. PostgreSQL tier only."""

import json
import stat
import subprocess
from pathlib import Path

import pytest

from core.demo_secrets import new_field_key
from tests.deploy.services import ROOT, run_role

pytestmark = pytest.mark.postgres

# Run inside a platform process against a database: a digest of every child's decrypted details
# (nothing readable leaves the process) and how many are found again through their blind index.
READ_CHILDREN = """
import hashlib, json
from children.models import Child
from core.fields import blind_lookup
digest, indexed = hashlib.sha256(), 0
children = list(Child.objects.order_by("pk"))
for child in children:
    for value in (child.given_name, child.family_name, child.date_of_birth, child.address):
        digest.update(repr(value).encode())
    if child.match_name and child.date_of_birth:
        lookup = blind_lookup(Child, "identity_index", child.match_name, child.date_of_birth)
        indexed += Child.objects.filter(pk=child.pk, **lookup).count()
print(json.dumps({"children": len(children), "indexed": indexed, "digest": digest.hexdigest()}))
"""


def script(name: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "deploy" / name), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def children_of(env: dict[str, str]) -> dict:
    result = run_role("manage", "shell", "-c", READ_CHILDREN, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_backup_restores_into_a_new_database_that_verifies_and_decrypts(
    seeded_database, new_database, tmp_path
):
    original = seeded_database.environment()
    dump = tmp_path / "backups" / "platform.dump"

    backed_up = script("backup", str(dump), env=original)
    assert backed_up.returncode == 0, backed_up.stderr
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600, "only its owner may read a backup"
    assert not Path(f"{dump}.partial").exists()

    restored = seeded_database.environment(DATABASE_URL=new_database())
    result = script("restore", str(dump), env=restored)
    assert result.returncode == 0, result.stderr
    again = script("restore", str(dump), env=restored)
    assert again.returncode != 0
    assert "not empty" in again.stderr

    verified = run_role("manage", "audit_verify", env=restored)
    assert verified.returncode == 0, verified.stderr[-2000:]
    assert verified.stdout.startswith("Audit chain intact")

    copy = children_of(restored)
    assert copy == children_of(original)
    assert copy["children"] > 0
    assert copy["indexed"] > 0

    # The restored values really are ciphertext: other keys cannot read them.
    wrong_keys = {**restored, "FIELD_ENCRYPTION_KEYS": new_field_key("k1")}
    refused = run_role("manage", "shell", "-c", READ_CHILDREN, env=wrong_keys)
    assert refused.returncode != 0
    assert "DecryptionError" in refused.stderr
