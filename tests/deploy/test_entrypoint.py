"""deploy/entrypoint.sh, run with bash as a container runs it. (The web and migrate roles start
for real in test_outages.py, the web, worker and scheduler roles in test_local_cluster.py.)"""

import os
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.deploy.services import ENTRYPOINT, free_port, production_secrets


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(ENTRYPOINT), *args],
        env={**os.environ, "PYTHON": sys.executable, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("args", [(), ("serve",), ("manage",)], ids=["none", "unknown", "bare"])
def test_an_unknown_role_is_refused_with_the_usage(args):
    result = run(*args)
    assert result.returncode == 64
    assert "usage:" in result.stderr


def test_a_role_gives_up_when_the_database_never_answers_and_names_no_host():
    started = time.monotonic()
    result = run(
        "worker",
        DEBUG="1",
        DATABASE_URL=f"postgres://platform@127.0.0.1:{free_port()}/platform",
        DATABASE_WAIT_SECONDS="2",
    )

    assert result.returncode != 0
    assert "The database did not answer within 2s" in result.stderr
    assert "127.0.0.1" not in result.stderr + result.stdout
    assert time.monotonic() - started < 60


def test_manage_runs_a_one_off_command_without_waiting(tmp_path):
    result = run("manage", "check", DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    assert result.returncode == 0, result.stderr[-3000:]
    assert "System check identified no issues" in result.stdout
    assert "The database is ready" not in result.stderr


def test_migrate_refuses_production_settings_that_fail_the_deployment_checklist(tmp_path):
    database = tmp_path / "db.sqlite3"
    result = run(
        "migrate",
        DEBUG="0",
        **production_secrets(),
        SECURE_SSL_REDIRECT="0",  # a deployment-checklist warning (security.W008)
        DATABASE_URL=f"sqlite:///{database}",
    )

    assert result.returncode != 0
    assert "security.W008" in result.stderr
    with sqlite3.connect(database) as db:
        tables = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert tables == [], "nothing was migrated"
