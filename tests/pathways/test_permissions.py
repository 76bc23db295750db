"""Every staff member reads; agency admins write only their own agency's entries."""

import pytest

from agencies.models import Role
from audit.models import AuditEvent
from pathways.models import Pathway, Service
from tests.access import Call, assert_access
from tests.factories import AgencyFactory, member
from tests.pathways.conftest import make_pathway, make_service

pytestmark = pytest.mark.django_db

MISSING = 999999


@pytest.fixture
def own_service(social_services):
    return make_service(social_services, "Family Support", ["family_support"])


@pytest.fixture
def own_draft(social_services, own_service):
    return make_pathway(social_services, [(own_service, 4)], publish=False, name="Own route")


def service_state(service):
    return lambda: Service.objects.values().get(pk=service.pk)


def pathway_state(pathway):
    return lambda: list(Pathway.objects.filter(lineage=pathway.lineage).values())


def test_every_staff_member_reads_the_directory(
    social_worker, outsider, own_service, own_draft, client_for
):
    make_pathway(own_draft.agency, [(own_service, 1)], name="Published route")
    for person in (social_worker, outsider):
        client = client_for(person)
        listed = client.get("/api/v1/services/").json()["results"]
        assert [row["id"] for row in listed] == [own_service.pk]
        assert client.get(f"/api/v1/services/{own_service.pk}/").status_code == 200
        names = [row["name"] for row in client.get("/api/v1/pathways/").json()["results"]]
        assert names == ["Published route"]


def test_drafts_are_visible_only_to_their_own_agency(
    social_worker, outsider, own_draft, client_for
):
    assert client_for(social_worker).get(f"/api/v1/pathways/{own_draft.pk}/").status_code == 200
    hidden = client_for(outsider).get(f"/api/v1/pathways/{own_draft.pk}/")
    missing = client_for(outsider).get(f"/api/v1/pathways/{MISSING}/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_service_edit(agency_admin, social_worker, outsider, own_service):
    response = assert_access(
        Call(
            "patch",
            f"/api/v1/services/{own_service.pk}/",
            {"intake_status": "waitlist"},
            missing_url=f"/api/v1/services/{MISSING}/",
        ),
        allowed=agency_admin,
        outsider=outsider,
        wrong_role=social_worker,
        unchanged=service_state(own_service),
    )
    assert response.json()["intake_status"] == "waitlist"
    event = AuditEvent.objects.get(action="update", object_id=str(own_service.pk))
    assert event.details["fields"] == ["intake_status"]


def test_service_verify(agency_admin, social_worker, outsider, own_service):
    assert_access(
        Call(
            "post",
            f"/api/v1/services/{own_service.pk}/verify/",
            missing_url=f"/api/v1/services/{MISSING}/verify/",
        ),
        allowed=agency_admin,
        outsider=outsider,
        wrong_role=social_worker,
        unchanged=service_state(own_service),
    )


@pytest.mark.parametrize(
    ("method", "suffix", "data"),
    [("patch", "", {"name": "Changed"}), ("post", "publish/", None), ("post", "retire/", None)],
)
def test_pathway_writes(agency_admin, social_worker, outsider, own_draft, method, suffix, data):
    assert_access(
        Call(
            method,
            f"/api/v1/pathways/{own_draft.pk}/{suffix}",
            data,
            missing_url=f"/api/v1/pathways/{MISSING}/{suffix}",
        ),
        allowed=agency_admin,
        outsider=outsider,
        wrong_role=social_worker,
        unchanged=pathway_state(own_draft),
    )


def test_admin_of_another_agency_gets_404_on_a_published_pathway_too(
    outsider, social_services, own_service, client_for
):
    published = make_pathway(social_services, [(own_service, 1)], name="Live")
    for suffix, method in (("", "patch"), ("publish/", "post"), ("retire/", "post")):
        response = getattr(client_for(outsider), method)(
            f"/api/v1/pathways/{published.pk}/{suffix}", {}
        )
        assert response.status_code == 404
    assert Pathway.objects.get(pk=published.pk).status == "published"


def test_member_of_the_agency_in_another_role_gets_403(social_services, own_service, client_for):
    # An admin somewhere else who is only a social worker here: the entry is visible, not theirs.
    elsewhere = member(social_services, Role.SOCIAL_WORKER)
    member(AgencyFactory(name="Elsewhere"), Role.AGENCY_ADMIN, username=elsewhere.username)
    response = client_for(elsewhere).patch(f"/api/v1/services/{own_service.pk}/", {"name": "x"})
    assert response.status_code == 403
    assert Service.objects.get(pk=own_service.pk).name == "Family Support"


def test_admin_creates_services_only_for_their_own_agency(
    agency_admin, social_worker, other_agency, client_for
):
    payload = {"name": "Family Support", "need_categories": ["family_support"]}
    own = client_for(agency_admin).post(
        "/api/v1/services/", {**payload, "service_areas": ["north"]}
    )
    assert own.status_code == 201, own.content
    body = own.json()
    assert body["agency"]["name"] == "North Social Services"
    assert body["acknowledgement_hours"] == {
        "immediate": 1,
        "within_24h": 4,
        "within_72h": 24,
        "routine": 72,
    }
    assert AuditEvent.objects.filter(action="create", object_id=str(body["id"])).exists()

    foreign = client_for(agency_admin).post(
        "/api/v1/services/", {**payload, "agency": other_agency.pk}
    )
    missing = client_for(agency_admin).post("/api/v1/services/", {**payload, "agency": MISSING})
    assert foreign.status_code == missing.status_code == 400
    # The same answer as for an agency that does not exist, which repeats neither id.
    assert foreign.json() == missing.json()
    assert str(other_agency.pk) not in foreign.content.decode()
    refused = client_for(social_worker).post("/api/v1/services/", payload)
    assert refused.status_code == 403
    assert Service.objects.count() == 1


def test_service_writes_are_validated(agency_admin, own_service, client_for):
    client = client_for(agency_admin)
    url = f"/api/v1/services/{own_service.pk}/"
    for data in (
        {"minimum_age": 16, "maximum_age": 10},
        {"need_categories": ["astrology"]},
        {"need_categories": []},
        {"acknowledgement_hours": {"immediate": 0, "within_24h": 1, "within_72h": 1, "routine": 1}},
        {"languages": ["English"]},
    ):
        assert client.patch(url, data).status_code == 400, data
    changed = client.patch(
        url,
        {
            "acknowledgement_hours": {
                "immediate": 2,
                "within_24h": 6,
                "within_72h": 30,
                "routine": 90,
            },
            "languages": ["en", "pl"],
            "need_categories": ["family_support", "financial_assistance"],
        },
    )
    assert changed.status_code == 200
    body = changed.json()
    assert body["acknowledgement_hours"]["within_24h"] == 6
    assert body["need_categories"] == ["financial_assistance", "family_support"]
    assert Service.objects.get(pk=own_service.pk).acknowledgement_hours("routine") == 90


def test_only_admins_import(social_worker, client_for):
    response = client_for(social_worker).post("/api/v1/directory/import/", [], format="json")
    assert response.status_code == 403
