"""A URLconf and a middleware that fail on purpose, for tests/core/test_outages.py.

The platform's own routes stay behind the test ones, with the platform's ``handler500``.
"""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.deprecation import MiddlewareMixin
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config import urls as platform_urls

FAILURES: dict[str, type[Exception]] = {
    "database": OperationalError,
    "redis": RedisConnectionError,
    "bug": RuntimeError,
}


class FailingView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    def post(self, request: Request, failure: str) -> Response:
        raise FAILURES[failure]("secret-host.internal:5432 refused user=platform")


class FailingMiddleware(MiddlewareMixin):
    """Fails before any view runs, as a session read would with the database gone."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        failure = request.headers.get("X-Fail-In-Middleware")
        if failure:
            raise FAILURES[failure]("secret-host.internal:6379 refused")
        return None


urlpatterns = [
    path("test-failures/<str:failure>/", FailingView.as_view()),
    *platform_urls.urlpatterns,
]
handler500 = platform_urls.handler500
