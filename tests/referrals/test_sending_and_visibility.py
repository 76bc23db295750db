"""Sending goes through consent; each side sees the referral, nobody else does."""

from datetime import timedelta

import pytest
from django.db import connection

from audit.models import AuditEvent
from consent import services as consent_services
from consent.models import DataCategory, Disclosure, LawfulBasis, Purpose
from notifications.models import Notification
from pathways.vocabulary import NeedCategory
from referrals.models import Referral
from tests.access import Call, assert_access
from tests.factories import child_record
from tests.referrals.conftest import CONCERN

pytestmark = pytest.mark.django_db


def new_referral_payload(service, **fields):
    return {
        "service": service.pk,
        "urgency": "within_24h",
        "need_categories": [NeedCategory.POLICE_INVESTIGATION],
        "concern": CONCERN,
        "purpose": Purpose.INVESTIGATION,
        **fields,
    }


def test_create_for_new_and_anonymous_children(client_for, helpline_worker, investigation):
    client = client_for(helpline_worker)
    named = client.post(
        "/api/v1/referrals/",
        new_referral_payload(
            investigation, new_child={"given_name": "Ola", "family_name": "Nowak"}
        ),
    )
    assert named.status_code == 201, named.json()
    body = named.json()
    assert body["status"] == "draft"
    assert body["reference"].startswith("R-")
    assert body["child"]["given_name"] == "Ola"
    anonymous = client.post("/api/v1/referrals/", new_referral_payload(investigation))
    assert anonymous.status_code == 201
    assert anonymous.json()["child"]["is_anonymous"] is True


def test_concern_is_encrypted_at_rest(make_referral):
    referral = make_referral("draft")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT concern FROM referrals_referral WHERE id = %s",
            [referral.pk.hex if connection.vendor == "sqlite" else referral.pk],
        )
        (raw,) = cursor.fetchone()
    assert "canary 7f3c" not in raw
    assert Referral.objects.get(pk=referral.pk).concern == CONCERN


def test_send_without_consent_or_override_is_refused_and_writes_nothing(
    client_for, helpline_worker, helpline, investigation
):
    unconsented = child_record(helpline, by=helpline_worker, given_name="No", family_name="Consent")
    client = client_for(helpline_worker)
    draft = client.post(
        "/api/v1/referrals/", new_referral_payload(investigation, child=str(unconsented.pk))
    ).json()
    shares_before = AuditEvent.objects.filter(action="share").count()
    response = client.post(f"/api/v1/referrals/{draft['id']}/send/")
    assert response.status_code == 409
    assert response.json()["code"] == "no_consent"
    referral = Referral.objects.get(pk=draft["id"])
    assert referral.status == "draft"
    assert referral.disclosure_id is None
    assert not Disclosure.objects.filter(child=unconsented).exists()
    assert AuditEvent.objects.filter(action="share").count() == shares_before


def test_send_on_an_authorised_override(
    client_for, helpline_worker, helpline, helpline_duty_manager, police, investigation, officer
):
    unconsented = child_record(helpline, by=helpline_worker)
    override = consent_services.request_override(
        child=unconsented,
        actor=helpline_worker,
        agency=helpline,
        recipient_agency=police,
        categories=[DataCategory.IDENTITY, DataCategory.DISCLOSURE_NARRATIVE],
        purpose=Purpose.INVESTIGATION,
        lawful_basis=LawfulBasis.values[0],
        justification="Risk of significant harm tonight.",
    )
    client = client_for(helpline_worker)
    payload = new_referral_payload(investigation, child=str(unconsented.pk), override=override.pk)
    draft = client.post("/api/v1/referrals/", payload).json()
    # Not yet authorised by a duty manager: refused.
    assert client.post(f"/api/v1/referrals/{draft['id']}/send/").status_code == 409
    consent_services.authorise_override(override, by=helpline_duty_manager)
    sent = client.post(f"/api/v1/referrals/{draft['id']}/send/")
    assert sent.status_code == 200, sent.json()
    assert client_for(officer).get(f"/api/v1/referrals/{draft['id']}/").status_code == 200


def test_send_shares_grants_clocks_and_tells_the_receiving_service(
    make_referral, officer, police_duty_manager, client_for, investigation
):
    referral = make_referral("draft")
    assert client_for(officer).get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
    sent = make_referral("sent")
    disclosure = Disclosure.objects.get(pk=sent.disclosure_id)
    assert disclosure.recipient_agency_id == sent.to_agency_id
    assert set(disclosure.categories) == {"identity", "disclosure_narrative"}
    assert sent.acknowledge_by == sent.sent_at + timedelta(hours=6)
    assert sent.respond_by == sent.sent_at + timedelta(hours=24)
    told = set(
        Notification.objects.filter(kind="referral_sent", object_id=str(sent.pk)).values_list(
            "recipient_id", flat=True
        )
    )
    assert {officer.pk, police_duty_manager.pk} <= told
    assert client_for(officer).get(f"/api/v1/referrals/{sent.pk}/").status_code == 200


def test_pathway_step_sets_the_response_time(make_referral, pathway):
    sent = make_referral("sent", pathway=pathway)
    assert sent.respond_by == sent.sent_at + timedelta(hours=2)


def test_receiver_sees_only_disclosed_categories(make_referral, client_for, officer):
    referral = make_referral("sent")
    body = client_for(officer).get(f"/api/v1/referrals/{referral.pk}/").json()
    child = body["child"]
    assert child["given_name"] == "Amelia"
    assert "phone" not in child
    assert "address" not in child
    assert "contact" in child["withheld_categories"]
    assert body["concern_available"] is True
    assert "concern" not in body, "the narrative is only read on its own, audited"


def test_reading_the_concern_is_audited(make_referral, client_for, officer):
    referral = make_referral("sent")
    response = client_for(officer).get(f"/api/v1/referrals/{referral.pk}/concern/")
    assert response.json() == {"concern": CONCERN}
    event = AuditEvent.objects.filter(object_id=str(referral.pk), action="view").last()
    assert event.details == {"field": "concern"}
    assert event.actor_id == officer.pk


def test_outsiders_get_404_everywhere(make_referral, client_for, south_worker, health):
    from tests.factories import member

    referral = make_referral("accepted")
    nurse = member(health)
    for user in (south_worker, nurse):
        client = client_for(user)
        for suffix in ("", "history/", "concern/", "fhir/"):
            assert client.get(f"/api/v1/referrals/{referral.pk}/{suffix}").status_code == 404
        listed = client.get("/api/v1/referrals/").json()["results"]
        assert str(referral.pk) not in {row["id"] for row in listed}


@pytest.mark.parametrize("suffix", ["", "history/", "concern/", "fhir/"])
def test_permission_helper_on_read_endpoints(
    suffix, make_referral, officer, south_worker, police_admin
):
    referral = make_referral("sent")
    assert_access(
        Call(
            "get",
            f"/api/v1/referrals/{referral.pk}/{suffix}",
            missing_url=f"/api/v1/referrals/00000000-0000-0000-0000-000000000000/{suffix}",
        ),
        allowed=officer,
        outsider=south_worker,
        wrong_role=police_admin,
    )


def test_permission_helper_on_transitions(make_referral, officer, south_worker, police_admin):
    referral = make_referral("sent")
    assert_access(
        Call(
            "post",
            f"/api/v1/referrals/{referral.pk}/accept/",
            {},
            "/api/v1/referrals/00000000-0000-0000-0000-000000000000/accept/",
        ),
        allowed=officer,
        outsider=south_worker,
        wrong_role=police_admin,
        unchanged=lambda: Referral.objects.values("status").get(pk=referral.pk),
    )


def test_permission_helper_on_draft_edit(
    make_referral, helpline_worker, south_worker, helpline_admin
):
    referral = make_referral("draft")
    assert_access(
        Call(
            "patch",
            f"/api/v1/referrals/{referral.pk}/",
            {"urgency": "immediate"},
            "/api/v1/referrals/00000000-0000-0000-0000-000000000000/",
        ),
        allowed=helpline_worker,
        outsider=south_worker,
        wrong_role=helpline_admin,
        unchanged=lambda: Referral.objects.values("urgency").get(pk=referral.pk),
    )
    assert Referral.objects.get(pk=referral.pk).urgency == "immediate"


def test_sent_referral_cannot_be_edited(make_referral, client_for, helpline_worker):
    referral = make_referral("sent")
    response = client_for(helpline_worker).patch(
        f"/api/v1/referrals/{referral.pk}/", {"urgency": "routine"}
    )
    assert response.status_code == 409


def test_create_cannot_name_a_child_the_caller_cannot_see(
    client_for, south_worker, child, investigation
):
    response = client_for(south_worker).post(
        "/api/v1/referrals/", new_referral_payload(investigation, child=str(child.pk))
    )
    assert response.status_code == 400
    assert "child" in response.json()["errors"]


def test_closed_loop_decline_reason_and_outcome_reach_the_sender(
    make_referral, client_for, helpline_worker, officer
):
    declined = make_referral("sent")
    client_for(officer).post(
        f"/api/v1/referrals/{declined.pk}/decline/", {"reason": "Not our area"}
    )
    body = client_for(helpline_worker).get(f"/api/v1/referrals/{declined.pk}/").json()
    assert body["decline_reason"] == "Not our area"
    done = make_referral("completed")
    assert client_for(helpline_worker).get(f"/api/v1/referrals/{done.pk}/").json()["outcome"] == (
        "complete note"
    )
    kinds = set(
        Notification.objects.filter(recipient=helpline_worker).values_list("kind", flat=True)
    )
    assert {"referral_declined", "referral_completed", "referral_accepted"} <= kinds


RECEIVER_STATES = {
    "acknowledge": "sent",
    "accept": "sent",
    "decline": "sent",
    "start": "accepted",
    "hold": "in_progress",
    "resume": "on_hold",
    "complete": "in_progress",
    "fail": "accepted",
}


@pytest.mark.parametrize(("action", "state"), sorted(RECEIVER_STATES.items()))
def test_permission_helper_on_every_receiver_action(
    action, state, make_referral, officer, south_worker, police_admin
):
    referral = make_referral(state)
    assert_access(
        Call(
            "post",
            f"/api/v1/referrals/{referral.pk}/{action}/",
            {"reason": "A reason", "outcome": "An outcome"},
            f"/api/v1/referrals/00000000-0000-0000-0000-000000000000/{action}/",
        ),
        allowed=officer,
        outsider=south_worker,
        wrong_role=police_admin,
        unchanged=lambda: Referral.objects.values("status").get(pk=referral.pk),
    )


@pytest.mark.parametrize(("action", "state"), [("send", "draft"), ("cancel", "sent")])
def test_permission_helper_on_sender_actions(
    action, state, make_referral, helpline_worker, south_worker, helpline_admin
):
    referral = make_referral(state)
    assert_access(
        Call(
            "post",
            f"/api/v1/referrals/{referral.pk}/{action}/",
            {"reason": "A reason"},
            f"/api/v1/referrals/00000000-0000-0000-0000-000000000000/{action}/",
        ),
        allowed=helpline_worker,
        outsider=south_worker,
        wrong_role=helpline_admin,
        unchanged=lambda: Referral.objects.values("status").get(pk=referral.pk),
    )
