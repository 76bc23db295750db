"""The sharing decision service: consent in scope, overrides, withdrawal and expiry."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from agencies.models import Role
from agencies.services import end_membership
from audit.models import AuditEvent
from children.models import ChildGroupObjectPermission
from consent import services, signals
from consent.models import (
    ConsentRecord,
    ConsentStatus,
    Disclosure,
    DisclosureGrant,
    OverrideStatus,
)
from consent.services import Outcome, Reason, SharingRefused
from core import access
from tests.factories import consent_given, membership_of

pytestmark = pytest.mark.django_db

IDENTITY = ["identity"]


def _share(child, recipient, actor, **kwargs):
    kwargs.setdefault("categories", IDENTITY)
    kwargs.setdefault("purpose", "investigation")
    return services.share(child=child, recipient=recipient, actor=actor, **kwargs)


def _sees_child(user, child) -> bool:
    return access.can(user, "children.view_child", child)


def _authorised_override(child, duty_manager, agency, recipient, **scope):
    return services.request_override(
        child=child,
        actor=duty_manager,
        agency=agency,
        recipient_agency=recipient,
        categories=scope.get("categories", IDENTITY),
        purpose=scope.get("purpose", "investigation"),
        lawful_basis="public_task_safeguarding",
        justification="Risk of significant harm tonight.",
    )


# --- decide ------------------------------------------------------------------------------


def test_no_consent_needs_override(child, police):
    decision = services.decide(
        child=child, recipient=police, categories=IDENTITY, purpose="investigation"
    )
    assert decision.outcome == Outcome.NEEDS_OVERRIDE
    assert decision.reason == Reason.NO_CONSENT
    assert decision.consent is None


def test_consent_by_agency_kind_covers_that_kind_only(
    child, police, health, helpline, helpline_worker
):
    consent = consent_given(child, helpline_worker, helpline)
    allowed = services.decide(
        child=child, recipient=police, categories=IDENTITY, purpose="investigation"
    )
    assert allowed.outcome == Outcome.ALLOWED
    assert allowed.consent == consent
    other_kind = services.decide(
        child=child, recipient=health, categories=IDENTITY, purpose="investigation"
    )
    assert other_kind.outcome == Outcome.NEEDS_OVERRIDE


def test_consent_by_named_agency(child, police, health, helpline, helpline_worker):
    consent_given(child, helpline_worker, helpline, recipient_kinds=[], recipient_agencies=[health])
    assert services.decide(
        child=child, recipient=health, categories=IDENTITY, purpose="investigation"
    ).allowed
    assert not services.decide(
        child=child, recipient=police, categories=IDENTITY, purpose="investigation"
    ).allowed


def test_consent_must_cover_every_category_and_the_purpose(
    child, police, helpline, helpline_worker
):
    consent_given(child, helpline_worker, helpline)
    more = services.decide(
        child=child, recipient=police, categories=["identity", "contact"], purpose="investigation"
    )
    assert more.outcome == Outcome.NEEDS_OVERRIDE
    other_purpose = services.decide(
        child=child, recipient=police, categories=IDENTITY, purpose="support"
    )
    assert other_purpose.outcome == Outcome.NEEDS_OVERRIDE


def test_refusal_is_refused_and_a_later_consent_wins(child, police, helpline, helpline_worker):
    refusal = consent_given(child, helpline_worker, helpline, decision="refused")
    refused = services.decide(
        child=child, recipient=police, categories=IDENTITY, purpose="investigation"
    )
    assert (refused.outcome, refused.reason, refused.consent) == (
        Outcome.REFUSED,
        Reason.CONSENT_REFUSED,
        refusal,
    )
    later = consent_given(child, helpline_worker, helpline)
    assert (
        services.decide(
            child=child, recipient=police, categories=IDENTITY, purpose="investigation"
        ).consent
        == later
    )


def test_a_newer_refusal_beats_an_older_consent(child, police, helpline, helpline_worker):
    consent_given(child, helpline_worker, helpline)
    consent_given(child, helpline_worker, helpline, decision="refused")
    decision = services.decide(
        child=child, recipient=police, categories=IDENTITY, purpose="investigation"
    )
    assert decision.outcome == Outcome.REFUSED


def test_consent_outside_its_validity_does_not_count(child, police, helpline, helpline_worker):
    now = timezone.now()
    consent_given(
        child,
        helpline_worker,
        helpline,
        valid_from=now - timedelta(days=10),
        valid_until=now - timedelta(days=1),
    )
    consent_given(child, helpline_worker, helpline, valid_from=now + timedelta(days=1))
    decision = services.decide(
        child=child, recipient=police, categories=IDENTITY, purpose="investigation"
    )
    assert decision.outcome == Outcome.NEEDS_OVERRIDE


# --- share -------------------------------------------------------------------------------


def test_sharing_without_consent_or_override_is_refused_and_writes_nothing(
    child, police, officer, helpline_worker
):
    events_before = AuditEvent.objects.count()
    grants_before = ChildGroupObjectPermission.objects.count()
    with pytest.raises(SharingRefused) as refused:
        _share(child, police, helpline_worker)
    assert refused.value.reason == Reason.NO_CONSENT
    assert not refused.value.forbidden
    assert not Disclosure.objects.exists()
    assert not DisclosureGrant.objects.exists()
    assert ChildGroupObjectPermission.objects.count() == grants_before
    assert AuditEvent.objects.count() == events_before
    assert not AuditEvent.objects.filter(action="share").exists()
    assert not _sees_child(officer, child)


def test_share_on_consent_writes_disclosure_audit_and_exact_grants(
    child, police, officer, helpline, helpline_worker
):
    consent = consent_given(child, helpline_worker, helpline)
    extra = consent_given(child, helpline_worker, helpline, purposes=["support"])
    disclosure = _share(
        child,
        police,
        helpline_worker,
        subject=extra,
        grants=[(extra, ["consent.view_consentrecord"])],
    )

    assert disclosure.consent == consent
    assert disclosure.basis == "consent"
    assert disclosure.recipient_agency == police
    assert disclosure.disclosed_by_agency == helpline
    assert disclosure.categories == IDENTITY
    assert disclosure.subject_id == str(extra.pk)
    event = AuditEvent.objects.get(action="share")
    assert event.object_id == str(child.pk)
    assert event.details["disclosure"] == str(disclosure.pk)
    assert event.details["basis"] == "consent"
    assert event.details["categories"] == IDENTITY
    assert _sees_child(officer, child)
    assert access.can(officer, "consent.view_consentrecord", extra)
    assert not access.can(officer, "consent.view_consentrecord", consent)
    assert not access.can(officer, "children.change_child", child)
    assert sorted(disclosure.grants.values_list("permission", flat=True)) == [
        "view_child",
        "view_consentrecord",
    ]
    assert services.categories_disclosed_to(officer, child) == {"identity"}
    assert services.categories_disclosed_to(police, child) == {"identity"}


def test_record_keeper_sees_everything(child, helpline, helpline_worker):
    assert services.categories_disclosed_to(helpline_worker, child) == {
        "identity",
        "contact",
        "health",
        "disclosure_narrative",
        "case_plan",
        "risk_assessment",
    }
    assert services.categories_disclosed_to(helpline, child) == services.categories_disclosed_to(
        helpline_worker, child
    )


def test_share_to_one_person_grants_that_person_only(
    child, police, officer, helpline, helpline_worker
):
    from tests.factories import member

    colleague = member(police, Role.PRACTITIONER)
    consent_given(child, helpline_worker, helpline)
    disclosure = _share(child, officer, helpline_worker)
    assert disclosure.recipient_user == officer
    assert disclosure.recipient_agency == police
    assert _sees_child(officer, child)
    assert not _sees_child(colleague, child)
    assert services.categories_disclosed_to(colleague, child) == set()


def test_nobody_shares_what_they_cannot_see(
    child, police, officer, helpline, helpline_worker, health
):
    consent_given(
        child,
        helpline_worker,
        helpline,
        recipient_kinds=["police", "health"],
        categories=["identity", "contact"],
    )
    _share(child, police, helpline_worker)  # identity only
    with pytest.raises(SharingRefused) as refused:
        _share(child, health, officer, categories=["contact"], agency=police)
    assert refused.value.forbidden
    assert refused.value.reason == Reason.CATEGORY_NOT_HELD


def test_a_stranger_cannot_share_at_all(child, police, south_worker):
    with pytest.raises(SharingRefused) as refused:
        _share(child, police, south_worker)
    assert refused.value.reason == Reason.CHILD_NOT_VISIBLE


# --- overrides ---------------------------------------------------------------------------


def test_override_without_duty_manager_authorisation_is_refused(
    child, police, officer, helpline, helpline_worker
):
    requested = services.request_override(
        child=child,
        actor=helpline_worker,
        agency=helpline,
        recipient_agency=police,
        categories=IDENTITY,
        purpose="investigation",
        lawful_basis="vital_interests",
        justification="Immediate danger.",
    )
    assert requested.status == OverrideStatus.REQUESTED
    with pytest.raises(SharingRefused) as refused:
        _share(child, police, helpline_worker, override=requested)
    assert refused.value.reason == Reason.OVERRIDE_NOT_AUTHORISED
    assert not Disclosure.objects.exists()
    assert not _sees_child(officer, child)


def test_worker_cannot_authorise_and_duty_manager_can(
    child, police, officer, helpline, helpline_worker, helpline_duty_manager
):
    requested = services.request_override(
        child=child,
        actor=helpline_worker,
        agency=helpline,
        recipient_agency=police,
        categories=IDENTITY,
        purpose="investigation",
        lawful_basis="public_task_safeguarding",
        justification="Risk of significant harm.",
    )
    with pytest.raises(PermissionError):
        services.authorise_override(requested, by=helpline_worker)
    authorised = services.authorise_override(requested, by=helpline_duty_manager)
    assert authorised.status == OverrideStatus.AUTHORISED
    assert authorised.authorised_by == helpline_duty_manager
    disclosure = _share(child, police, helpline_worker, override=authorised)
    assert disclosure.basis == "override"
    assert disclosure.override == authorised
    assert _sees_child(officer, child)
    with pytest.raises(services.StateConflict):
        services.refuse_override(authorised, by=helpline_duty_manager, reason="Too late")


def test_duty_manager_request_is_authorised_at_once_and_used_on_a_refusal(
    child, police, helpline, helpline_worker, helpline_duty_manager
):
    consent_given(child, helpline_worker, helpline, decision="refused")
    override = _authorised_override(child, helpline_duty_manager, helpline, police)
    assert override.status == OverrideStatus.AUTHORISED
    assert override.authorised_by == helpline_duty_manager
    disclosure = _share(child, police, helpline_duty_manager, override=override)
    assert disclosure.override == override


def test_another_agencys_duty_manager_cannot_authorise(
    child, police, helpline, helpline_worker, police_duty_manager
):
    requested = services.request_override(
        child=child,
        actor=helpline_worker,
        agency=helpline,
        recipient_agency=police,
        categories=IDENTITY,
        purpose="investigation",
        lawful_basis="legal_obligation",
        justification="Court order.",
    )
    with pytest.raises(PermissionError):
        services.authorise_override(requested, by=police_duty_manager)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"categories": ["identity", "contact"]}, Reason.OVERRIDE_OUT_OF_SCOPE),
        ({"purpose": "support"}, Reason.OVERRIDE_OUT_OF_SCOPE),
        ({"recipient": "health"}, Reason.OVERRIDE_OUT_OF_SCOPE),
    ],
)
def test_override_covers_only_its_scope(
    change, reason, child, police, health, helpline, helpline_worker, helpline_duty_manager
):
    override = _authorised_override(child, helpline_duty_manager, helpline, police)
    recipient = health if change.pop("recipient", None) else police
    with pytest.raises(SharingRefused) as refused:
        _share(child, recipient, helpline_worker, override=override, **change)
    assert refused.value.reason == reason


def test_override_whose_authoriser_lost_the_role_is_refused(
    child, police, helpline, helpline_worker, helpline_duty_manager
):
    override = _authorised_override(child, helpline_duty_manager, helpline, police)
    end_membership(membership_of(helpline_duty_manager, helpline), by=None)
    with pytest.raises(SharingRefused) as refused:
        _share(child, police, helpline_worker, override=override)
    assert refused.value.reason == Reason.OVERRIDE_NOT_AUTHORISED


def test_expired_override_is_refused(
    child, police, helpline, helpline_worker, helpline_duty_manager
):
    override = _authorised_override(child, helpline_duty_manager, helpline, police)
    type(override).objects.filter(pk=override.pk).update(expires_at=timezone.now())
    with pytest.raises(SharingRefused) as refused:
        _share(child, police, helpline_worker, override=override)
    assert refused.value.reason == Reason.OVERRIDE_NOT_AUTHORISED
    assert not Disclosure.objects.exists()


def test_override_of_another_agency_cannot_be_used(
    child, police, officer, helpline, helpline_duty_manager, helpline_worker
):
    consent_given(child, helpline_worker, helpline, categories=["identity"])
    _share(child, police, helpline_worker)
    override = _authorised_override(child, helpline_duty_manager, helpline, police)
    with pytest.raises(SharingRefused) as refused:
        _share(child, police, officer, override=override, agency=police)
    assert refused.value.reason == Reason.OVERRIDE_NOT_AUTHORISED


# --- withdrawal and expiry -----------------------------------------------------------------


@pytest.fixture
def withdrawn_events():
    received = []

    def receiver(sender, **kwargs):
        received.append(("withdrawn", kwargs))

    def expired(sender, **kwargs):
        received.append(("expired", kwargs))

    signals.consent_withdrawn.connect(receiver)
    signals.consent_expired.connect(expired)
    yield received
    signals.consent_withdrawn.disconnect(receiver)
    signals.consent_expired.disconnect(expired)


def test_withdrawn_consent_blocks_next_share_revokes_and_signals(
    child, police, officer, helpline, helpline_worker, withdrawn_events
):
    consent = consent_given(child, helpline_worker, helpline)
    disclosure = _share(child, police, helpline_worker)
    assert _sees_child(officer, child)

    withdrawn = services.withdraw_consent(consent, by=helpline_worker, reason="Changed mind")

    assert withdrawn.status == ConsentStatus.WITHDRAWN
    assert withdrawn.withdrawn_by == helpline_worker
    assert withdrawn.withdrawn_by_agency == helpline
    disclosure.refresh_from_db()
    assert disclosure.ended_at is not None
    assert disclosure.end_reason == "consent_withdrawn"
    assert not _sees_child(officer, child)
    assert services.categories_disclosed_to(officer, child) == set()
    assert disclosure.grants.get().revoked
    assert withdrawn_events == [
        (
            "withdrawn",
            {
                "consent": withdrawn,
                "agency_ids": [police.pk],
                "user_ids": [],
                "signal": signals.consent_withdrawn,
            },
        )
    ]
    with pytest.raises(SharingRefused) as refused:
        _share(child, police, helpline_worker)
    assert refused.value.reason == Reason.CONSENT_WITHDRAWN
    assert Disclosure.objects.count() == 1
    event = AuditEvent.objects.filter(action="transition", object_id=str(consent.pk)).get()
    assert event.details["to"] == "withdrawn"
    assert "Changed mind" not in str(event.details)


def test_withdrawal_keeps_grants_backed_by_an_override(
    child, police, officer, helpline, helpline_worker, helpline_duty_manager
):
    consent = consent_given(child, helpline_worker, helpline)
    _share(child, police, helpline_worker)
    override = _authorised_override(child, helpline_duty_manager, helpline, police)
    _share(child, police, helpline_worker, override=override)

    services.withdraw_consent(consent, by=helpline_worker, reason="No longer agrees")

    assert _sees_child(officer, child), "the override still supports the police's access"
    assert services.categories_disclosed_to(officer, child) == {"identity"}
    ended = Disclosure.objects.get(consent=consent)
    assert not ended.grants.get().revoked


def test_withdrawal_keeps_grants_backed_by_another_consent(
    child, police, officer, helpline, helpline_worker
):
    first = consent_given(child, helpline_worker, helpline)
    _share(child, police, helpline_worker)
    consent_given(child, helpline_worker, helpline, categories=["identity", "contact"])
    _share(child, police, helpline_worker, categories=["identity", "contact"])

    services.withdraw_consent(first, by=helpline_worker, reason="Scope replaced")
    assert _sees_child(officer, child)
    assert services.categories_disclosed_to(officer, child) == {"identity", "contact"}


def test_record_keeper_never_loses_its_own_view(child, helpline, helpline_worker):
    consent = consent_given(child, helpline_worker, helpline, recipient_kinds=["helpline"])
    _share(child, helpline, helpline_worker)
    services.withdraw_consent(consent, by=helpline_worker, reason="Withdrawn")
    assert _sees_child(helpline_worker, child)


def test_only_active_consent_can_be_withdrawn(child, helpline, helpline_worker):
    refusal = consent_given(child, helpline_worker, helpline, decision="refused")
    with pytest.raises(services.StateConflict):
        services.withdraw_consent(refusal, by=helpline_worker, reason="n/a")
    consent = consent_given(child, helpline_worker, helpline)
    services.withdraw_consent(consent, by=helpline_worker, reason="First")
    with pytest.raises(services.StateConflict):
        services.withdraw_consent(consent, by=helpline_worker, reason="Second")


def test_status_changes_only_through_services(child, helpline, helpline_worker):
    consent = consent_given(child, helpline_worker, helpline)
    with pytest.raises(AttributeError):
        consent.status = ConsentStatus.WITHDRAWN


def test_expiry_sweep_is_idempotent_revokes_and_signals(
    child, police, officer, helpline, helpline_worker, withdrawn_events
):
    now = timezone.now()
    consent = consent_given(child, helpline_worker, helpline, valid_until=now + timedelta(hours=1))
    lasting = consent_given(child, helpline_worker, helpline, purposes=["support"])
    _share(child, police, helpline_worker)
    later = now + timedelta(hours=2)
    assert services.categories_disclosed_to(officer, child) == {"identity"}

    assert services.expire_consents(now=later) == 1
    assert services.expire_consents(now=later) == 0

    consent.refresh_from_db()
    lasting.refresh_from_db()
    assert consent.status == ConsentStatus.EXPIRED
    assert lasting.status == ConsentStatus.ACTIVE
    assert not _sees_child(officer, child)
    assert [kind for kind, _ in withdrawn_events] == ["expired"]
    assert withdrawn_events[0][1]["agency_ids"] == [police.pk]
    assert AuditEvent.objects.filter(action="transition", object_id=str(consent.pk)).count() == 1


def test_past_validity_hides_categories_before_the_sweep(
    child, police, officer, helpline, helpline_worker
):
    consent = consent_given(
        child, helpline_worker, helpline, valid_until=timezone.now() + timedelta(hours=1)
    )
    _share(child, police, helpline_worker)
    ConsentRecord.objects.filter(pk=consent.pk).update(valid_until=timezone.now())
    assert services.categories_disclosed_to(officer, child) == set()


def test_expire_consents_command(child, helpline, helpline_worker, capsys):
    consent = consent_given(
        child, helpline_worker, helpline, valid_until=timezone.now() + timedelta(seconds=1)
    )
    ConsentRecord.objects.filter(pk=consent.pk).update(
        valid_from=timezone.now() - timedelta(days=2),
        valid_until=timezone.now() - timedelta(days=1),
    )
    call_command("expire_consents")
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.EXPIRED
    assert "1" in capsys.readouterr().out
