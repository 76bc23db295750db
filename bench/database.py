"""The benchmark databases on the local PostgreSQL server (or SQLite files for the smoke run).

Every generated database carries a ``bench_dataset`` table with its manifest; only databases
that carry it are ever replaced or dropped here. A migrated, empty template
(``bench_template_<hash of the migrations>``) is made once and cloned for each dataset, so
generating does not pay for migrating.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench import ROOT

SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
MARKER = "bench_dataset"


def url_for(name: str) -> str:
    """The URL of database ``name`` on the benchmark server."""
    return f"{SERVER.rstrip('/')}/{name}"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite://"))


def name_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _admin(url: str) -> psycopg.Connection:
    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def exists(url: str) -> bool:
    if is_sqlite(url):
        return sqlite_path(url).exists()
    with _admin(url) as admin:
        return bool(
            admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name_of(url)]).fetchone()
        )


def manifest(url: str) -> dict[str, Any] | None:
    """The manifest of a generated dataset, or None if ``url`` holds none."""
    if not exists(url):
        return None
    if is_sqlite(url):
        with sqlite3.connect(sqlite_path(url)) as db:
            found = db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name=?", [MARKER]
            ).fetchone()
            if not found:
                return None
            return {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM bench_dataset")}
    with psycopg.connect(url) as db:
        if not db.execute("SELECT to_regclass(%s)", [MARKER]).fetchone()[0]:
            return None
        return dict(db.execute("SELECT key, value FROM bench_dataset").fetchall())


def write_manifest(url: str, values: dict[str, Any]) -> None:
    if is_sqlite(url):
        with sqlite3.connect(sqlite_path(url)) as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS bench_dataset (key text PRIMARY KEY, value text)"
            )
            db.executemany(
                "INSERT OR REPLACE INTO bench_dataset VALUES (?, ?)",
                [(k, json.dumps(v)) for k, v in values.items()],
            )
        return
    with psycopg.connect(url) as db:
        db.execute("CREATE TABLE IF NOT EXISTS bench_dataset (key text PRIMARY KEY, value jsonb)")
        with db.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO bench_dataset VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [(k, json.dumps(v)) for k, v in values.items()],
            )


def drop(url: str) -> None:
    """Drop a generated dataset; refuses anything that is not one."""
    if not exists(url):
        return
    if manifest(url) is None and not name_of(url).startswith("bench_scratch_"):
        raise SystemExit(f"{name_of(url)} is not a generated benchmark dataset: not dropping it.")
    if is_sqlite(url):
        sqlite_path(url).unlink()
        return
    with _admin(url) as admin:
        admin.execute(f'DROP DATABASE "{name_of(url)}" WITH (FORCE)')


def clone(source: str, target: str) -> None:
    """A copy of database ``source`` as ``target`` (nobody may be connected to ``source``)."""
    if is_sqlite(source):
        shutil.copyfile(sqlite_path(source), sqlite_path(target))
        return
    with _admin(target) as admin:
        for attempt in range(20):
            try:
                admin.execute(f'CREATE DATABASE "{name_of(target)}" TEMPLATE "{name_of(source)}"')
                return
            except psycopg.errors.ObjectInUse:
                # A connection that was just closed can linger for a moment.
                if attempt == 19:
                    raise
                time.sleep(0.5)


def migrations_hash() -> str:
    """What the schema depends on: every migration file and the locked dependencies."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "backend").glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    digest.update((ROOT / "requirements.lock").read_bytes())
    return digest.hexdigest()[:10]


def ensure_template() -> str:
    """The URL of a migrated, empty database for the current schema, made if missing."""
    url = url_for(f"bench_template_{migrations_hash()}")
    if exists(url):
        with psycopg.connect(url) as db:
            ready = db.execute("SELECT to_regclass('bench_template_ready')").fetchone()[0]
        if ready:
            return url
        with _admin(url) as admin:
            admin.execute(f'DROP DATABASE "{name_of(url)}" WITH (FORCE)')
    print(f"migrating a template database ({name_of(url)}), once for this schema ...", flush=True)
    with _admin(url) as admin:
        admin.execute(f'CREATE DATABASE "{name_of(url)}"')
    migrate(url)
    with psycopg.connect(url) as db:
        db.execute("CREATE TABLE bench_template_ready ()")
    return url


def migrate(url: str) -> None:
    subprocess.run(
        [sys.executable, "backend/manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PYTHONPATH": str(ROOT),
        },
        check=True,
    )


def drop_template_marker(url: str) -> None:
    """A clone of the template is a dataset, not a template."""
    if not is_sqlite(url):
        with psycopg.connect(url) as db:
            db.execute("DROP TABLE IF EXISTS bench_template_ready")
