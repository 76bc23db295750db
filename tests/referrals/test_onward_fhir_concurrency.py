"""Onward referrals, the FHIR view, and twenty people pressing accept at once."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from consent.models import Disclosure
from pathways.vocabulary import NeedCategory
from referrals.models import Referral, ReferralEvent
from tests.factories import member
from tests.referrals.conftest import CONCERN

pytestmark = pytest.mark.django_db


def onward_payload(parent, service):
    return {
        "parent": str(parent.pk),
        "service": service.pk,
        "urgency": "within_72h",
        "need_categories": [NeedCategory.MEDICAL_CARE],
        "concern": "Needs a medical check after the interview.",
        "purpose": "support",
    }


def test_receiver_refers_onwards_through_consent_again(
    make_referral, client_for, officer, medical, helpline_worker
):
    parent = make_referral("accepted")
    response = client_for(officer).post("/api/v1/referrals/", onward_payload(parent, medical))
    assert response.status_code == 201, response.json()
    onward = Referral.objects.get(pk=response.json()["id"])
    assert onward.parent_id == parent.pk
    assert onward.from_agency_id == parent.to_agency_id
    assert onward.child_id == parent.child_id
    sent = client_for(officer).post(f"/api/v1/referrals/{onward.pk}/send/")
    assert sent.status_code == 200, sent.json()
    disclosure = Disclosure.objects.get(pk=Referral.objects.get(pk=onward.pk).disclosure_id)
    assert disclosure.recipient_agency_id == medical.agency_id
    assert disclosure.disclosed_by_agency_id == parent.to_agency_id
    parent_view = client_for(officer).get(f"/api/v1/referrals/{parent.pk}/").json()
    assert parent_view["onward_references"] == [onward.reference]
    assert client_for(helpline_worker).get(f"/api/v1/referrals/{onward.pk}/").status_code == 404


def test_only_the_receiver_refers_onwards_and_only_once_accepted(
    make_referral, client_for, officer, helpline_worker, medical
):
    sent = make_referral("sent")
    assert (
        client_for(officer).post("/api/v1/referrals/", onward_payload(sent, medical)).status_code
        == 409
    )
    accepted = make_referral("accepted")
    assert (
        client_for(helpline_worker)
        .post("/api/v1/referrals/", onward_payload(accepted, medical))
        .status_code
        == 403
    )


def test_fhir_task_with_service_request_and_no_names(
    make_referral, client_for, officer, helpline_worker
):
    referral = make_referral("completed")
    task = client_for(officer).get(f"/api/v1/referrals/{referral.pk}/fhir/").json()
    assert task["resourceType"] == "Task"
    assert task["status"] == "completed"
    assert task["intent"] == "order"
    request = task["contained"][0]
    assert request["resourceType"] == "ServiceRequest"
    assert task["focus"] == {"reference": "#request"}
    assert task["for"]["identifier"]["value"] == referral.child.reference
    assert request["note"] == [{"text": CONCERN}]
    text = str(task)
    assert "Amelia" not in text
    assert "Stone" not in text
    assert task["output"][0]["valueString"] == "complete note"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_twenty_simultaneous_accepts_one_wins(make_referral, police):
    referral = make_referral("sent")
    people = [member(police) for _ in range(20)]
    clients = []
    for person in people:
        client = APIClient()
        client.force_login(person)
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []

    def press(client: APIClient) -> None:
        barrier.wait()
        try:
            codes.append(client.post(f"/api/v1/referrals/{referral.pk}/accept/").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200] + [409] * 19
    assert ReferralEvent.objects.filter(referral=referral, action="accept").count() == 1
    assert Referral.objects.get(pk=referral.pk).status == "accepted"
