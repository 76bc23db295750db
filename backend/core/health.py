"""Liveness and readiness for load balancers and orchestrators.

* ``GET /healthz``: the process is up and serving. Touches no dependency, so a database outage
  never gets healthy web processes restarted.
* ``GET /readyz``: the dependencies answer: the database (``SELECT 1``) and, when ``REDIS_URL``
  is set, Redis (``PING``). A 503 names the failing dependency and nothing else (no host, no
  error text).

Both are answered by a middleware at the top of the stack, before host validation, the HTTPS
redirect, sessions and the access log: probes come over plain HTTP from inside the network, with
whatever ``Host`` header the orchestrator sends, several times a minute. Neither needs or reads a
session, and neither says anything about the data.
"""

import functools
import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.deprecation import MiddlewareMixin
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

OK = "ok"
UNAVAILABLE = "unavailable"
# A probe must answer well within the orchestrator's own timeout, even when Redis is
# unreachable rather than refusing connections.
REDIS_TIMEOUT_SECONDS = 2


def healthz(request: HttpRequest) -> JsonResponse:
    return _probe_response({"status": OK}, status=200)


def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database()}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis(settings.REDIS_URL)
    ready = all(result == OK for result in checks.values())
    return _probe_response(
        {"status": "ready" if ready else UNAVAILABLE, "checks": checks},
        status=200 if ready else 503,
    )


PROBES: dict[str, Callable[[HttpRequest], JsonResponse]] = {
    "/healthz": healthz,
    "/readyz": readyz,
}


class HealthCheckMiddleware(MiddlewareMixin):
    """Answers the probe paths itself; every other request passes through untouched."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        probe = PROBES.get(request.path_info)
        if probe is None:
            return None
        if request.method not in ("GET", "HEAD"):
            response = _probe_response({"detail": "Method not allowed."}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        return probe(request)


def _probe_response(body: dict[str, object], *, status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("Readiness: the database is unavailable (%s)", type(exc).__name__)
        return UNAVAILABLE
    return OK


def _check_redis(url: str) -> str:
    try:
        _redis_client(url).ping()
    except redis.RedisError as exc:
        logger.warning("Readiness: Redis is unavailable (%s)", type(exc).__name__)
        return UNAVAILABLE
    return OK


@functools.lru_cache(maxsize=4)
def _redis_client(url: str) -> redis.Redis:
    # One pool per process, reused by every probe; no retries, so a probe reports at once.
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 0),
    )
