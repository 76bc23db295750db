"""Two people acting on the same consent or override at once: exactly one wins."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from consent import services, signals
from consent.models import ConsentRecord, ConsentStatus, OverrideAuthorisation, OverrideStatus
from tests.factories import consent_given, member

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def _race(*actions: Callable[[], object]) -> list[str]:
    outcomes: list[str] = []
    barrier = threading.Barrier(len(actions))

    def run(action: Callable[[], object]) -> None:
        barrier.wait()
        try:
            action()
            outcomes.append("won")
        except services.StateConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_concurrent_withdrawals_leave_one_withdrawal(
    child, helpline, helpline_worker, police, officer
):
    consent = consent_given(child, helpline_worker, helpline)
    services.share(
        child=child,
        recipient=police,
        categories=["identity"],
        purpose="investigation",
        actor=helpline_worker,
    )
    second_worker = member(helpline, "helpline_worker")
    fired = []

    def receiver(sender, consent, **kwargs):
        fired.append(consent.pk)

    signals.consent_withdrawn.connect(receiver)
    try:
        outcomes = _race(
            *(
                lambda who=who: services.withdraw_consent(
                    ConsentRecord.objects.get(pk=consent.pk), by=who, reason="Withdrawn"
                )
                for who in (helpline_worker, second_worker, helpline_worker, second_worker)
            )
        )
    finally:
        signals.consent_withdrawn.disconnect(receiver)

    assert outcomes == ["conflict", "conflict", "conflict", "won"]
    assert fired == [consent.pk]
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.WITHDRAWN
    assert consent.disclosures.get().grants.get().revoked


def test_concurrent_authorise_and_refuse_leave_one_decision(
    child, helpline, helpline_worker, helpline_duty_manager, police
):
    override = services.request_override(
        child=child,
        actor=helpline_worker,
        agency=helpline,
        recipient_agency=police,
        categories=["identity"],
        purpose="investigation",
        lawful_basis="vital_interests",
        justification="Urgent.",
    )
    second_manager = member(helpline, "duty_manager")

    def fresh() -> OverrideAuthorisation:
        return OverrideAuthorisation.objects.get(pk=override.pk)

    outcomes = _race(
        lambda: services.authorise_override(fresh(), by=helpline_duty_manager),
        lambda: services.refuse_override(fresh(), by=second_manager, reason="Seek consent"),
    )
    assert outcomes == ["conflict", "won"]
    assert fresh().status in (OverrideStatus.AUTHORISED, OverrideStatus.REFUSED)
