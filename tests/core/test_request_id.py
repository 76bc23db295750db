"""Every request gets an id: on the response, on its log lines and on its audit events."""

import logging
import re

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEvent
from core.logging import RequestIdFilter, current_request_id
from core.middleware import RequestIdMiddleware

ME = "/api/v1/auth/me/"


@pytest.mark.django_db
def test_a_request_without_an_id_gets_a_fresh_one_shared_with_its_audit_event():
    response = APIClient().get(ME)

    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    refusal = AuditEvent.objects.filter(action=AuditAction.DENIED).get()
    assert refusal.request_id == request_id
    assert current_request_id.get() == "", "nothing carries over once the response is out"


@pytest.mark.django_db
def test_a_plain_incoming_id_is_kept():
    response = APIClient().get(ME, HTTP_X_REQUEST_ID="edge-proxy-1234-abcd")
    assert response["X-Request-ID"] == "edge-proxy-1234-abcd"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming",
    [
        "short",
        "x" * 65,
        "has space 123456",
        "new\nline-123456",
        "semi;colon-123456",
        "ünïcode-1234",
    ],
)
def test_an_odd_incoming_id_is_replaced(incoming):
    response = APIClient().get(ME, HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] != incoming
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_the_id_is_in_context_while_the_request_is_served():
    seen = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append((request.request_id, current_request_id.get()))
        return HttpResponse()

    response = RequestIdMiddleware(view)(RequestFactory().get("/"))

    assert seen == [(response["X-Request-ID"], response["X-Request-ID"])]
    assert current_request_id.get() == ""


def test_log_records_carry_the_request_id():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "message", None, None)
    token = current_request_id.set("log-request-0001")
    try:
        assert RequestIdFilter().filter(record)
    finally:
        current_request_id.reset(token)
    assert record.request_id == "log-request-0001"

    outside = logging.LogRecord("x", logging.INFO, __file__, 1, "message", None, None)
    RequestIdFilter().filter(outside)
    assert outside.request_id == "-"


def test_the_console_log_handler_prints_the_request_id():
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RequestIdFilter) for f in handler.filters)
    ]
    assert handlers, "settings.LOGGING wires the filter into the console handler"
    assert "%(request_id)s" in handlers[0].formatter._fmt
