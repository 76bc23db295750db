"""Fixtures shared by every test: fast hashing, a clean cache, API clients and a small world."""

import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCacheClient
from django.test import override_settings
from rest_framework.test import APIClient

from agencies.models import Agency, AgencyKind, Role
from tests.audit.backdoor import purge_audit_trail
from tests.factories import AgencyFactory, RegionFactory, member

# Watches the whole run for leaked canaries and prints the security suite's figures.
pytest_plugins = ["pytester", "tests.security.plugin"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _own_cache_keys() -> Iterator[None]:
    """On Redis the cache shares its database with the channel layer and with CI's other test
    processes: this process's keys get a prefix of their own, so that emptying the cache
    between tests removes only them (a FLUSHDB would wipe the other processes' channel
    groups, queued messages and counters mid-test)."""
    configured = django_settings.CACHES["default"]
    if configured["BACKEND"] != "django.core.cache.backends.redis.RedisCache":
        yield
        return
    own = {**configured, "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"}
    with override_settings(CACHES={**django_settings.CACHES, "default": own}):
        yield
        _empty_cache()


@pytest.fixture(autouse=True)
def _clean_cache(_own_cache_keys: None) -> None:
    _empty_cache()


def _empty_cache() -> None:
    if not isinstance(cache._cache, RedisCacheClient):
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


_TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction")
        or marker.kwargs.get("reset_sequences")
        or (marker.args and marker.args[0])
    ):
        return True
    return bool(_TRANSACTIONAL_FIXTURES & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _audit_trail_emptied_before_flush(request: pytest.FixtureRequest):
    """A transactional test ends by flushing every table, which the append-only audit table
    refuses while it holds events: empty it behind its triggers first.

    Requesting ``transactional_db`` here makes its flush run after this teardown.
    """
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    purge_audit_trail()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for():
    """``client_for(user)``: an API client signed in as ``user`` through a real session."""

    def make(user: object) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def north() -> object:
    return RegionFactory(code="north", name="North")


@pytest.fixture
def south() -> object:
    return RegionFactory(code="south", name="South")


@pytest.fixture
def social_services(north: object) -> Agency:
    return AgencyFactory(
        name="North Social Services", kind=AgencyKind.SOCIAL_SERVICES, region=north
    )


@pytest.fixture
def other_agency(south: object) -> Agency:
    return AgencyFactory(
        name="South Social Services", kind=AgencyKind.SOCIAL_SERVICES, region=south
    )


@pytest.fixture
def social_worker(social_services: Agency) -> object:
    return member(social_services, Role.SOCIAL_WORKER)


@pytest.fixture
def agency_admin(social_services: Agency) -> object:
    return member(social_services, Role.AGENCY_ADMIN)


@pytest.fixture
def outsider(other_agency: Agency) -> object:
    return member(other_agency, Role.AGENCY_ADMIN)


@pytest.fixture
def ws_payloads() -> object:
    """Every JSON payload the notifications WebSocket sends during the test, in order (sockets
    served in this process: Channels' communicators or a server thread)."""
    from tests.notifications.recorder import record_ws_payloads

    with record_ws_payloads() as sent:
        yield sent


def _shared_worker(path: str) -> str | None:
    """The group of tests that must share one pytest-xdist worker (``make test`` runs two), if
    ``path``'s tests belong to one: the browser tests use the session's one live platform and
    browser, the deploy tests the session's servers and seeded database, and the canary tests
    the canaries their module planted (and the count of what each of its scans saw)."""
    if path.startswith("tests/e2e/"):
        return "browser"
    if path.startswith("tests/deploy/"):
        return "deploy"
    if path == "tests/security/seeded/test_canaries.py":
        return "canaries"
    return None


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Each group of ``_shared_worker`` goes to one worker; every other test to whichever worker
    is free. (xdist's own ``--dist loadgroup`` marks groups in node ids, which pytest 9 no
    longer reads them from.)"""
    from xdist.scheduler import LoadScopeScheduling

    class SharedWorkerScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _shared_worker(nodeid.split("::", 1)[0]) or nodeid

    return SharedWorkerScheduling(config, log)
