"""List endpoints and matching use a fixed number of queries, however many rows."""

import pytest

from pathways.vocabulary import NeedCategory
from tests.pathways.conftest import make_pathway, make_service

pytestmark = pytest.mark.django_db

NEED = NeedCategory.POLICE_INVESTIGATION


def build(agency, count, offset=0):
    made = [
        make_service(
            agency, f"Service {offset + i}", [NEED, NeedCategory.THERAPY], languages=["en"]
        )
        for i in range(count)
    ]
    make_pathway(agency, [(s, 1) for s in made], name=f"Route {offset}")
    return made


@pytest.fixture
def reader(social_worker, client_for):
    client = client_for(social_worker)
    client.get("/api/v1/auth/me/")  # session and memberships warmed the same way for every count
    return client


@pytest.mark.parametrize("count", [2, 6])
def test_services_list_query_count(reader, social_services, django_assert_num_queries, count):
    build(social_services, count)
    with django_assert_num_queries(7):
        response = reader.get("/api/v1/services/")
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [2, 6])
def test_pathways_list_query_count(reader, social_services, django_assert_num_queries, count):
    build(social_services, count)
    build(social_services, count, offset=100)
    with django_assert_num_queries(7):
        response = reader.get("/api/v1/pathways/")
    assert len(response.json()["results"]) == 2
    assert len(response.json()["results"][0]["steps"]) == count


@pytest.mark.parametrize("count", [2, 6])
def test_match_query_count(reader, social_services, police, django_assert_num_queries, count):
    build(social_services, count)
    for i in range(count):
        make_service(police, f"Directory {i}", [NEED])
    with django_assert_num_queries(12):
        response = reader.get(
            "/api/v1/pathways/match/", {"need": NEED, "urgency": "immediate", "region": "north"}
        )
    assert len(response.json()["matches"]) == 2 * count
