"""seed_demo adds past break-glass accesses (one for dpo.north to review) and a legal hold."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from children.demo import demo_child
from governance.models import BreakGlassAccess, LegalHold, ReviewStatus
from governance.selectors import open_accesses

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_reviewable_accesses_and_a_hold_once(settings, django_user_model):
    settings.DEMO_MODE = True
    call_command("seed_demo", quiet=True)
    call_command("seed_demo", quiet=True)
    assert BreakGlassAccess.objects.count() == 2
    assert LegalHold.objects.filter(released_at__isnull=True).count() == 1
    assert set(BreakGlassAccess.objects.values_list("review_status", flat=True)) == {
        ReviewStatus.APPROPRIATE,
        ReviewStatus.PENDING,
    }

    duty = django_user_model.objects.get(username="duty.north")
    assert not open_accesses(duty).exists(), "the demo accesses are in the past"
    client = APIClient()
    client.force_login(duty)
    hidden = demo_child("anonymous-south")
    assert client.get(f"/api/v1/children/{hidden.pk}/").status_code == 404

    client.force_login(django_user_model.objects.get(username="dpo.north"))
    pending = client.get("/api/v1/break-glass/", {"status": "pending"}).json()["results"]
    assert [row["child_reference"] for row in pending] == [hidden.reference]
