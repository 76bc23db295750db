"""Pathway versions: draft → published → retired; editing a published version makes a new one."""

import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from pathways import services
from pathways.models import Pathway
from pathways.vocabulary import PathwayStatus
from tests.pathways.conftest import make_pathway, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def route(social_services, investigation):
    return make_pathway(social_services, [(investigation, 1)], publish=False, name="Route")


def url(pathway, suffix=""):
    return f"/api/v1/pathways/{pathway.pk}/{suffix}"


def test_admin_drafts_and_publishes_a_pathway(agency_admin, investigation, client_for):
    client = client_for(agency_admin)
    created = client.post(
        "/api/v1/pathways/",
        {
            "name": "Disclosure of abuse",
            "need_category": "police_investigation",
            "urgency": "within_24h",
            "regions": ["north"],
            "steps": [{"service": investigation.pk, "response_hours": 24, "note": "Call first"}],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["version"]) == ("draft", 1)
    assert body["steps"][0]["service"]["id"] == investigation.pk
    assert body["regions"][0]["code"] == "north"

    published = client.post(f"/api/v1/pathways/{body['id']}/publish/")
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert published.json()["published_at"]
    assert AuditEvent.objects.filter(
        action="transition", object_type="pathways.pathway", object_id=str(body["id"])
    ).exists()


def test_a_draft_is_edited_in_place(agency_admin, route, client_for):
    response = client_for(agency_admin).patch(url(route), {"description": "Updated"})
    assert response.status_code == 200
    assert response.json()["id"] == route.pk
    assert Pathway.objects.get(pk=route.pk).description == "Updated"


def test_editing_a_published_pathway_creates_the_next_draft_version(
    agency_admin, route, ngo, client_for
):
    services.publish_pathway(route, actor=None)
    advocacy = make_service(ngo, "Advocacy", ["legal_advocacy"])
    client = client_for(agency_admin)

    response = client.patch(
        url(route),
        {"name": "Route, revised", "steps": [{"service": advocacy.pk, "response_hours": 4}]},
    )

    assert response.status_code == 201, response.content
    draft = response.json()
    assert draft["id"] != route.pk
    assert (draft["lineage"], draft["version"], draft["status"]) == (
        str(route.lineage),
        2,
        "draft",
    )
    assert [step["service"]["id"] for step in draft["steps"]] == [advocacy.pk]
    old = Pathway.objects.get(pk=route.pk)
    assert (old.name, old.status) == ("Route", PathwayStatus.PUBLISHED), "published is untouched"
    assert [step.service.name for step in old.steps.all()] == ["Child Abuse Investigation Unit"]

    # An edit that changes only the name carries the published steps over.
    again = client.post(f"/api/v1/pathways/{draft['id']}/publish/")
    assert again.status_code == 200
    third = client.patch(url(Pathway.objects.get(pk=draft["id"])), {"name": "Route, v3"})
    assert third.status_code == 201
    assert [s["service"]["id"] for s in third.json()["steps"]] == [advocacy.pk]


def test_publishing_a_new_version_retires_the_old_one_which_stays_readable(
    agency_admin, social_worker, route, client_for
):
    services.publish_pathway(route, actor=None)
    draft = services.edit_pathway(route, actor=None, name="Route v2")
    services.publish_pathway(draft, actor=None)

    versions = Pathway.objects.filter(lineage=route.lineage).order_by("version")
    assert [(p.version, p.status) for p in versions] == [
        (1, PathwayStatus.RETIRED),
        (2, PathwayStatus.PUBLISHED),
    ]
    client = client_for(social_worker)
    old = client.get(url(route))
    assert old.status_code == 200
    assert (old.json()["status"], old.json()["version"]) == ("retired", 1)
    history = client.get("/api/v1/pathways/", {"lineage": str(route.lineage), "status": "all"})
    assert [row["version"] for row in history.json()["results"]] == [2, 1]
    current = client.get("/api/v1/pathways/", {"lineage": str(route.lineage)})
    assert [row["version"] for row in current.json()["results"]] == [2]


def test_only_one_published_version_per_lineage_in_the_database(route, investigation):
    services.publish_pathway(route, actor=None)
    draft = services.edit_pathway(route, actor=None, name="v2")
    with pytest.raises(IntegrityError), transaction.atomic():
        Pathway.objects.filter(pk=draft.pk).update(status=PathwayStatus.PUBLISHED)


def test_retire_and_what_cannot_follow_it(agency_admin, route, client_for):
    client = client_for(agency_admin)
    assert client.post(url(route, "publish/")).status_code == 200
    retired = client.post(url(route, "retire/"))
    assert retired.status_code == 200
    assert retired.json()["status"] == "retired"
    assert retired.json()["retired_at"]

    for call in (
        client.post(url(route, "retire/")),
        client.post(url(route, "publish/")),
        client.patch(url(route), {"name": "x"}),
    ):
        assert call.status_code == 409
    assert Pathway.objects.get(pk=route.pk).name == "Route"


def test_one_draft_at_a_time_and_no_empty_pathway(agency_admin, route, social_services, client_for):
    client = client_for(agency_admin)
    client.post(url(route, "publish/"))
    assert client.patch(url(route), {"name": "Draft A"}).status_code == 201
    second = client.patch(url(route), {"name": "Draft B"})
    assert second.status_code == 409
    assert Pathway.objects.filter(lineage=route.lineage).count() == 2

    empty = make_pathway(social_services, [], publish=False, name="Empty")
    assert client.post(url(empty, "publish/")).status_code == 409


def test_a_step_service_appears_once_and_ages_are_ordered(agency_admin, investigation, client_for):
    client = client_for(agency_admin)
    base = {"name": "R", "need_category": "therapy", "urgency": "routine"}
    twice = client.post(
        "/api/v1/pathways/",
        {
            **base,
            "steps": [
                {"service": investigation.pk, "response_hours": 1},
                {"service": investigation.pk, "response_hours": 2},
            ],
        },
    )
    assert twice.status_code == 400
    ages = client.post("/api/v1/pathways/", {**base, "minimum_age": 15, "maximum_age": 12})
    assert ages.status_code == 400
    assert not Pathway.objects.exists()
