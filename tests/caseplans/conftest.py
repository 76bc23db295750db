"""A case-plan world: North Social Services leads a plan for a child it recorded, with
North Police (and North Health) as partner agencies under the child's consent.

People:

* ``lead`` (the conftest's ``social_worker``): social worker of North Social Services, leads
  the plan; ``colleague``: another social worker there; ``duty_manager``: its duty manager;
  ``agency_admin`` and ``ss_dpo``: its admin and DPO (neither sees plans);
* ``officer``: a police practitioner, added to the team through consent
  (``officer_member``);
* ``demoted``: on the team, but no longer in a case role (the "wrong role");
* ``south_worker``: a social worker in another region (the outsider).
"""

from datetime import date

import pytest

from agencies import services as agency_services
from agencies.models import Agency, Membership, Role
from caseplans import services
from caseplans.models import CasePlan, TeamMember
from consent.models import DataCategory, Purpose
from pathways.vocabulary import NeedCategory, Urgency
from referrals import services as referral_services
from tests.factories import child_record, consent_given, member
from tests.pathways.conftest import make_service
from tests.sharing_world import (  # noqa: F401  (fixtures)
    health,
    helpline,
    helpline_worker,
    officer,
    police,
    police_duty_manager,
    south_worker,
)

MISSING = "00000000-0000-0000-0000-000000000000"
GOALS = "Goals canary 5e1d: keep Mila away from the adult who contacted her."
SHARED_WITH_TEAM = [
    DataCategory.IDENTITY,
    DataCategory.DISCLOSURE_NARRATIVE,
    DataCategory.CASE_PLAN,
]


def plan_url(plan: CasePlan | str, suffix: str = "") -> str:
    pk = plan.pk if isinstance(plan, CasePlan) else plan
    return f"/api/v1/case-plans/{pk}/{suffix}"


@pytest.fixture
def lead(social_worker):
    return social_worker


@pytest.fixture
def colleague(social_services: Agency):
    return member(social_services, Role.SOCIAL_WORKER)


@pytest.fixture
def duty_manager(social_services: Agency):
    return member(social_services, Role.DUTY_MANAGER)


@pytest.fixture
def ss_dpo(social_services: Agency):
    return member(social_services, Role.DPO)


@pytest.fixture
def young_person(social_services, lead):
    return child_record(
        social_services,
        by=lead,
        given_name="Mila",
        family_name="Rowe",
        date_of_birth=date(2010, 2, 3),
        phone="07700 900555",
    )


@pytest.fixture
def team_consent(young_person, lead, social_services):
    """The young person agreed that police and health may be told about the plan (not the
    risk assessments) for support, safety planning and the investigation."""
    return consent_given(
        young_person,
        lead,
        social_services,
        recipient_kinds=["police", "health"],
        categories=SHARED_WITH_TEAM,
        purposes=[Purpose.SUPPORT, Purpose.SAFETY_PLANNING, Purpose.INVESTIGATION],
    )


@pytest.fixture
def plan(young_person, lead, social_services) -> CasePlan:
    return services.open_plan(
        actor=lead, agency=social_services, child=young_person, phase="investigation", goals=GOALS
    )


@pytest.fixture
def officer_member(plan, officer, lead, team_consent) -> TeamMember:
    return services.add_member(plan, actor=lead, user=officer, role="police_officer")


@pytest.fixture
def demoted(plan, lead, social_services):
    """On the team, then their social worker role ended: they keep only an admin role."""
    person = member(social_services, Role.AGENCY_ADMIN)
    agency_services.add_membership(
        agency=social_services, user=person, role=Role.SOCIAL_WORKER, by=None
    )
    services.add_member(plan, actor=lead, user=person, role="social_worker")
    agency_services.end_membership(
        Membership.objects.get(user=person, agency=social_services, role=Role.SOCIAL_WORKER),
        by=None,
    )
    return person


@pytest.fixture
def investigation(police):
    return make_service(
        police, "Child Abuse Investigation Unit", [NeedCategory.POLICE_INVESTIGATION]
    )


@pytest.fixture
def therapy(health):
    return make_service(
        health, "Child and Adolescent Mental Health Service", [NeedCategory.MENTAL_HEALTH]
    )


@pytest.fixture
def family_support(social_services):
    return make_service(social_services, "Family Support Service", [NeedCategory.FAMILY_SUPPORT])


@pytest.fixture
def referral_to_us(helpline, helpline_worker, social_services, family_support):
    """The helpline refers a child to North Social Services, with consent."""
    child = child_record(helpline, by=helpline_worker, given_name="Ada")
    consent_given(
        child,
        helpline_worker,
        helpline,
        recipient_kinds=["social_services"],
        categories=[DataCategory.IDENTITY, DataCategory.DISCLOSURE_NARRATIVE],
        purposes=[Purpose.SUPPORT],
    )
    referral = referral_services.create_referral(
        actor=helpline_worker,
        agency=helpline,
        child=child,
        new_child=None,
        service=family_support,
        urgency=Urgency.WITHIN_24H,
        need_categories=[NeedCategory.FAMILY_SUPPORT],
        concern="Disclosed online grooming.",
        purpose=Purpose.SUPPORT,
    )
    return referral_services.transition(referral, "send", actor=helpline_worker)
