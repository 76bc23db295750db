"""At rest: no planted canary appears in a dump of the database (issue 10, point 4).

The demo data is seeded and committed, canaries are planted in every encrypted and
categorised field, every list is read by a demo user of each role (so that audit events and
anything else written on the way are in the database too), and then the whole database is
dumped the way an attacker with a backup would see it: ``pg_dump`` on PostgreSQL, SQLite's ``.dump``
(``iterdump``) otherwise. Every table and column is in the dump, notification rows and audit
details included, so a new table is covered as soon as it exists.
"""

import os
import subprocess

import pytest
from django.core.management import call_command
from django.db import connection

from tests.security.canaries import plant_everywhere
from tests.security.catalogue import operations
from tests.security.plugin import REPORT, leaks_in
from tests.security.world import World


def database_dump() -> str:
    """The whole database as SQL text."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    command = ["pg_dump", "--no-owner", "--dbname", db["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [flag, str(db[key])]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout


@pytest.mark.django_db(transaction=True)
def test_no_canary_in_a_dump_of_the_database():
    call_command("seed_demo", quiet=True)
    planting = plant_everywhere()
    world = World.build()
    reads = 0
    for op in operations():
        if op.method != "get" or not op.is_collection_read or op.path_params:
            continue
        for caller in world.callers_for(op.label):
            if not caller.is_anonymous:
                caller.client().get(op.url(), {"page_size": 100})
                reads += 1

    dump = database_dump()
    leaks = sorted(set(leaks_in(dump)))
    REPORT.count(
        f"at rest ({connection.vendor})",
        dump_bytes=len(dump),
        canaries_checked=len(planting.canaries),
        reads_before_dump=reads,
        leaks=len(leaks),
    )
    assert "North Social Services" in dump, "the dump must hold the demo data"
    if planting.canaries:
        assert "v1:" in dump, "encrypted values must be in the dump, as ciphertext"
    assert not leaks, "plaintext of planted values in the database dump:\n" + "\n".join(leaks)
