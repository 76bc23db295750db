"""When PostgreSQL or Redis goes away, answer 503 in the API's error shape, and recover alone.

Nothing is half-written: every service changes state inside one transaction, which the failure
rolls back (or never begins). Nothing has to be restarted either: on PostgreSQL a request takes
a connection from its process's pool, which waits at most a few seconds for one while the
database is away (then the 503), checks each one before lending it (``CONN_HEALTH_CHECKS``) and
connects anew once the database answers (settings ``DATABASES``); the Redis clients reconnect on
their next command. The first request after the dependency is back succeeds.

Two entry points give the same answer:

* ``DependencyOutageMiddleware.process_exception`` for failures inside a view (the usual case,
  in demo mode as in production);
* ``server_error``, the project's ``handler500``, for failures in middleware (a session read,
  say), which Django turns into a 500 before any middleware sees them. It answers every other
  unexpected error with a JSON 500 instead of Django's HTML page.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.deprecation import MiddlewareMixin
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
DATABASE = "database"
REDIS = "redis"
_OUTAGES: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((OperationalError, InterfaceError), DATABASE),
    ((RedisConnectionError, RedisTimeoutError), REDIS),
)


def unavailable_dependency(exc: BaseException | None) -> str | None:
    """``"database"`` or ``"redis"`` when ``exc`` (or what caused it) is that dependency being
    unreachable; None for anything else."""
    seen = 0
    while exc is not None and seen < 5:
        for kinds, dependency in _OUTAGES:
            if isinstance(exc, kinds):
                return dependency
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def unavailable_response(dependency: str, exc: BaseException) -> JsonResponse:
    # The exception's text can name hosts and users: only its class is logged.
    logger.warning("Answered 503: %s unavailable (%s)", dependency, type(exc).__name__)
    response = JsonResponse(
        {
            "detail": "The service is briefly unavailable. Please try again in a moment.",
            "code": "service_unavailable",
        },
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DependencyOutageMiddleware(MiddlewareMixin):
    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        dependency = unavailable_dependency(exception)
        if dependency is None:
            return None
        return unavailable_response(dependency, exception)


def server_error(request: HttpRequest) -> JsonResponse:
    """``handler500``: Django calls it while handling the exception, so ``sys.exc_info()`` is
    that exception (asgiref carries it into the thread that runs this)."""
    exc = sys.exc_info()[1]
    dependency = unavailable_dependency(exc)
    if dependency is not None and exc is not None:
        return unavailable_response(dependency, exc)
    return JsonResponse(
        {"detail": "Something went wrong on our side.", "code": "server_error"}, status=500
    )
