"""One log line per HTTP request, safe to ship anywhere: no personal data.

The line names the route *pattern* the request matched (``/api/v1/referrals/<pk>/send/``), never
the concrete path and never the query string, where search terms could be. With
``LOG_FORMAT=json`` each field is its own JSON key: ``request_id`` (also on the response and the
request's audit events), ``method``, ``route``, ``status``, ``duration_ms`` and ``user_id`` (the
internal id, or null). It replaces uvicorn's access log, which prints raw URLs (settings.LOGGING
silences that one).
"""

import logging
import re
import time

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

from core.middleware import Middleware

logger = logging.getLogger("access")

# A router's regex group, ``(?P<pk>[^/.]+)``, is logged as ``<pk>``, like a path converter.
_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>[^()]*\)")


class AccessLogMiddleware(Middleware):
    """Logs each request once its response is ready. Goes right after ``RequestIdMiddleware``,
    so the line carries the request id."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        log_request(request, response, started)
        return response


def log_request(request: HttpRequest, response: HttpResponse, started: float) -> None:
    route = route_of(request)
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    logger.info(
        "%s %s %s %.1fms",
        request.method,
        route or "-",
        response.status_code,
        duration_ms,
        extra={
            "method": request.method,
            "route": route,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "user_id": user_id_of(request),
        },
    )


def route_of(request: HttpRequest) -> str | None:
    """The URL pattern that served the request; None when no view was resolved (a static file
    served by WhiteNoise, or a path that matched nothing)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    route = _NAMED_GROUP.sub(r"<\1>", match.route)
    return "/" + route.removeprefix("^").removesuffix("$")


def user_id_of(request: HttpRequest) -> int | None:
    """The signed-in person's id, if the request already worked it out.

    A user that nothing asked for is left unevaluated: looking it up would cost a query per
    request (and fail while the database is down) only to write a log line.
    """
    user = request.__dict__.get("user")
    if user is None:
        return None
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return None
    if not user.is_authenticated:
        return None
    return user.pk
