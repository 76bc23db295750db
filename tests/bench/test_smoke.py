"""The benchmarks keep working: every one runs once at a tiny scale (``bench.run --smoke``).

Figures from a smoke run mean nothing; what is checked is that each benchmark reaches the
real servers, gets real answers and writes its results. The datasets are cloned from the
test database pytest-django already migrated (PostgreSQL), or from a copy of it (SQLite),
so no migration is paid for here.
"""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.db import connection, connections

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def template(transactional_db, tmp_path: Path) -> str:
    """A database URL the smoke datasets can be cloned from: the migrated test database."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        copy = tmp_path / "template.sqlite3"
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        return f"sqlite:///{copy}"
    name = connection.settings_dict["NAME"]
    # A database is cloned only while nobody is connected to it: the pool's idle
    # connections too (it opens again on the next query).
    connections.close_all()
    for each in connections.all():
        if each.vendor == "postgresql":
            each.close_pool()
    # So must any connection an earlier test left open on another thread: end it (the pool
    # checks each connection before lending it, so nothing later trips on it).
    admin = psycopg.connect(os.environ["DATABASE_URL"], dbname="postgres", autocommit=True)
    with admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def test_every_benchmark_runs_at_a_tiny_scale(template: str, tmp_path: Path):
    environment = {**os.environ, "BENCH_DATA_DIR": str(tmp_path / "data")}
    if not template.startswith("sqlite"):
        parts = urlsplit(template)
        environment["BENCH_POSTGRES"] = urlunsplit(parts._replace(path=""))
    output = tmp_path / "results"
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--smoke",
            "--template",
            template,
            "--output",
            str(output),
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    (written,) = output.glob("*.json")
    results = json.loads(written.read_text())

    tiny = results["inbox"]["tiny"]
    assert tiny["visible_count"] > 0
    for timed in ("inbox", "agency_fk", "ping"):
        assert tiny[timed]["n"] == results["settings"]["rounds"]
    assert ("sql_floor" in tiny) == (not template.startswith("sqlite"))

    plan = results["caseplan"]
    assert plan["encrypted"]["open"]["n"] == plan["plaintext"]["open"]["n"] > 0
    assert plan["encrypted_vs_plaintext"] > 0

    writes = results["create_send"]
    assert writes["completed_in_all"] > 0
    assert writes["failures"] == 0, writes["first_error"]
    assert writes["pings_per_second"] > 0

    delivery = results["delivery"]
    if template.startswith("sqlite") or not os.environ.get("REDIS_URL"):
        assert "Redis" in delivery["skipped"]
    else:
        assert delivery["deliveries"] == delivery["expected_deliveries"] > 0
        assert delivery["sockets"] == results["settings"]["sockets"]

    table = (output / written.name.replace(".json", ".md")).read_text()
    assert "### Targets" in table
