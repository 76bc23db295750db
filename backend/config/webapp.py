"""Serving the built web app (``frontend/dist``): every client route answers with index.html.

WhiteNoise serves the build's files (``WHITENOISE_ROOT``); hashed assets are cached for a
year, index.html never, so a new build reaches every browser on its next page load. The
Content-Security-Policy comes from the one policy of the whole platform
(``settings.CONTENT_SECURITY_POLICY``, set on every response by django-csp).
"""

import re
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

# Vite names every built asset ``assets/<name>-<8-character hash>.<ext>``; Django's manifest
# storage, if a deployment uses it, names static files ``<name>.<12 hex digits>.<ext>``.
HASHED_ASSET = re.compile(
    r"^/assets/.+-[0-9A-Za-z_-]{8}\.[0-9a-z]+$|^/static/.+\.[0-9a-f]{12}\.[0-9a-z]+$"
)
NO_CACHE = "no-cache"


def is_hashed_asset(path: str, url: str) -> bool:
    return bool(HASHED_ASSET.match(url))


def add_static_headers(headers: dict[str, str], path: str, url: str) -> None:
    if Path(path).name == "index.html":
        headers["Cache-Control"] = NO_CACHE


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The app's shell page; the app itself decides what to show for the path."""
    index_html = Path(settings.FRONTEND_DIST) / "index.html"
    try:
        content = index_html.read_bytes()
    except FileNotFoundError:
        return HttpResponse(
            "The web app has not been built: run `make run` (or `make frontend`).",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(content, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = NO_CACHE
    return response


@csrf_exempt  # it changes nothing; a CSRF refusal would answer with Django's HTML page
def api_not_found(request: HttpRequest) -> JsonResponse:
    """Unknown API paths answer in the API's error shape, never with the web app's page."""
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
