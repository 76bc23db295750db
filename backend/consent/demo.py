"""Demo consents in every state, disclosures on consent and on an override.

* Amira (North helpline): consent active, shared with North Police.
* The anonymous caller: consent refused.
* Leo: consent given to North Health, shared, then withdrawn (the disclosure has ended).
* Maya (North social services): a foster carer's consent that has expired; she is shared
  with North Police on a duty manager's authorised override.
* Tom (South social services): consent active, shared with South Police.

Idempotent: a demo child that already has consent records is left as it is.
"""

from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.demo import demo_agency
from agencies.models import AgencyKind
from children.demo import demo_child
from children.models import Child
from consent import services
from consent.models import ConsentRecord, ConsentStatus, Disclosure

User = get_user_model()


def _staff(username: str) -> object:
    return User.objects.get(username=username)


def _untouched(child: Child) -> bool:
    return not child.consent_records.exists() and not child.override_authorisations.exists()


def _amira() -> None:
    child, worker = demo_child("amira"), _staff("helpline.north")
    if not _untouched(child):
        return
    helpline = demo_agency("north", AgencyKind.HELPLINE)
    services.record_consent(
        child=child,
        actor=worker,
        agency=helpline,
        given_by="child",
        child_competent=True,
        capacity_note="Understood who would be told and why; asked questions about the police.",
        decision=ConsentStatus.ACTIVE,
        recipient_kinds=[AgencyKind.POLICE, AgencyKind.SOCIAL_SERVICES],
        categories=["identity", "contact", "disclosure_narrative"],
        purposes=["investigation", "support"],
        valid_until=timezone.now() + timedelta(days=180),
    )
    services.share(
        child=child,
        recipient=demo_agency("north", AgencyKind.POLICE),
        categories=["identity", "contact"],
        purpose="investigation",
        actor=worker,
        agency=helpline,
    )


def _anonymous_caller() -> None:
    child = demo_child("anonymous-caller")
    if not _untouched(child):
        return
    services.record_consent(
        child=child,
        actor=_staff("helpline.north"),
        agency=demo_agency("north", AgencyKind.HELPLINE),
        given_by="child",
        child_competent=True,
        capacity_note="Clear that they do not want anyone else told for now.",
        decision=ConsentStatus.REFUSED,
        recipient_kinds=[AgencyKind.POLICE, AgencyKind.SOCIAL_SERVICES],
        categories=["disclosure_narrative"],
        purposes=["investigation", "support"],
    )


def _leo() -> None:
    child, worker = demo_child("leo"), _staff("helpline.north")
    if not _untouched(child):
        return
    helpline = demo_agency("north", AgencyKind.HELPLINE)
    health = demo_agency("north", AgencyKind.HEALTH)
    consent = services.record_consent(
        child=child,
        actor=worker,
        agency=helpline,
        given_by="parent_carer",
        given_by_relationship="father",
        given_by_name="Jonas Fischer",
        decision=ConsentStatus.ACTIVE,
        recipient_agencies=[health],
        categories=["identity", "health"],
        purposes=["support"],
    )
    services.share(
        child=child,
        recipient=health,
        categories=["identity", "health"],
        purpose="support",
        actor=worker,
        agency=helpline,
    )
    services.withdraw_consent(
        consent,
        by=worker,
        reason="Leo's father asked for the referral to health to stop.",
        agency=helpline,
    )


def _maya() -> None:
    child = demo_child("maya")
    if not _untouched(child):
        return
    social = demo_agency("north", AgencyKind.SOCIAL_SERVICES)
    police = demo_agency("north", AgencyKind.POLICE)
    now = timezone.now()
    services.record_consent(
        child=child,
        actor=_staff("social.north"),
        agency=social,
        given_by="parent_carer",
        given_by_relationship="foster carer",
        given_by_name="Grace Okafor",
        decision=ConsentStatus.ACTIVE,
        recipient_kinds=[AgencyKind.HEALTH],
        categories=["identity", "health"],
        purposes=["support"],
        valid_from=now - timedelta(days=90),
        valid_until=now - timedelta(days=1),
    )
    override = services.request_override(
        child=child,
        actor=_staff("duty.north"),
        agency=social,
        recipient_agency=police,
        categories=["identity", "disclosure_narrative"],
        purpose="investigation",
        lawful_basis="public_task_safeguarding",
        justification="Images of Maya are being shared online by an adult; police need to "
        "act today. Consent could not be sought without alerting the adult.",
    )
    services.share(
        child=child,
        recipient=police,
        categories=["identity", "disclosure_narrative"],
        purpose="investigation",
        actor=_staff("social.north"),
        override=override,
        agency=social,
    )


def _tom() -> None:
    child, worker = demo_child("tom"), _staff("social.south")
    if not _untouched(child):
        return
    social = demo_agency("south", AgencyKind.SOCIAL_SERVICES)
    services.record_consent(
        child=child,
        actor=worker,
        agency=social,
        given_by="parent_carer",
        given_by_relationship="mother",
        given_by_name="Ruth Reed",
        decision=ConsentStatus.ACTIVE,
        recipient_kinds=[AgencyKind.POLICE],
        categories=["identity", "contact"],
        purposes=["investigation"],
    )
    services.share(
        child=child,
        recipient=demo_agency("south", AgencyKind.POLICE),
        categories=["identity"],
        purpose="investigation",
        actor=worker,
        agency=social,
    )


def seed(log: Callable[[str], None]) -> None:
    for step in (_amira, _anonymous_caller, _leo, _maya, _tom):
        step()
    services.expire_consents()
    states = sorted(set(ConsentRecord.objects.values_list("status", flat=True)))
    log(
        f"Consent records: {ConsentRecord.objects.count()} ({', '.join(states)}), "
        f"disclosures: {Disclosure.objects.count()}"
    )
