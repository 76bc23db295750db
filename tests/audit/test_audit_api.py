"""The DPO's audit API: 404 for everyone else, filters, verification, constant query count."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agencies import services
from agencies.models import Role
from audit.models import AuditAction, AuditEvent
from audit.services import record
from tests.audit.backdoor import triggers_suspended
from tests.factories import AgencyFactory, member

pytestmark = pytest.mark.django_db

LIST = "/api/v1/audit/"
VERIFY = "/api/v1/audit/verify/"
NOT_FOUND = {"detail": "Not found.", "code": "not_found"}


@pytest.fixture
def dpo(social_services):
    return member(social_services, Role.DPO)


@pytest.mark.parametrize("role", [role for role in Role if role != Role.DPO])
@pytest.mark.parametrize("url", [LIST, VERIFY, f"{LIST}?action=login"])
def test_every_other_role_gets_404(role, url, social_services, client_for):
    person = member(social_services, role)
    before = AuditEvent.objects.count()

    response = client_for(person).get(url)

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    refusal = AuditEvent.objects.order_by("-sequence").first()
    assert AuditEvent.objects.count() == before + 1, "only the refusal is written"
    assert (refusal.action, refusal.actor) == (AuditAction.DENIED, person)


def test_a_social_worker_who_is_also_a_dpo_elsewhere_gets_in(client_for):
    person = member(AgencyFactory(), Role.SOCIAL_WORKER)
    services.add_membership(agency=AgencyFactory(), user=person, role=Role.DPO, by=None)
    assert client_for(person).get(LIST).status_code == 200


def test_anonymous_callers_are_asked_to_sign_in():
    assert APIClient().get(LIST).status_code in (401, 403)
    assert APIClient().get(VERIFY).status_code in (401, 403)


def test_writes_are_not_offered_even_to_the_dpo(dpo, client_for):
    client = client_for(dpo)
    assert client.post(LIST, {}).status_code == 405
    assert client.delete(LIST).status_code == 405


def test_dpo_lists_events_newest_first_and_the_listing_is_audited(
    dpo, social_worker, social_services, client_for
):
    record(AuditAction.VIEW, actor=social_worker, obj=social_services)
    response = client_for(dpo).get(LIST)

    assert response.status_code == 200
    rows = response.json()["results"]
    sequences = [row["sequence"] for row in rows]
    assert sequences == sorted(sequences, reverse=True)
    view = next(row for row in rows if row["action"] == "view")
    assert view["actor"] == {
        "id": social_worker.pk,
        "username": social_worker.username,
        "first_name": social_worker.first_name,
        "last_name": social_worker.last_name,
    }
    assert view["agency"] == {"id": social_services.pk, "name": social_services.name}
    assert view["object_type"] == "agencies.agency"
    assert len(view["hash"]) == len(view["previous_hash"]) == 64

    listing = AuditEvent.objects.order_by("-sequence").first()
    assert (listing.action, listing.actor) == (AuditAction.LIST, dpo)
    assert listing.details == {"ids": [str(s) for s in sequences], "filters": []}


def test_dpo_filters_by_actor_object_action_and_time(
    dpo, social_worker, social_services, other_agency, client_for
):
    record(AuditAction.VIEW, actor=social_worker, obj=social_services)
    record(AuditAction.UPDATE, actor=social_worker, obj=other_agency)
    record(AuditAction.VIEW, actor=dpo, obj=other_agency)
    client = client_for(dpo)

    def sequences(**params: str) -> set[int]:
        response = client.get(LIST, params)
        assert response.status_code == 200, response.content
        return {row["sequence"] for row in response.json()["results"]}

    def expected(**filters: object) -> set[int]:
        return set(AuditEvent.objects.filter(**filters).values_list("sequence", flat=True))

    by_actor = sequences(actor=str(social_worker.pk))
    assert by_actor == expected(actor=social_worker)
    assert sequences(object_type="agencies.agency", object_id=str(other_agency.pk)) == expected(
        object_type="agencies.agency", object_id=str(other_agency.pk)
    )
    assert len(expected(object_type="agencies.agency", object_id=str(other_agency.pk))) == 2
    assert sequences(action="update", actor=str(social_worker.pk)) == expected(
        action="update", actor=social_worker
    )

    now = timezone.now()
    iso = "%Y-%m-%dT%H:%M:%S.%fZ"
    assert sequences(since=(now + timedelta(minutes=1)).strftime(iso)) == set()
    past = (now - timedelta(hours=1)).strftime(iso)
    future = (now + timedelta(hours=1)).strftime(iso)
    window = sequences(actor=str(social_worker.pk), since=past, until=future)
    assert window == by_actor
    listing = AuditEvent.objects.order_by("-sequence").first()
    assert listing.details["filters"] == ["actor", "since", "until"]
    assert sequences(until=past) == set()


@pytest.mark.parametrize(
    "params",
    [
        {"actor": "someone"},
        {"action": "teleport"},
        {"since": "yesterday"},
        {"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
    ],
)
def test_bad_filters_are_a_400(dpo, client_for, params):
    response = client_for(dpo).get(LIST, params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_dpo_verifies_the_chain_and_the_check_is_audited(dpo, social_worker, client_for):
    for n in range(3):
        record(AuditAction.VIEW, actor=social_worker, object_type="x.y", object_id=str(n))

    response = client_for(dpo).get(VERIFY)

    assert response.status_code == 200
    body = response.json()
    assert body["intact"] is True
    assert body["first_broken_sequence"] is None
    assert body["problem"] is None
    assert body["checked"] == body["last_sequence"] == AuditEvent.objects.count() - 1
    assert "intact" in body["summary"]
    check = AuditEvent.objects.order_by("-sequence").first()
    assert (check.action, check.actor) == (AuditAction.VERIFY, dpo)
    assert check.details["intact"] is True
    assert check.details["last_hash"] == body["last_hash"]


def test_verify_reports_a_broken_chain(dpo, social_worker, client_for):
    events = [
        record(AuditAction.VIEW, actor=social_worker, object_type="x.y", object_id=str(n))
        for n in range(3)
    ]
    with triggers_suspended() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET action = 'export' WHERE sequence = %s",
            [events[1].sequence],
        )

    body = client_for(dpo).get(VERIFY).json()

    assert body["intact"] is False
    assert body["first_broken_sequence"] == events[1].sequence
    assert body["problem"] == "hash_mismatch"
    assert AuditEvent.objects.order_by("-sequence").first().details["intact"] is False


def _events_by_many_people(count: int) -> None:
    for n in range(count):
        agency = AgencyFactory()
        record(AuditAction.VIEW, actor=member(agency, Role.PRACTITIONER), agency=agency)
        record(AuditAction.UPDATE, object_type="x.y", object_id=str(n))


# Session, user, memberships; count and page (actors and agencies joined in); then the
# listing's own event, in the request's transaction: chain head lock, insert, head update.
LIST_QUERIES = 8


@pytest.mark.parametrize("people", [2, 25])
def test_list_query_count_does_not_grow_with_the_page(
    people, dpo, client_for, django_assert_num_queries
):
    client = client_for(dpo)
    _events_by_many_people(people)

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST, {"page_size": 100})

    rows = response.json()["results"]
    assert len({row["actor"]["id"] for row in rows if row["actor"]}) >= people
