"""One access line per request: the route pattern, never the URL or its query; JSON in
production."""

import json
import logging
import logging.config
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject

from core.access_log import user_id_of
from core.demo_secrets import new_field_key, new_key
from core.logging import RequestIdFilter

BACKEND = Path(__file__).resolve().parents[2] / "backend"


def access_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "access"]


@pytest.mark.django_db
def test_a_request_is_logged_by_its_route_pattern_with_its_id_and_person(
    client_for, social_worker, caplog
):
    client = client_for(social_worker)
    with caplog.at_level(logging.INFO, logger="access"):
        response = client.get("/api/v1/referrals/424242/?name=Jane+Doe&dob=2012-01-01")

    [record] = access_records(caplog)
    assert record.method == "GET"
    assert record.route == "/api/v1/referrals/<pk>/"
    assert record.status == response.status_code == 404
    assert record.user_id == social_worker.pk
    assert record.duration_ms >= 0
    assert record.request_id == response["X-Request-ID"]
    line = record.getMessage()
    for concrete in ("424242", "Jane", "2012"):
        assert concrete not in line


@pytest.mark.django_db
def test_anonymous_and_unresolved_requests_have_no_person_and_no_route(api_client, caplog):
    with caplog.at_level(logging.INFO, logger="access"):
        api_client.get("/api/v1/auth/me/")
        api_client.get("/assets/missing-abcdefgh.js?q=secret")

    first, second = access_records(caplog)
    assert (first.route, first.user_id) == ("/api/v1/auth/me/", None)
    assert first.status == 401
    assert (second.route, second.user_id) == (None, None)
    assert "secret" not in second.getMessage()


def test_a_person_nobody_asked_for_is_not_looked_up():
    request = RequestFactory().get("/")

    def look_up() -> object:
        raise AssertionError("the log line must not query the database")

    request.user = SimpleLazyObject(look_up)
    assert user_id_of(request) is None
    request.user = AnonymousUser()
    assert user_id_of(request) is None


def test_the_json_format_puts_each_field_in_its_own_key():
    configurator = logging.config.DictConfigurator({})
    formatter = configurator.configure_formatter(
        dict(django_settings.LOGGING["formatters"]["json"])
    )
    record = logging.LogRecord("access", logging.INFO, __file__, 1, "%s %s", ("GET", "/x/"), None)
    for key, value in {"route": "/x/", "status": 200, "duration_ms": 1.5, "user_id": 7}.items():
        setattr(record, key, value)
    RequestIdFilter().filter(record)

    line = json.loads(formatter.format(record))

    assert line["message"] == "GET /x/"
    assert line["level"] == "INFO"
    assert line["logger"] == "access"
    assert line["request_id"] == "-"
    assert (line["route"], line["status"], line["user_id"]) == ("/x/", 200, 7)
    assert "time" in line


def _log_output(command: tuple[str, ...] = (), **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"}
    }
    code = "import logging; logging.getLogger('probe').warning('hello %s', 'there')"
    return subprocess.run(
        [sys.executable, "manage.py", *(command or ("shell", "-c", code))],
        cwd=BACKEND,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_logs_json_and_demo_mode_plain_lines():
    production = _log_output(
        DEBUG="0",
        SECRET_KEY=new_key() + new_key(),
        FIELD_ENCRYPTION_KEYS=new_field_key("k1"),
        BLIND_INDEX_KEY=new_key(),
    )
    assert production.returncode == 0, production.stderr[-2000:]
    [line] = [json.loads(text) for text in production.stderr.splitlines() if "hello" in text]
    assert (line["message"], line["logger"], line["level"]) == ("hello there", "probe", "WARNING")

    demo = _log_output(DEBUG="1")
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "WARNING probe [-] hello there" in demo.stderr

    refused = _log_output(("check",), DEBUG="1", LOG_FORMAT="xml")
    assert refused.returncode != 0
    assert "LOG_FORMAT" in refused.stderr
