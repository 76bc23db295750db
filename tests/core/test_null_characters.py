"""A NUL character anywhere in a request is refused with a 400 in the API's error shape, before
it reaches a query: PostgreSQL cannot hold one ("A string literal cannot contain NUL"), which
was a server error, and SQLite stored it silently. Run on both tiers."""

import uuid

import pytest

from agencies.models import Role
from core.parsers import holds_nul
from tests.factories import member

pytestmark = pytest.mark.django_db

REFUSED = {"detail": "Null characters are not allowed.", "code": "null_characters_not_allowed"}


@pytest.fixture
def admin_client(social_services, client_for):
    return client_for(member(social_services, Role.AGENCY_ADMIN))


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/agencies/?region=%00",  # a value
        "/api/v1/agencies/?region=north%00&kind=police",  # inside a value
        "/api/v1/agencies/?reg%00ion=north",  # a parameter's name
        "/api/v1/agencies/%00/",  # the path
        "/api/v1/memberships/?agency=1%00",
    ],
)
def test_a_nul_in_the_url_is_refused(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 400
    assert response.json() == REFUSED


def test_a_nul_in_a_cookie_is_refused(admin_client):
    admin_client.cookies["sessionid"] = "abcdefgh\x00ijk"
    response = admin_client.get("/api/v1/agencies/")
    assert response.status_code == 400
    assert response.json() == REFUSED


def test_a_nul_anywhere_in_a_json_body_is_refused(social_services, admin_client):
    """An unknown HSDS field is kept as JSON: a NUL in it reached the database."""
    document = {
        "id": str(uuid.uuid4()),
        "name": social_services.name,
        "description": "Social services",
        "legal_status": "Local\x00authority",
    }
    response = admin_client.post("/api/v1/directory/import/", document, format="json")
    assert response.status_code == 400
    assert response.json() == REFUSED


@pytest.mark.parametrize(
    "document",
    [
        "a\x00",
        {"k\x00": 1},
        {"k": [1, {"deep": ["\x00"]}]},
        [[[[[[["\x00"]]]]]]],
    ],
)
def test_every_place_a_nul_can_hide_in_json_is_found(document):
    assert holds_nul(document)


def test_documents_without_a_nul_pass():
    assert not holds_nul({"name": "Ann", "ages": [1, 2.5, None, True], "nested": {"k": "\\u0000"}})


def test_urls_and_bodies_without_a_nul_are_served(admin_client):
    assert admin_client.get("/api/v1/agencies/?region=north").status_code == 200
