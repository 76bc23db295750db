"""Drafting and sending a referral costs a fixed number of queries, however many people the
receiving agency has to tell (the grants of a share are written together, the notifications
in one insert)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Role
from notifications.models import Notification
from tests.factories import member
from tests.referrals.test_sending_and_visibility import new_referral_payload

pytestmark = pytest.mark.django_db

# Was 109 (41 + 68) before the grants of a share were batched.
CREATE_AND_SEND_BUDGET = 90


def _create_and_send(client, service, child) -> tuple[int, int]:
    """(queries, people told) for drafting and sending one referral."""
    payload = new_referral_payload(service, child=str(child.pk))
    with CaptureQueriesContext(connection) as queries:
        draft = client.post("/api/v1/referrals/", payload)
        assert draft.status_code == 201, draft.json()
        sent = client.post(f"/api/v1/referrals/{draft.json()['id']}/send/")
        assert sent.status_code == 200, sent.json()
    told = Notification.objects.filter(object_id=draft.json()["id"], kind="referral_sent")
    return len(queries), told.count()


def test_create_and_send_costs_the_same_however_many_are_told(
    client_for, helpline_worker, investigation, child, consent_to_police, police, officer
):
    client = client_for(helpline_worker)
    _create_and_send(client, investigation, child)  # the first fills the process's caches
    few, told_few = _create_and_send(client, investigation, child)
    for _ in range(10):
        member(police, Role.PRACTITIONER)
    many, told_many = _create_and_send(client, investigation, child)
    assert told_many == told_few + 10
    assert many == few
    assert few <= CREATE_AND_SEND_BUDGET
