"""Inbox and outbox rows are built directly from the columns the list selects
(ReferralListSerializer.to_representation, ROW_COLUMNS): each must be exactly what DRF shows
for the referral's declared fields, in their order, whatever the state."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.api.serializers import ROW_COLUMNS, ReferralListSerializer, ReferralSerializer
from referrals.api.views import ReferralViewSet
from referrals.models import Referral
from referrals.selectors import with_clocks
from tests.referrals.test_onward_fhir_concurrency import onward_payload
from tests.representation import field_by_field

pytestmark = pytest.mark.django_db


def test_every_row_is_what_its_fields_declare(make_referral, medical, client_for, officer):
    drafted = make_referral("draft")
    late = make_referral("sent")
    Referral.objects.filter(pk=late.pk).update(acknowledge_by=timezone.now() - timedelta(hours=1))
    closed = make_referral("completed")
    parent = make_referral("accepted")
    made = client_for(officer).post("/api/v1/referrals/", onward_payload(parent, medical))
    assert made.status_code == 201
    referrals = with_clocks(ReferralViewSet.queryset).order_by("created_at")
    assert {r.pk for r in referrals} >= {drafted.pk, late.pk, closed.pk, parent.pk}

    rows = ReferralListSerializer(referrals.values(*ROW_COLUMNS), many=True).data
    serializer = ReferralListSerializer()
    assert rows == [field_by_field(serializer, referral) for referral in referrals]
    declared = ReferralListSerializer.Meta.fields
    assert all(list(row) == declared for row in rows)
    # What differs from row to row is covered: an onward referral, a clock run out, no send.
    assert any(row["parent_reference"] for row in rows)
    assert any(row["is_overdue"] for row in rows)
    assert any(row["sent_at"] is None for row in rows)
    assert any(row["closed_at"] for row in rows)


def test_the_list_endpoint_serves_those_rows(make_referral, client_for, officer):
    sent = make_referral("sent")
    shown = client_for(officer).get("/api/v1/referrals/?box=incoming").json()["results"]
    referral = with_clocks(ReferralViewSet.queryset).get(pk=sent.pk)
    assert shown == [field_by_field(ReferralListSerializer(), referral)]


def test_one_referral_is_still_shown_field_by_field(make_referral, client_for, officer):
    sent = make_referral("sent")
    shown = client_for(officer).get(f"/api/v1/referrals/{sent.pk}/").json()
    assert list(shown) == ReferralSerializer.Meta.fields
    assert shown["reference"] == sent.reference
