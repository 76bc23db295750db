"""A database of its own, migrated through deploy/entrypoint.sh and seeded with the demo data,
shared by the cluster test and the backup drill (PostgreSQL tier only).

It lives on the CI's PostgreSQL server beside the test database, under a random name, with
secrets generated for this run only, and is dropped at the end of the session.
"""

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from tests.deploy.services import production_secrets, role_environment, run_role


@dataclass(frozen=True)
class SeededDatabase:
    url: str
    # The keys its encrypted values were written under; every process that reads it needs them.
    secrets: dict[str, str] = field(repr=False)

    def environment(self, **env: str) -> dict[str, str]:
        return role_environment(**{"DEBUG": "1", "DATABASE_URL": self.url, **self.secrets, **env})


def postgres_server_url() -> str | None:
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://")):
        return None
    return configured


def database_url(server_url: str, name: str) -> str:
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def new_database() -> Iterator[object]:
    """``new_database()``: the URL of a new, empty database, dropped after the session."""
    server = postgres_server_url()
    if server is None:
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    admin_url = database_url(server, "postgres")
    created: list[str] = []

    def make() -> str:
        name = f"deploy_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return database_url(server, name)

    yield make
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for name in created:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def seeded_database(new_database: object) -> SeededDatabase:
    seeded = SeededDatabase(url=new_database(), secrets=production_secrets())
    env = seeded.environment()
    for command in (("migrate",), ("manage", "seed_demo", "--quiet")):
        result = run_role(*command, env=env, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
    return seeded
