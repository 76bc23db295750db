"""Who is told about the consent and children apps' domain events, through their services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Role
from children.models import DuplicateCheck
from consent import services as consent_services
from notifications import sweeps
from notifications.models import Notification, NotificationKind
from tests.factories import consent_given, member
from tests.sharing_world import (  # noqa: F401  (fixtures)
    child,
    helpline,
    helpline_duty_manager,
    helpline_worker,
    officer,
    police,
    police_duty_manager,
    south_duty_manager,
)

pytestmark = pytest.mark.django_db


def told(kind: str) -> dict[int, tuple[str, str, str]]:
    return {
        n.recipient_id: (n.reference, n.object_type, n.object_id)
        for n in Notification.objects.filter(kind=kind)
    }


def shared(child, recipient, helpline, helpline_worker, **scope):
    consent = consent_given(child, helpline_worker, helpline, **scope)
    consent_services.share(
        child=child,
        recipient=recipient,
        categories=["identity"],
        purpose="investigation",
        actor=helpline_worker,
    )
    return consent


def test_withdrawn_consent_tells_the_agencies_that_received_data(
    child, helpline, helpline_worker, police, officer, police_duty_manager, helpline_duty_manager
):
    consent = shared(child, police, helpline, helpline_worker)
    consent_services.withdraw_consent(consent, by=helpline_worker, reason="Changed mind")
    assert told(NotificationKind.CONSENT_WITHDRAWN) == {
        police_duty_manager.pk: (child.reference, "consent.consentrecord", str(consent.pk))
    }
    text = Notification.objects.get().text
    assert text == f"Consent for {child.reference} was withdrawn: stop sharing."


def test_expired_consent_tells_them_through_the_scheduled_sweep(
    child, helpline, helpline_worker, police, police_duty_manager
):
    consent = shared(
        child, police, helpline, helpline_worker, valid_until=timezone.now() + timedelta(minutes=5)
    )
    assert "consent.expiry" in {sweep.name for sweep in sweeps.registered()}
    assert sweeps.run("consent.expiry", timezone.now()) == 0  # still valid
    later = timezone.now() + timedelta(minutes=10)
    sweeps.run("consent.expiry", later)
    sweeps.run("consent.expiry", later)
    assert told(NotificationKind.CONSENT_EXPIRED) == {
        police_duty_manager.pk: (child.reference, "consent.consentrecord", str(consent.pk))
    }


def test_override_request_asks_the_requesting_agencys_duty_managers(
    child, helpline, helpline_worker, helpline_duty_manager, police, police_duty_manager
):
    member(helpline, Role.SOCIAL_WORKER)
    override = consent_services.request_override(
        child=child,
        actor=helpline_worker,
        agency=helpline,
        recipient_agency=police,
        categories=["identity"],
        purpose="investigation",
        lawful_basis="vital_interests",
        justification="Immediate risk of harm tonight",
    )
    assert told(NotificationKind.OVERRIDE_REQUESTED) == {
        helpline_duty_manager.pk: (
            child.reference,
            "consent.overrideauthorisation",
            str(override.pk),
        )
    }
    assert "tonight" not in Notification.objects.get().text


def test_possible_duplicate_points_each_agency_at_its_own_record(
    client_for, child, helpline, helpline_duty_manager, other_agency, south_duty_manager
):
    worker = member(other_agency, Role.SOCIAL_WORKER)
    response = client_for(worker).post(
        "/api/v1/children/",
        {"given_name": "Amelia", "family_name": "Stone", "date_of_birth": "2011-05-04"},
        format="json",
    )
    assert response.status_code == 201
    check = DuplicateCheck.objects.get()
    assert told(NotificationKind.POSSIBLE_DUPLICATE) == {
        south_duty_manager.pk: (
            check.new_child.reference,
            "children.duplicatecheck",
            str(check.pk),
        ),
        helpline_duty_manager.pk: (child.reference, "children.duplicatecheck", str(check.pk)),
    }
    for notification in Notification.objects.all():
        assert "Amelia" not in notification.text
        assert "Stone" not in notification.text
