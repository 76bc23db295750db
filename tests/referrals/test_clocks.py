"""The SLA sweep: due soon, overdue, escalation; running it twice never notifies twice."""

from datetime import timedelta

import pytest

from agencies.models import Role
from notifications import sweeps
from notifications.models import Notification
from referrals.models import Referral
from tests.factories import member

pytestmark = pytest.mark.django_db


def kinds_for(user, referral) -> list[str]:
    clock_kinds = Notification.objects.filter(recipient=user, object_id=str(referral.pk)).exclude(
        kind__startswith="referral_"
    )
    return sorted(clock_kinds.values_list("kind", flat=True))


def test_acknowledgement_clock_reminds_then_escalates_once(
    make_referral, police, police_duty_manager
):
    admin = member(police, Role.AGENCY_ADMIN)
    referral = make_referral("sent")
    due = Referral.objects.get(pk=referral.pk).acknowledge_by

    sweeps.run("referrals.clocks", now=due - timedelta(minutes=10))
    sweeps.run("referrals.clocks", now=due - timedelta(minutes=5))
    assert kinds_for(police_duty_manager, referral) == ["acknowledgement_due_soon"]

    sweeps.run("referrals.clocks", now=due + timedelta(minutes=1))
    sweeps.run("referrals.clocks", now=due + timedelta(minutes=2))
    assert kinds_for(police_duty_manager, referral) == [
        "acknowledgement_due_soon",
        "acknowledgement_overdue",
    ]
    assert kinds_for(admin, referral) == []

    sweeps.run("referrals.clocks", now=due + timedelta(hours=3))
    sweeps.run("referrals.clocks", now=due + timedelta(hours=3, minutes=1))
    assert kinds_for(admin, referral) == ["escalation"]


def test_acknowledged_referral_stops_the_acknowledgement_clock(make_referral, police_duty_manager):
    referral = make_referral("acknowledged")
    due = Referral.objects.get(pk=referral.pk).acknowledge_by
    sweeps.run("referrals.clocks", now=due + timedelta(minutes=1))
    assert "acknowledgement_overdue" not in kinds_for(police_duty_manager, referral)


def test_response_clock_stops_at_accept(make_referral, police_duty_manager):
    waiting = make_referral("acknowledged")
    accepted = make_referral("accepted")
    due = Referral.objects.get(pk=waiting.pk).respond_by
    sweeps.run("referrals.clocks", now=due + timedelta(minutes=1))
    assert "response_overdue" in kinds_for(police_duty_manager, waiting)
    assert "response_overdue" not in kinds_for(police_duty_manager, accepted)
