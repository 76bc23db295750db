"""PostgreSQL or Redis unavailable: a clean 503 in the API's error shape, from a view or from
middleware; other errors stay errors. (Real outages: tests/deploy/test_outages.py.)"""

import logging

import pytest
from django.db import OperationalError
from django.test import Client
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.outages import unavailable_dependency

pytestmark = [pytest.mark.urls("tests.core.outage_views"), pytest.mark.django_db]

UNAVAILABLE = {
    "detail": "The service is briefly unavailable. Please try again in a moment.",
    "code": "service_unavailable",
}


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


@pytest.fixture
def failing_middleware(settings: object) -> None:
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.core.outage_views.FailingMiddleware"]


@pytest.mark.parametrize("failure", ["database", "redis"])
def test_a_view_that_loses_a_dependency_answers_503(client, failure, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.post(f"/test-failures/{failure}/")

    assert response.status_code == 503
    assert response.json() == UNAVAILABLE
    assert response["Retry-After"] == "5"
    assert f"{failure} unavailable" in caplog.text
    assert "secret-host" not in caplog.text, "only the exception's class is logged"


@pytest.mark.parametrize("failure", ["database", "redis"])
@pytest.mark.usefixtures("failing_middleware")
def test_a_middleware_that_loses_a_dependency_answers_503(client, failure):
    response = client.get("/api/v1/auth/me/", HTTP_X_FAIL_IN_MIDDLEWARE=failure)

    assert response.status_code == 503
    assert response.json() == UNAVAILABLE


@pytest.mark.usefixtures("failing_middleware")
def test_other_errors_are_a_json_500_that_says_nothing(client):
    for response in (
        client.post("/test-failures/bug/"),
        client.get("/api/v1/auth/me/", HTTP_X_FAIL_IN_MIDDLEWARE="bug"),
    ):
        assert response.status_code == 500
        assert response.json() == {
            "detail": "Something went wrong on our side.",
            "code": "server_error",
        }


def test_a_failure_caused_by_an_outage_counts_as_the_outage():
    wrapped = ValueError("wrapped")
    wrapped.__cause__ = RedisTimeoutError()
    assert unavailable_dependency(wrapped) == "redis"
    assert unavailable_dependency(OperationalError()) == "database"
    assert unavailable_dependency(ValueError()) is None
    assert unavailable_dependency(None) is None
