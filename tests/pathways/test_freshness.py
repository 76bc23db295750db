"""Freshness: admins see their services not verified for longer than the configured days."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pathways.models import Service
from tests.pathways.conftest import make_service

pytestmark = pytest.mark.django_db

STALE = "/api/v1/services/stale/"


def aged(service, days):
    Service.objects.filter(pk=service.pk).update(
        last_verified_at=timezone.now() - timedelta(days=days)
    )


@pytest.fixture
def entries(social_services, other_agency):
    never = make_service(social_services, "Never verified", ["family_support"])
    old = make_service(social_services, "Old", ["family_support"])
    recent = make_service(social_services, "Recent", ["family_support"])
    retired = make_service(social_services, "Retired", ["family_support"], is_active=False)
    theirs = make_service(other_agency, "Theirs", ["family_support"])
    aged(old, 200)
    aged(recent, 10)
    return never, old, recent, retired, theirs


def test_admin_lists_own_active_services_not_verified_recently(agency_admin, entries, client_for):
    response = client_for(agency_admin).get(STALE)
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Never verified", "Old"]


def test_the_threshold_comes_from_settings_or_the_query(
    agency_admin, entries, client_for, settings
):
    client = client_for(agency_admin)
    settings.PATHWAYS_VERIFY_AFTER_DAYS = 5
    names = [row["name"] for row in client.get(STALE).json()["results"]]
    assert names == ["Never verified", "Old", "Recent"]
    names = [row["name"] for row in client.get(STALE, {"days": 300}).json()["results"]]
    assert names == ["Never verified"]
    assert client.get(STALE, {"days": 0}).status_code == 400


def test_verifying_stamps_who_and_when_and_clears_the_entry(agency_admin, entries, client_for):
    never = entries[0]
    client = client_for(agency_admin)
    before = timezone.now()

    response = client.post(f"/api/v1/services/{never.pk}/verify/")

    assert response.status_code == 200
    body = response.json()
    assert body["last_verified_by"]["username"] == agency_admin.username
    never = Service.objects.get(pk=never.pk)
    assert never.last_verified_at >= before
    assert never.last_verified_by == agency_admin
    assert [row["name"] for row in client.get(STALE).json()["results"]] == ["Old"]


def test_only_admins_see_the_freshness_list(social_worker, entries, client_for):
    assert client_for(social_worker).get(STALE).status_code == 403
