"""The status machine over the API: every action, from every state, by each side (DESIGN.md §4)."""

import pytest

from referrals.models import Referral, ReferralEvent, ReferralStatus

pytestmark = pytest.mark.django_db

# Written out from DESIGN.md, not derived from the code under test.
ALLOWED_FROM = {
    "send": {"draft"},
    "cancel": {"draft", "sent", "acknowledged", "accepted"},
    "acknowledge": {"sent"},
    "accept": {"sent", "acknowledged"},
    "decline": {"sent", "acknowledged"},
    "start": {"accepted"},
    "hold": {"in_progress"},
    "resume": {"on_hold"},
    "complete": {"in_progress"},
    "fail": {"accepted", "in_progress", "on_hold"},
}
TARGET = {
    "send": "sent",
    "cancel": "cancelled",
    "acknowledge": "acknowledged",
    "accept": "accepted",
    "decline": "declined",
    "start": "in_progress",
    "hold": "on_hold",
    "resume": "in_progress",
    "complete": "completed",
    "fail": "failed",
}
SENDER_ACTIONS = {"send", "cancel"}
PAYLOAD = {"reason": "A reason", "outcome": "An outcome"}


def snapshot(referral: Referral) -> tuple:
    referral.refresh_from_db()
    return referral.status, referral.events.count(), referral.updated_at


@pytest.mark.parametrize("action", sorted(ALLOWED_FROM))
def test_every_action_from_every_state_for_each_side(
    action, make_referral, client_for, helpline_worker, officer
):
    right, wrong = (
        (helpline_worker, officer) if action in SENDER_ACTIONS else (officer, helpline_worker)
    )
    for state in ReferralStatus.values:
        referral = make_referral(state)
        url = f"/api/v1/referrals/{referral.pk}/{action}/"
        before = snapshot(referral)

        wrong_side = client_for(wrong).post(url, PAYLOAD)
        # The receiving side never sees a draft at all.
        expected_wrong = 404 if state == "draft" and wrong == officer else 403
        assert wrong_side.status_code == expected_wrong, (action, state, "wrong side")
        assert snapshot(referral) == before

        response = client_for(right).post(url, PAYLOAD)
        if state == "draft" and right == officer:
            assert response.status_code == 404, (action, state, "drafts are the sender's own")
        elif state in ALLOWED_FROM[action]:
            assert response.status_code == 200, (action, state, response.json())
            assert response.json()["status"] == TARGET[action]
            last = referral.events.order_by("-at").first()
            assert (last.from_status, last.to_status, last.action) == (
                state,
                TARGET[action],
                action,
            )
        else:
            assert response.status_code == 409, (action, state, response.status_code)
            assert snapshot(referral) == before


@pytest.mark.parametrize(
    ("action", "state"),
    [
        ("decline", "sent"),
        ("hold", "in_progress"),
        ("fail", "accepted"),
        ("complete", "in_progress"),
    ],
)
def test_reason_or_outcome_is_required(action, state, make_referral, client_for, officer):
    referral = make_referral(state)
    before = snapshot(referral)
    response = client_for(officer).post(f"/api/v1/referrals/{referral.pk}/{action}/", {"note": "x"})
    assert response.status_code == 400
    assert snapshot(referral) == before


def test_cancel_requires_a_reason(make_referral, client_for, helpline_worker):
    referral = make_referral("sent")
    response = client_for(helpline_worker).post(f"/api/v1/referrals/{referral.pk}/cancel/", {})
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_history_records_who_when_from_to_and_note(
    make_referral, client_for, helpline_worker, officer
):
    referral = make_referral("completed")
    rows = client_for(helpline_worker).get(f"/api/v1/referrals/{referral.pk}/history/").json()
    assert [(r["from_status"], r["to_status"]) for r in rows] == [
        ("", "draft"),
        ("draft", "sent"),
        ("sent", "accepted"),
        ("accepted", "in_progress"),
        ("in_progress", "completed"),
    ]
    assert rows[-1]["note"] == "complete note"
    assert rows[-1]["by_agency"]["id"] == referral.to_agency_id
    assert ReferralEvent.objects.filter(referral=referral).count() == 5


def test_fhir_status_is_exposed_alongside(make_referral, client_for, helpline_worker):
    expected = {
        "draft": "draft",
        "sent": "requested",
        "acknowledged": "received",
        "accepted": "accepted",
        "in_progress": "in-progress",
        "on_hold": "on-hold",
        "completed": "completed",
        "declined": "rejected",
        "cancelled": "cancelled",
        "failed": "failed",
    }
    client = client_for(helpline_worker)
    for state, code in expected.items():
        referral = make_referral(state)
        assert client.get(f"/api/v1/referrals/{referral.pk}/").json()["fhir_status"] == code
