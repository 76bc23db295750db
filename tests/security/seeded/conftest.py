"""The seeded demo world that every test in this package shares.

``seed_demo`` runs once, when the first test here needs it, inside a transaction that is
rolled back when the last test of the package has run: the demo data never meets the rest of
the suite (whose transactional tests flush the database), and the security tests that need
committed data (``test_at_rest``, the concurrency harness) live outside this package. Each
test runs in its own savepoint on top of the world (pytest-django's ``db``).
"""

from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from tests.security.world import World

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="package")
def world(django_db_setup: None, django_db_blocker: object) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=FAST_HASHER):
            call_command("seed_demo", quiet=True)
            built = World.build()
        yield built
        transaction.set_rollback(True)
