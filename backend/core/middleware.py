"""The platform's own HTTP middleware: every request gets an id (so a log line, an audit event
and a response can be matched), no NUL character in a URL or cookie reaches a query, and no
API answer is cached."""

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.deprecation import MiddlewareMixin

from core.logging import current_request_id
from core.parsers import NUL, NUL_CODE, NUL_REFUSED

REQUEST_ID_HEADER = "X-Request-ID"
API_PREFIX = "/api/v1/"
# An id from a proxy or client is kept only if it is short and plain, so it cannot smuggle
# anything into logs or the audit trail.
_ACCEPTABLE_ID = re.compile(r"[A-Za-z0-9-]{8,64}")

GetResponse = Callable[[HttpRequest], HttpResponse]


def _request_id_for(request: HttpRequest) -> str:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    if _ACCEPTABLE_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class Middleware:
    """Base of the platform's plain middleware. Each runs synchronously, as the whole chain
    does (``config.asgi.SyncASGIHandler``)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response


class RequestIdMiddleware(Middleware):
    """Sets ``request.request_id`` and the logging context; echoes ``X-Request-ID``.

    The context is reset after the response, so a thread that serves the next request, or
    runs anything else, never carries a stale id into its logs or audit events.
    """

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = _request_id_for(request)
        token = current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


class NulCharacterMiddleware(MiddlewareMixin):
    """Refuses (400, the API's error shape) a request whose path, query string or cookies hold
    a NUL character: PostgreSQL cannot compare text with one (a server error), and no real
    value has one. JSON bodies are checked by ``core.parsers.JSONParser``."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        texts = [request.path, *request.COOKIES.keys(), *request.COOKIES.values()]
        for key, values in request.GET.lists():
            texts += [key, *values]
        if any(NUL in text for text in texts):
            return JsonResponse({"detail": NUL_REFUSED, "code": NUL_CODE}, status=400)
        return None


class NoStoreApiMiddleware(MiddlewareMixin):
    """No API answer may be kept by a browser or proxy cache: they carry case data, tokens and
    who is signed in, and would outlive sign-out on a shared computer."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            response["Cache-Control"] = "no-store"
        return response
