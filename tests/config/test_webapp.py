"""The platform serves the web app: index.html for client routes, JSON 404 for unknown API."""

import pytest
from django.test import Client

from config import webapp

INDEX = b"<!doctype html><title>app</title><div id=root></div>"


@pytest.fixture
def built_app(settings, tmp_path):
    (tmp_path / "index.html").write_bytes(INDEX)
    settings.FRONTEND_DIST = tmp_path
    return tmp_path


@pytest.mark.parametrize("path", ["/", "/staff", "/agency", "/some/deep/client/route?tab=2"])
def test_client_routes_answer_with_the_app_uncached(built_app, path):
    response = Client().get(path)
    assert response.status_code == 200
    assert response.content == INDEX
    assert response["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/no-such-version/", "/api/"])
def test_unknown_api_paths_stay_json_404(built_app, path):
    response = Client().get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_api_paths_without_trailing_slash_still_redirect(built_app):
    response = Client().get("/api/v1/auth/me")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/auth/me/"


@pytest.mark.parametrize(
    "path", ["/static/missing.css", "/assets/missing.js", "/ws/notifications/"]
)
def test_platform_paths_are_not_swallowed_by_the_app(built_app, path):
    response = Client().get(path)
    assert response.status_code == 404
    assert INDEX not in response.content


def test_admin_is_not_swallowed(built_app):
    response = Client().get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_unbuilt_app_says_how_to_build_it(settings, tmp_path):
    settings.FRONTEND_DIST = tmp_path / "missing"
    response = Client().get("/staff")
    assert response.status_code == 503
    assert b"make run" in response.content


def test_app_routes_refuse_writes(built_app):
    assert Client().post("/staff").status_code == 405


def test_only_hashed_assets_are_cached_for_good():
    assert webapp.is_hashed_asset("", "/assets/index-Wf8s4OgB.js")
    assert webapp.is_hashed_asset("", "/static/admin/css/base.0123456789ab.css")
    assert not webapp.is_hashed_asset("", "/favicon.svg")
    assert not webapp.is_hashed_asset("", "/index.html")
    assert not webapp.is_hashed_asset("", "/assets/logo.svg")


def test_index_html_is_never_cached_when_served_as_a_file():
    headers = {"Cache-Control": "max-age=60, public"}
    webapp.add_static_headers(headers, "/srv/frontend/dist/index.html", "/index.html")
    assert headers["Cache-Control"] == "no-cache"
    other = {"Cache-Control": "max-age=60, public"}
    webapp.add_static_headers(other, "/srv/frontend/dist/favicon.svg", "/favicon.svg")
    assert other["Cache-Control"] == "max-age=60, public"


def test_unknown_api_paths_are_json_404_for_writes_without_csrf_too(built_app):
    response = Client(enforce_csrf_checks=True).post("/api/v1/referrals/not.an.id/accept/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
