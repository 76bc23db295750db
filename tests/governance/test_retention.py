"""The retention job: closed case plans past the period are purged, with their children's
records when nothing else needs them; legal holds are respected; each purge is audited."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from agencies.models import Role
from audit.models import AuditAction, AuditEvent
from audit.services import verify_chain
from caseplans import services as plans
from caseplans.models import (
    CasePlan,
    CasePlanGroupObjectPermission,
    LeadAssignment,
    PlanAction,
    PlanEvent,
    Review,
    RiskAssessment,
    RiskItem,
    TeamMember,
)
from caseplans.services import RiskEntry
from children.models import Child, ChildGroupObjectPermission, DuplicateCheck
from consent import services as consent_services
from consent.models import ConsentRecord, Disclosure, DisclosureGrant
from governance import retention
from governance.models import LegalHold
from notifications import sweeps
from notifications.models import Notification
from pathways.vocabulary import NeedCategory, Urgency
from referrals import services as referral_services
from referrals.models import Referral, ReferralEvent
from tests.factories import child_record, consent_given, member
from tests.pathways.conftest import make_service
from tests.sharing_world import officer, police  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

GOALS = "Goals canary 7f3a: keep Lina away from the man she met online."
LONG_AGO = 2600  # days: past the default period of 2555
RECENTLY = 100


def full_plan(agency, lead, child=None):
    """A plan with history, an action, two signed risk assessments (one superseding the
    other), a review held and one scheduled, then closed."""
    child = child or child_record(agency, by=lead, given_name="Lina", family_name="Moss")
    plan = plans.open_plan(actor=lead, agency=agency, child=child, goals=GOALS)
    action = plans.add_action(
        plan, actor=lead, need_category=NeedCategory.MENTAL_HEALTH, description="Therapy"
    )
    plans.update_action(plan, action, actor=lead, status="done", outcome="Finished therapy.")
    entry = RiskEntry("online_contact", 4, 4, 2, 2, "Blocked the contact.")
    for _ in range(2):
        draft = plans.start_assessment(
            plan, actor=lead, next_review_date=date.today() + timedelta(days=30), items=[entry]
        )
        plans.sign_assessment(plan, draft, actor=lead)
    review = plans.schedule_review(plan, actor=lead, scheduled_for=date.today())
    plans.record_review(
        plan, review, actor=lead, decisions="Keep going.", held_on=date.today(), attendees=[lead]
    )
    plans.close_plan(plan, actor=lead, reason="needs_met")
    return plan


def backdate(plan: CasePlan, days: int) -> None:
    """Pretend the plan closed ``days`` ago and nothing about its child happened since."""
    then = timezone.now() - timedelta(days=days)
    CasePlan.objects.filter(pk=plan.pk).update(closed_at=then)
    Child.objects.filter(pk=plan.child_id).update(updated_at=then)
    ConsentRecord.objects.filter(child=plan.child_id).update(recorded_at=then)
    Disclosure.objects.filter(child=plan.child_id).update(disclosed_at=then)
    Referral.objects.filter(child=plan.child_id).update(closed_at=then)


def purged_events(object_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.PURGE, object_type=object_type))


@pytest.fixture
def old(social_services, social_worker):
    plan = full_plan(social_services, social_worker)
    backdate(plan, LONG_AGO)
    return plan


def test_only_closed_plans_past_the_period_are_purged(social_services, social_worker, old):
    recent = full_plan(social_services, social_worker)
    backdate(recent, RECENTLY)
    live_child = child_record(social_services, by=social_worker)
    live = plans.open_plan(actor=social_worker, agency=social_services, child=live_child)
    Child.objects.filter(pk=live_child.pk).update(
        updated_at=timezone.now() - timedelta(days=LONG_AGO)
    )
    for model in (PlanEvent, Review, RiskAssessment, PlanAction, TeamMember, LeadAssignment):
        assert model.objects.filter(plan=old).exists(), model

    report = retention.purge_closed_cases()

    assert report.plans_purged == [old.pk]
    assert report.children_purged == [old.child_id]
    assert set(CasePlan.objects.values_list("pk", flat=True)) == {recent.pk, live.pk}
    for model in (PlanEvent, Review, RiskAssessment, PlanAction, TeamMember, LeadAssignment):
        assert not model.objects.filter(plan=old.pk).exists(), model
    assert not RiskItem.objects.filter(assessment__plan=old.pk).exists()
    assert not CasePlanGroupObjectPermission.objects.filter(content_object=old.pk).exists()
    assert not Child.objects.filter(pk=old.child_id).exists()
    assert not ChildGroupObjectPermission.objects.filter(content_object=old.child_id).exists()
    assert Child.objects.filter(pk__in=[recent.child_id, live_child.pk]).count() == 2


def test_each_purge_is_audited_with_ids_only(old):
    retention.purge_closed_cases()
    (plan_event,) = purged_events("caseplans.caseplan")
    assert plan_event.object_id == str(old.pk)
    assert plan_event.actor is None
    assert plan_event.details["child"] == str(old.child_id)
    assert plan_event.details["risk_assessments"] == 2
    assert plan_event.details["events"] > 0
    (child_event,) = purged_events("children.child")
    assert child_event.object_id == str(old.child_id)
    for event in (plan_event, child_event):
        text = str(event.details)
        assert "Lina" not in text
        assert "canary" not in text
    assert verify_chain().intact


def test_purging_again_changes_nothing(old):
    first = retention.purge_closed_cases()
    events = AuditEvent.objects.count()
    second = retention.purge_closed_cases()
    assert first.plans_purged == [old.pk]
    assert second.plans_purged == second.children_purged == []
    assert AuditEvent.objects.count() == events


def test_a_legal_hold_keeps_everything_until_it_is_released(social_services, old):
    dpo = member(social_services, Role.DPO)
    from governance import services as governance

    hold = governance.place_legal_hold(old.child, by=dpo, reason="Civil claim pending.")
    report = retention.purge_closed_cases()
    assert report.plans_purged == []
    assert CasePlan.objects.filter(pk=old.pk).exists()
    assert not purged_events("caseplans.caseplan")

    governance.release_legal_hold(hold, by=dpo, note="Claim settled.")
    report = retention.purge_closed_cases()
    assert report.plans_purged == [old.pk]
    assert report.children_purged == [old.child_id]
    assert not LegalHold.objects.exists(), "released holds go with the child's record"


def test_the_period_is_configurable(settings, social_services, social_worker):
    plan = full_plan(social_services, social_worker)
    backdate(plan, RECENTLY)
    assert retention.purge_closed_cases().plans_purged == []
    settings.RETENTION_CLOSED_CASE_DAYS = 30
    assert retention.purge_closed_cases().plans_purged == [plan.pk]


def test_a_reopened_plan_stays(social_worker, old):
    plans.reopen_plan(old, actor=social_worker, reason="New disclosure.")
    assert retention.purge_closed_cases().plans_purged == []
    assert CasePlan.objects.filter(pk=old.pk).exists()


def test_the_child_stays_while_something_else_needs_it(social_services, social_worker, old):
    second = plans.open_plan(actor=social_worker, agency=social_services, child=old.child)
    report = retention.purge_closed_cases()
    assert report.plans_purged == [old.pk]
    assert report.children_purged == []
    assert report.children_kept == 1
    assert Child.objects.filter(pk=old.child_id).exists()
    assert CasePlan.objects.filter(pk=second.pk).exists()


def test_an_open_duplicate_check_keeps_the_child(social_services, social_worker, old):
    other = child_record(social_services, by=social_worker)
    DuplicateCheck.objects.create(
        new_child=other,
        existing_child=old.child,
        raised_by=social_worker,
        raising_agency=social_services,
        holding_agency=social_services,
    )
    report = retention.purge_closed_cases()
    assert report.plans_purged == [old.pk]
    assert report.children_kept == 1


def test_consents_referrals_and_disclosures_go_with_the_child(
    social_services, social_worker, police, officer
):
    child = child_record(social_services, by=social_worker, given_name="Lina")
    consent_given(
        child, social_worker, social_services, categories=["identity", "disclosure_narrative"]
    )
    consent_services.share(
        child=child,
        recipient=police,
        categories=["identity"],
        purpose="investigation",
        actor=social_worker,
        agency=social_services,
    )
    service = make_service(police, "Investigation", [NeedCategory.POLICE_INVESTIGATION])
    referral = referral_services.create_referral(
        actor=social_worker,
        agency=social_services,
        child=child,
        new_child=None,
        service=service,
        urgency=Urgency.WITHIN_72H,
        need_categories=[NeedCategory.POLICE_INVESTIGATION],
        concern="Concern canary 19bd.",
        purpose="investigation",
    )
    referral = referral_services.transition(referral, "send", actor=social_worker)
    referral_services.transition(referral, "cancel", actor=social_worker, note="Withdrawn.")
    plan = full_plan(social_services, social_worker, child=child)
    backdate(plan, LONG_AGO)
    assert Notification.objects.filter(object_id=str(referral.pk)).exists()

    report = retention.purge_closed_cases()

    assert report.children_purged == [child.pk]
    for model in (ConsentRecord, Disclosure, Referral):
        assert not model.objects.filter(child=child.pk).exists(), model
    assert not ReferralEvent.objects.filter(referral=referral.pk).exists()
    assert not DisclosureGrant.objects.exists()
    assert not Notification.objects.filter(object_id=str(referral.pk)).exists()
    (event,) = purged_events("children.child")
    assert event.details["referrals"] == 1
    assert event.details["consents"] == 1
    assert event.details["disclosures"] >= 2  # the direct share and the referral's
    assert verify_chain().intact


def test_a_referral_still_open_keeps_the_child(social_services, social_worker, police, officer):
    child = child_record(social_services, by=social_worker)
    consent_given(
        child, social_worker, social_services, categories=["identity", "disclosure_narrative"]
    )
    service = make_service(police, "Investigation", [NeedCategory.POLICE_INVESTIGATION])
    referral = referral_services.create_referral(
        actor=social_worker,
        agency=social_services,
        child=child,
        new_child=None,
        service=service,
        urgency=Urgency.WITHIN_72H,
        need_categories=[NeedCategory.POLICE_INVESTIGATION],
        concern="Still open.",
        purpose="investigation",
    )
    referral_services.transition(referral, "send", actor=social_worker)
    plan = full_plan(social_services, social_worker, child=child)
    backdate(plan, LONG_AGO)
    report = retention.purge_closed_cases()
    assert report.plans_purged == [plan.pk]
    assert report.children_kept == 1
    assert Referral.objects.filter(pk=referral.pk).exists()


def test_command_counts_and_dry_run_changes_nothing(old):
    out = StringIO()
    call_command("purge_closed_cases", "--dry-run", stdout=out)
    assert "1 case plan(s)" in out.getvalue()
    assert CasePlan.objects.filter(pk=old.pk).exists()

    out = StringIO()
    call_command("purge_closed_cases", stdout=out)
    assert "1 case plan(s) and 1 child record(s) purged" in out.getvalue()
    assert "Lina" not in out.getvalue()
    assert not CasePlan.objects.filter(pk=old.pk).exists()


def test_it_runs_daily_as_a_sweep(old):
    sweep = next(s for s in sweeps.registered() if s.name == "governance.retention")
    assert sweep.every == timedelta(days=1)
    sweeps.run("governance.retention")
    assert not CasePlan.objects.filter(pk=old.pk).exists()
