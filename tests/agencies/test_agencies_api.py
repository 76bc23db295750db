import pytest
from django.core.management import call_command

from agencies.models import Agency, Membership, Role
from tests.core.test_query_parameters import NOT_IDS
from tests.factories import AgencyFactory, member

pytestmark = pytest.mark.django_db


def test_every_staff_member_reads_the_agency_list(social_worker, other_agency, client_for):
    response = client_for(social_worker).get("/api/v1/agencies/")
    assert response.status_code == 200
    names = {row["name"] for row in response.json()["results"]}
    assert {"North Social Services", "South Social Services"} <= names


def test_agency_admin_edits_own_agency_only(
    agency_admin, social_services, other_agency, client_for
):
    client = client_for(agency_admin)
    own = client.patch(f"/api/v1/agencies/{social_services.pk}/", {"phone": "0300 123 4567"})
    assert own.status_code == 200
    social_services.refresh_from_db()
    assert social_services.phone == "0300 123 4567"

    other = client.patch(f"/api/v1/agencies/{other_agency.pk}/", {"phone": "0"})
    missing = client.patch("/api/v1/agencies/999999/", {"phone": "0"})
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    other_agency.refresh_from_db()
    assert other_agency.phone != "0"


def test_non_admin_of_the_agency_gets_403_on_edit(social_worker, social_services, client_for):
    response = client_for(social_worker).patch(
        f"/api/v1/agencies/{social_services.pk}/", {"phone": "1"}
    )
    assert response.status_code == 403


def test_agency_kind_and_region_are_read_only(
    agency_admin, social_services, other_agency, client_for
):
    client_for(agency_admin).patch(
        f"/api/v1/agencies/{social_services.pk}/",
        {"kind": "police", "region": other_agency.region_id},
    )
    social_services.refresh_from_db()
    assert social_services.kind == "social_services"
    assert social_services.region_id != other_agency.region_id


def test_admin_adds_and_ends_staff_in_own_agency(agency_admin, social_services, client_for):
    client = client_for(agency_admin)
    created = client.post(
        "/api/v1/memberships/",
        {
            "agency": social_services.pk,
            "username": "new.worker",
            "role": Role.SOCIAL_WORKER,
            "password": "a long enough passphrase",
        },
    )
    assert created.status_code == 201, created.content
    membership = Membership.objects.get(pk=created.json()["id"])
    assert membership.user.groups.filter(pk=social_services.group_id).exists()

    listed = client.get("/api/v1/memberships/").json()["results"]
    assert membership.pk in {row["id"] for row in listed}

    assert client.delete(f"/api/v1/memberships/{membership.pk}/").status_code == 204
    membership.refresh_from_db()
    assert not membership.is_active, "ending a role keeps the record"
    assert not membership.user.groups.filter(pk=social_services.group_id).exists()


def test_admin_cannot_touch_another_agencys_staff(agency_admin, other_agency, client_for):
    foreign = member(other_agency, Role.SOCIAL_WORKER)
    foreign_membership = foreign.memberships.get()
    client = client_for(agency_admin)
    assert client.delete(f"/api/v1/memberships/{foreign_membership.pk}/").status_code == 404
    assert client.get(f"/api/v1/memberships/{foreign_membership.pk}/").status_code == 404
    created = client.post(
        "/api/v1/memberships/", {"agency": other_agency.pk, "username": "sneaky", "role": Role.DPO}
    )
    assert created.status_code == 400
    assert not Membership.objects.filter(user__username="sneaky").exists()
    ids = {row["id"] for row in client.get("/api/v1/memberships/").json()["results"]}
    assert foreign_membership.pk not in ids


def test_non_admin_cannot_manage_staff(social_worker, social_services, client_for):
    client = client_for(social_worker)
    assert client.get("/api/v1/memberships/").status_code == 403
    colleague = member(social_services, Role.PRACTITIONER).memberships.get()
    assert client.delete(f"/api/v1/memberships/{colleague.pk}/").status_code == 403
    response = client.post(
        "/api/v1/memberships/", {"agency": social_services.pk, "username": "x", "role": Role.DPO}
    )
    assert response.status_code == 403


def test_seed_demo_is_idempotent(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", quiet=True)
    first = (Agency.objects.count(), Membership.objects.count())
    call_command("seed_demo", quiet=True)
    assert (Agency.objects.count(), Membership.objects.count()) == first
    assert first[0] == 10
    assert Membership.objects.filter(
        user__username="social.north", role=Role.SOCIAL_WORKER
    ).exists()


def test_seed_demo_refuses_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("seed_demo", quiet=True)


@pytest.mark.parametrize("value", NOT_IDS)
def test_the_staff_list_agency_filter_refuses_what_is_not_an_id(social_services, client_for, value):
    admin = member(social_services, Role.AGENCY_ADMIN)
    response = client_for(admin).get("/api/v1/memberships/", {"agency": value})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"agency"}


def test_the_staff_list_agency_filter_filters(social_services, client_for):
    second = AgencyFactory(name="North Youth Service", region=social_services.region)
    admin = member(social_services, Role.AGENCY_ADMIN)
    member(second, Role.AGENCY_ADMIN, username=admin.username)
    colleague = member(second, Role.PRACTITIONER)
    client = client_for(admin)
    listed = client.get("/api/v1/memberships/", {"agency": second.pk}).json()["results"]
    assert {row["agency"] for row in listed} == {second.pk}
    assert colleague.pk in {row["user"]["id"] for row in listed}
    assert len(client.get("/api/v1/memberships/").json()["results"]) > len(listed)
