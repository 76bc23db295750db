"""Response headers: one strict Content-Security-Policy everywhere (relaxed for the API docs
page alone), and nothing from the API kept in any cache."""

import pytest
from django.test import Client

from tests.config.test_webapp import built_app  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
}


def directives(response: object) -> set[str]:
    return {part.strip() for part in response["Content-Security-Policy"].split(";")}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/referrals/some-client-route",
        "/api/v1/auth/csrf/",
        "/api/v1/no-such-thing/",
        "/admin/login/",
    ],
)
def test_every_response_carries_the_strict_policy(built_app, path):
    response = Client().get(path)
    assert directives(response) >= STRICT
    assert not any("unsafe" in d for d in directives(response))


def test_api_answers_are_never_stored(client_for, social_worker):
    signed_in = client_for(social_worker)
    for path in ["/api/v1/auth/me/", "/api/v1/agencies/", "/api/v1/no-such-thing/"]:
        assert signed_in.get(path)["Cache-Control"] == "no-store", path
    assert Client().get("/api/v1/auth/csrf/")["Cache-Control"] == "no-store"
    assert Client().get("/api/v1/auth/me/")["Cache-Control"] == "no-store"


def test_the_web_app_shell_is_revalidated_not_forbidden_from_caches(built_app):
    assert Client().get("/")["Cache-Control"] == "no-cache"


def test_api_docs_load_their_script_from_this_origin_and_only_relax_styles():
    page = Client().get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>" not in html, "no inline script: the policy would block it"
    assert 'src="/api/docs/?script=' in html
    policy = directives(page)
    assert "script-src 'self'" in policy
    assert "style-src 'self' 'unsafe-inline'" in policy

    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
