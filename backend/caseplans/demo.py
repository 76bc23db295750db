"""Demo case plans, one in each phase, with actions, risk assessments and reviews.

* **Amira** (North, investigation, active): the helpline refers her to North Social
  Services' Family Support Service, ``social.north`` accepts and opens the plan from the
  referral, and ``police.north`` joins the team under Amira's consent to share her case plan
  (not her risk assessments) with the police. Actions: a joint investigation referred to
  North Police (accepted, so in progress), a safety plan at home and online (in progress),
  an initial home visit (done), therapy once the interview is over (planned). Two signed
  risk assessments (the second supersedes the first) and a new draft; a review held and
  the next one scheduled.
* **Maya** (North, immediate, open): opened directly by ``social.north``; her risk
  re-assessment and her first review are both overdue.
* **Sofia** (North, legal proceedings, active): court support planned, legal advocacy not
  needed; a review scheduled.
* **Tom** (South, recovery, active): led by ``social.south``; therapy planned, peer support
  done, a signed assessment, a review scheduled.
* **The anonymous young person** (South, immediate, closed): no further action needed.

Dates in the past (overdue reviews and re-assessments) are set by moving a scheduled date
back after it was scheduled: the services themselves only accept dates still to come.

Idempotent: a demo child who already has a case plan is left as they are.
"""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.demo import demo_agency
from agencies.models import AgencyKind
from caseplans import services
from caseplans.models import CasePlan, Review, RiskAssessment
from children.demo import demo_child
from consent import services as consent
from consent.models import DataCategory, Purpose
from pathways.models import Service
from pathways.vocabulary import NeedCategory, Urgency
from referrals import services as referrals

User = get_user_model()
N = NeedCategory


def _staff(username: str) -> Any:
    return User.objects.get(username=username)


def _days(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)


def _service(region: str, kind: AgencyKind, name: str) -> Service:
    return Service.objects.get(agency=demo_agency(region, kind), name=name)


def _risk(
    domain: str, before: tuple[int, int], after: tuple[int, int], mitigation: str
) -> services.RiskEntry:
    return services.RiskEntry(
        domain=domain,
        likelihood=before[0],
        severity=before[1],
        residual_likelihood=after[0],
        residual_severity=after[1],
        mitigation=mitigation,
    )


def _signed(
    plan: CasePlan, actor: Any, entries: list[services.RiskEntry], review_in_days: int
) -> RiskAssessment:
    draft = services.start_assessment(
        plan, actor=actor, next_review_date=_days(max(review_in_days, 1)), items=entries
    )
    if review_in_days < 1:
        RiskAssessment.objects.filter(pk=draft.pk).update(next_review_date=_days(review_in_days))
    return services.sign_assessment(plan, draft, actor=actor)


def _overdue_review(plan: CasePlan, actor: Any, days_ago: int) -> Review:
    review = services.schedule_review(plan, actor=actor, scheduled_for=_days(1))
    Review.objects.filter(pk=review.pk).update(scheduled_for=_days(-days_ago))
    return review


def _amira() -> None:
    child = demo_child("amira")
    if child.case_plans.exists():
        return
    helpline_worker, lead = _staff("helpline.north"), _staff("social.north")
    officer = _staff("police.north")
    social = demo_agency("north", AgencyKind.SOCIAL_SERVICES)
    referral = referrals.create_referral(
        actor=helpline_worker,
        agency=demo_agency("north", AgencyKind.HELPLINE),
        child=child,
        new_child=None,
        service=_service("north", AgencyKind.SOCIAL_SERVICES, "Family Support Service"),
        urgency=Urgency.WITHIN_24H,
        need_categories=[N.FAMILY_SUPPORT],
        concern="Groomed through an online game; the adult has asked to meet her.",
        purpose=Purpose.SUPPORT,
    )
    for name in ("send", "acknowledge", "accept"):
        actor = helpline_worker if name == "send" else lead
        referral = referrals.transition(referral, name, actor=actor)
    plan = services.open_plan(
        actor=lead,
        agency=social,
        referral=referral,
        phase="investigation",
        goals="Keep Amira safe from the adult who contacted her, support her through the "
        "police investigation, and help her family manage her online life.",
    )
    services.activate_plan(plan, actor=lead)
    consent.record_consent(
        child=child,
        actor=lead,
        agency=social,
        given_by="child",
        child_competent=True,
        capacity_note="Understood that the police would see her plan but not her risk assessment.",
        decision="active",
        recipient_kinds=[AgencyKind.POLICE],
        categories=[DataCategory.CASE_PLAN],
        purposes=[Purpose.SAFETY_PLANNING, Purpose.SUPPORT],
        valid_until=timezone.now() + timedelta(days=365),
    )
    services.add_member(
        plan, actor=lead, user=officer, role="police_officer", purpose=Purpose.SAFETY_PLANNING
    )
    investigation = services.add_action(
        plan,
        actor=lead,
        need_category=N.POLICE_INVESTIGATION,
        description="Joint investigation with the police: interview and device examination.",
        due_date=_days(7),
        service=_service("north", AgencyKind.POLICE, "Child Abuse Investigation Unit"),
        referral=services.ReferralRequest(
            urgency=Urgency.WITHIN_24H,
            concern="An adult groomed Amira online and has asked to meet her.",
            purpose=Purpose.INVESTIGATION,
        ),
    )
    for name in ("acknowledge", "accept"):
        referrals.transition(investigation.referral, name, actor=officer)
    safety = services.add_action(
        plan,
        actor=lead,
        need_category=N.FAMILY_SUPPORT,
        description="Safety plan with Amira and her mother: blocking, reporting, who to call.",
        due_date=_days(3),
        responsible_person=lead,
    )
    services.update_action(plan, safety, actor=lead, status="in_progress")
    visit = services.add_action(
        plan,
        actor=lead,
        need_category=N.FAMILY_SUPPORT,
        description="Initial home visit.",
        responsible_person=lead,
    )
    services.update_action(
        plan,
        visit,
        actor=lead,
        status="done",
        outcome="Visited; Amira and her mother agreed to the plan.",
    )
    services.add_action(
        plan,
        actor=lead,
        need_category=N.MENTAL_HEALTH,
        description="Trauma-focused therapy once the police interview is done.",
        responsible_agency=demo_agency("north", AgencyKind.HEALTH),
        due_date=_days(30),
    )
    _signed(
        plan,
        lead,
        [
            _risk("online_contact", (5, 5), (3, 4), "Accounts blocked and reported; police told."),
            _risk("offender_contact", (4, 5), (2, 5), "Meeting prevented; school told."),
            _risk("self_harm", (2, 4), (2, 3), "Crisis line numbers; GP informed."),
        ],
        review_in_days=7,
    )
    _signed(
        plan,
        lead,
        [
            _risk("online_contact", (4, 4), (2, 3), "New phone; parental controls agreed."),
            _risk("offender_contact", (3, 5), (1, 5), "Offender on bail with no-contact terms."),
            _risk("revictimisation", (3, 4), (3, 3), "Image removal requests under way."),
            _risk("self_harm", (2, 4), (1, 3), "Weekly check-ins."),
        ],
        review_in_days=28,
    )
    services.start_assessment(
        plan,
        actor=lead,
        next_review_date=_days(56),
        items=[_risk("home_and_family", (2, 3), (1, 2), "Family support sessions.")],
        summary="Re-assessment after the police interview.",
    )
    review = services.schedule_review(plan, actor=lead, scheduled_for=_days(1))
    Review.objects.filter(pk=review.pk).update(scheduled_for=_days(-14))
    services.record_review(
        plan,
        Review.objects.get(pk=review.pk),
        actor=lead,
        held_on=_days(-14),
        attendees=[lead, officer],
        other_attendees="Amira; her mother",
        decisions="Investigation to go ahead; therapy to wait until after the interview.",
        next_review_date=_days(14),
    )


def _maya() -> None:
    child = demo_child("maya")
    if child.case_plans.exists():
        return
    lead = _staff("social.north")
    plan = services.open_plan(
        actor=lead,
        agency=demo_agency("north", AgencyKind.SOCIAL_SERVICES),
        child=child,
        phase="immediate",
        goals="Make Maya safe tonight and stop her images circulating.",
    )
    services.add_action(
        plan,
        actor=lead,
        need_category=N.ONLINE_CONTENT_REMOVAL,
        description="Report the images to the platforms and the hash list.",
        responsible_person=lead,
        due_date=_days(-1),
    )
    _signed(
        plan,
        lead,
        [_risk("revictimisation", (5, 5), (4, 5), "Removal requests sent; police informed.")],
        review_in_days=-2,
    )
    _overdue_review(plan, lead, days_ago=3)


def _sofia() -> None:
    child = demo_child("sofia-north")
    if child.case_plans.exists():
        return
    lead = _staff("social.north")
    plan = services.open_plan(
        actor=lead,
        agency=demo_agency("north", AgencyKind.SOCIAL_SERVICES),
        child=child,
        phase="legal_proceedings",
        goals="Support Sofia through the trial and keep her schooling going.",
    )
    services.activate_plan(plan, actor=lead)
    services.add_action(
        plan,
        actor=lead,
        need_category=N.COURT_SUPPORT,
        description="Pre-trial visit and a companion on the day.",
        responsible_agency=demo_agency("north", AgencyKind.NGO),
        due_date=_days(21),
    )
    advocacy = services.add_action(
        plan, actor=lead, need_category=N.LEGAL_ADVOCACY, description="Independent advocate."
    )
    services.update_action(
        plan,
        advocacy,
        actor=lead,
        status="not_needed",
        outcome="The school's safeguarding lead already acts as her advocate.",
    )
    services.schedule_review(plan, actor=lead, scheduled_for=_days(10))


def _tom() -> None:
    child = demo_child("tom")
    if child.case_plans.exists():
        return
    lead = _staff("social.south")
    plan = services.open_plan(
        actor=lead,
        agency=demo_agency("south", AgencyKind.SOCIAL_SERVICES),
        child=child,
        phase="recovery",
        goals="Tom rebuilds his confidence and returns to college.",
    )
    services.activate_plan(plan, actor=lead)
    services.add_action(
        plan,
        actor=lead,
        need_category=N.THERAPY,
        description="Therapeutic recovery programme.",
        responsible_agency=demo_agency("south", AgencyKind.NGO),
        due_date=_days(14),
    )
    peers = services.add_action(
        plan, actor=lead, need_category=N.PEER_SUPPORT, description="Peer support group."
    )
    services.update_action(
        plan, peers, actor=lead, status="done", outcome="Attended six sessions; wants to go on."
    )
    _signed(
        plan,
        lead,
        [
            _risk("online_conduct", (3, 3), (2, 2), "Agreed online safety plan."),
            _risk("home_and_family", (2, 3), (1, 3), "Family sessions finished."),
        ],
        review_in_days=42,
    )
    services.schedule_review(plan, actor=lead, scheduled_for=_days(21))


def _anonymous_south() -> None:
    child = demo_child("anonymous-south")
    if child.case_plans.exists():
        return
    lead = _staff("social.south")
    plan = services.open_plan(
        actor=lead,
        agency=demo_agency("south", AgencyKind.SOCIAL_SERVICES),
        child=child,
        phase="immediate",
    )
    check = services.add_action(
        plan, actor=lead, need_category=N.FAMILY_SUPPORT, description="Welfare check."
    )
    services.update_action(
        plan, check, actor=lead, status="not_needed", outcome="The caller could not be traced."
    )
    services.close_plan(
        plan,
        actor=lead,
        reason="no_further_action",
        note="Anonymous contact; no way to reach the young person.",
    )


def seed(log: Callable[[str], None]) -> None:
    for step in (_amira, _maya, _sofia, _tom, _anonymous_south):
        step()
    phases = sorted(set(CasePlan.objects.values_list("phase", flat=True)))
    log(f"Case plans: {CasePlan.objects.count()} ({', '.join(phases)})")
