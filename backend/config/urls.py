from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import webapp

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("agencies.api.urls")),
    path("", include("audit.api.urls")),
    path("", include("children.api.urls")),
    path("", include("consent.api.urls")),
    path("", include("pathways.api.urls")),
    path("", include("referrals.api.urls")),
    path("", include("caseplans.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("governance.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's start-up script is served from this same path (?script), not inline; its
    # page and widgets set inline styles, which the policy allows here and nowhere else.
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="schema")
        ),
        name="api-docs",
    ),
    # Keep these two last. An unknown API path is a JSON 404 (only paths ending in a slash, so
    # APPEND_SLASH still redirects "/api/v1/x" to "/api/v1/x/"); every other path that is not
    # the platform's own is a client route of the web app, so a reload anywhere works.
    re_path(r"^api/(?:.*/)?$", webapp.api_not_found),
    re_path(r"^(?!(?:api|admin|static|ws|assets)(?:/|$)).*$", webapp.index, name="webapp"),
]

# Unexpected errors answer JSON; an unavailable database or Redis answers 503 (core.outages).
handler500 = "core.outages.server_error"
