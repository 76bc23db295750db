"""Browsing the directory: the service list's filters, as the web app's directory uses them."""

import pytest

from pathways.vocabulary import IntakeStatus, NeedCategory
from tests.pathways.conftest import make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(social_services, police, south_police, south):
    return {
        "teens": make_service(
            social_services,
            "Teen Therapy",
            [NeedCategory.THERAPY],
            minimum_age=13,
            maximum_age=17,
            description="Trauma-focused therapy for teenagers.",
        ),
        "young": make_service(
            social_services, "Play Therapy", [NeedCategory.THERAPY], minimum_age=4, maximum_age=11
        ),
        "anyone": make_service(police, "Investigation Unit", [NeedCategory.POLICE_INVESTIGATION]),
        "everywhere": make_service(
            police,
            "National Content Removal",
            [NeedCategory.ONLINE_CONTENT_REMOVAL],
            regions=[],
            intake_status=IntakeStatus.WAITLIST,
        ),
        "south": make_service(south_police, "South Investigation", [NeedCategory.THERAPY]),
    }


def names(client, **params):
    response = client.get("/api/v1/services/", params)
    assert response.status_code == 200
    return sorted(row["name"] for row in response.json()["results"])


def test_age_keeps_services_whose_range_includes_it(social_worker, directory, client_for):
    client = client_for(social_worker)
    assert names(client, age=15) == [
        "Investigation Unit",
        "National Content Removal",
        "South Investigation",
        "Teen Therapy",
    ]
    assert "Play Therapy" in names(client, age=4)
    assert "Teen Therapy" not in names(client, age=12)


def test_region_includes_services_for_every_region(social_worker, directory, client_for):
    assert names(client_for(social_worker), region="north") == [
        "Investigation Unit",
        "National Content Removal",
        "Play Therapy",
        "Teen Therapy",
    ]


def test_search_needs_every_word_in_the_name_or_description(social_worker, directory, client_for):
    client = client_for(social_worker)
    assert names(client, search="investigation") == ["Investigation Unit", "South Investigation"]
    assert names(client, search="TRAUMA teen") == ["Teen Therapy"]
    assert names(client, search="therapy south") == []


def test_filters_combine_and_odd_values_are_ignored(social_worker, directory, client_for):
    client = client_for(social_worker)
    assert names(client, need="therapy", region="north", age=8) == ["Play Therapy"]
    assert names(client, intake_status="waitlist") == ["National Content Removal"]
    assert len(names(client, age="²")) == len(names(client, age="99999999999")) == 5


@pytest.mark.parametrize("params", [{"search": "inves\x00tigation"}, {"region": "no\x00rth"}])
def test_nul_characters_in_words_or_region_are_refused(
    social_worker, directory, client_for, params
):
    # PostgreSQL cannot compare text holding NUL: the platform refuses it before any query.
    response = client_for(social_worker).get("/api/v1/services/", params)
    assert response.status_code == 400
    assert response.json()["code"] == "null_characters_not_allowed"


@pytest.mark.parametrize("url", ["/api/v1/services/", "/api/v1/pathways/"])
@pytest.mark.parametrize("agency", ["²", "99999999999999999999999"])
def test_an_agency_id_that_cannot_be_one_is_ignored(
    social_worker, directory, client_for, url, agency
):
    response = client_for(social_worker).get(url, {"agency": agency})
    assert response.status_code == 200
    everything = client_for(social_worker).get(url).json()["count"]
    assert response.json()["count"] == everything
