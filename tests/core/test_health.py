"""/healthz and /readyz: answered to any probe, saying which dependency fails and nothing more."""

import socket
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from core import health


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def probe() -> Client:
    # An orchestrator's probe: plain HTTP, its own Host header, no cookies.
    return Client(HTTP_HOST="10.1.2.3:8000")


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(probe, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = probe.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_healthz_answers_even_when_the_database_is_down(probe):
    # No django_db mark: any query would fail the test.
    assert probe.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_readyz_checks_the_database_and_redis_when_configured(probe, settings):
    response = probe.get("/readyz")

    assert response.status_code == 200
    expected = {"database": "ok", **({"redis": "ok"} if settings.REDIS_URL else {})}
    assert response.json() == {"status": "ready", "checks": expected}


@pytest.mark.django_db
def test_readyz_names_an_unavailable_database_and_no_details(probe, caplog):
    failure = OperationalError('connection to server at "db.internal" (10.9.8.7) failed')
    with mock.patch.object(health.connection, "cursor", side_effect=failure):
        response = probe.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["database"] == "unavailable"
    assert "10.9.8.7" not in response.content.decode()
    assert "10.9.8.7" not in caplog.text


@pytest.mark.django_db
def test_readyz_names_an_unreachable_redis(probe, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

    response = probe.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "unavailable"},
    }


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_only_read(probe, path):
    response = probe.post(path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.django_db
def test_probes_are_not_the_web_app_and_skip_the_https_redirect(probe, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = probe.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    # Everything else is still redirected.
    assert Client().get("/api/v1/auth/me/").status_code == 301
