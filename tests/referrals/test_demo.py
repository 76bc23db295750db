import pytest
from django.core.management import call_command

from referrals.models import Referral, ReferralStatus

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_referrals_in_every_state_in_both_regions_once(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", quiet=True)
    first = Referral.objects.count()
    call_command("seed_demo", quiet=True)
    assert Referral.objects.count() == first
    assert set(Referral.objects.values_list("status", flat=True)) == set(ReferralStatus.values)
    regions = set(Referral.objects.values_list("from_agency__region__code", flat=True))
    assert regions == {"north", "south"}
