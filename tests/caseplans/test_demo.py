"""seed_demo adds case plans in every phase, once, with actions, assessments and reviews."""

import pytest
from django.core.management import call_command

from caseplans.models import (
    ActionStatus,
    AssessmentStatus,
    CasePlan,
    Phase,
    PlanAction,
    PlanStatus,
    RiskAssessment,
)
from caseplans.selectors import due_for, visible_plans, with_schedule

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_case_plans_in_every_phase_once(settings, django_user_model):
    settings.DEMO_MODE = True
    call_command("seed_demo", quiet=True)
    first = CasePlan.objects.count()
    call_command("seed_demo", quiet=True)
    assert CasePlan.objects.count() == first == 5
    assert set(CasePlan.objects.values_list("phase", flat=True)) == set(Phase.values)
    assert set(CasePlan.objects.values_list("status", flat=True)) == set(PlanStatus.values)
    assert set(PlanAction.objects.values_list("status", flat=True)) == set(ActionStatus.values) - {
        ActionStatus.REFERRED
    }, "the investigation was referred, then accepted by the police"
    assert set(RiskAssessment.objects.values_list("status", flat=True)) == set(
        AssessmentStatus.values
    )

    amira = CasePlan.objects.get(child__pk=CasePlan.objects.get(phase="investigation").child_id)
    assert amira.source_referral.status == "accepted"
    assert amira.lead.username == "social.north"
    team = set(amira.team.filter(ended_at__isnull=True).values_list("user__username", flat=True))
    assert team == {"social.north", "police.north"}

    police = django_user_model.objects.get(username="police.north")
    assert list(visible_plans(police).values_list("pk", flat=True)) == [amira.pk]
    duty = django_user_model.objects.get(username="duty.north")
    overdue = due_for(duty, with_schedule(visible_plans(duty)))
    assert [plan.phase for plan in overdue] == ["immediate"], "Maya's review is overdue"
    assert overdue[0].review_overdue
    assert overdue[0].reassessment_overdue
