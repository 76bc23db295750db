"""Who sees a case plan, what of it they see, and the read queries built on that.

**Visibility.** A plan is seen by its case team and by the duty managers of its lead agency,
nobody else (everyone else gets 404). Both rest on django-guardian grants, made and revoked
only by :mod:`caseplans.services`:

* each **team member** holds ``view_caseplan`` on the plan *personally* (a user grant): given
  when they join, taken away when they leave, and for a member from another agency made
  through the consent service's share, so a withdrawn consent takes it away too;
* the **lead agency** holds ``view_caseplan`` through its group, but only its *duty
  managers* see plans through that grant. Duty managers come and go; reading the role at
  request time means a new duty manager sees the agency's plans at once and a former one
  stops seeing them, with no grant to keep in step. An agency admin, DPO or social worker of
  the lead agency who is not on the team does not see the plan.

:func:`visible_plans` applies exactly that rule; every API lookup goes through it.

**What each viewer sees.** Staff of the lead agency wrote the plan and see all of it. A team
member from another agency sees only what was disclosed to them (their agency or them
personally): the child's fields by the child's data categories, the plan's content by the
``case_plan`` category (goals, action descriptions and outcomes, review decisions, notes)
and the risk assessments by ``risk_assessment``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from agencies.models import Membership, Role
from agencies.selectors import active_memberships, has_role
from caseplans.models import (
    AssessmentStatus,
    CasePlan,
    CasePlanGroupObjectPermission,
    CasePlanUserObjectPermission,
    PlanStatus,
    Review,
    ReviewStatus,
    RiskAssessment,
    RiskItem,
    TeamMember,
)
from children.models import Child
from consent.models import DataCategory
from consent.services import categories_for_children

VIEW = "view_caseplan"
PLAN_CATEGORIES = frozenset({DataCategory.CASE_PLAN, DataCategory.RISK_ASSESSMENT})
OVERSIGHT_ROLES = (Role.DUTY_MANAGER,)

Viewer = AbstractBaseUser | AnonymousUser


def oversight_agency_ids(user: Viewer) -> list[int]:
    """The agencies whose case plans ``user`` oversees as a duty manager."""
    return sorted({m.agency_id for m in active_memberships(user) if m.role in OVERSIGHT_ROLES})


def visible_plans(user: Viewer, queryset: QuerySet[CasePlan] | None = None) -> QuerySet[CasePlan]:
    """The plans ``user`` may see: personal grants (the team) and, for duty managers, the
    grants to their agency (the plans it leads)."""
    queryset = CasePlan.objects.all() if queryset is None else queryset
    memberships = active_memberships(user)
    if not memberships:
        return queryset.none()
    seen = Q(
        pk__in=CasePlanUserObjectPermission.objects.filter(
            user=user, permission__codename=VIEW
        ).values("content_object")
    )
    groups = [m.agency.group_id for m in memberships if m.role in OVERSIGHT_ROLES]
    if groups:
        seen |= Q(
            pk__in=CasePlanGroupObjectPermission.objects.filter(
                group__in=groups, permission__codename=VIEW
            ).values("content_object")
        )
    return queryset.filter(seen)


def is_manager(user: Viewer, plan: CasePlan) -> bool:
    """The case lead (while a social worker of the lead agency) or a duty manager of the lead
    agency: those who change the plan, its team, actions, assessments and reviews."""
    if has_role(user, OVERSIGHT_ROLES, plan.lead_agency_id):
        return True
    return user.pk == plan.lead_id and has_role(user, [Role.SOCIAL_WORKER], plan.lead_agency_id)


def leads_child(user: Viewer, child: Child) -> bool:
    """Whether ``user`` is the current lead of a case plan for ``child``."""
    if not user.is_authenticated:
        return False
    return CasePlan.objects.filter(child=child, lead=user).exists()


def team_candidates(
    plan: CasePlan, roles: Iterable[str], agency: int | None = None
) -> QuerySet[Membership]:
    """The people who could work on ``plan``: active staff in ``roles`` of active agencies
    (of ``agency`` only, when given), one row per role held, each marked ``on_team`` when they
    are on the plan's team now."""
    queryset = Membership.objects.filter(
        is_active=True, user__is_active=True, agency__is_active=True, role__in=list(roles)
    )
    if agency is not None:
        queryset = queryset.filter(agency=agency)
    current = TeamMember.objects.filter(plan=plan, user=OuterRef("user"), ended_at__isnull=True)
    return (
        queryset.select_related("user", "agency__region")
        .annotate(on_team=Exists(current))
        .order_by("agency__name", "user__last_name", "user__first_name", "user__username", "role")
    )


# --- what a viewer sees ----------------------------------------------------------------


@dataclass(frozen=True)
class Disclosed:
    """The data categories one viewer sees: per child (their fields) and per plan."""

    children: dict
    plans: dict

    def for_plan(self, plan: CasePlan) -> set[str]:
        return self.plans[plan.pk]


def disclosed_to(viewer: Viewer, plans: Iterable[CasePlan]) -> Disclosed:
    """What ``viewer`` may see of each plan and its child, in a fixed number of queries."""
    plans = list(plans)
    children = {plan.child_id: plan.child for plan in plans}
    by_child = categories_for_children(viewer, children.values()) if children else {}
    own = {m.agency_id for m in active_memberships(viewer)}
    by_plan = {
        plan.pk: set(PLAN_CATEGORIES)
        if plan.lead_agency_id in own
        else set(by_child.get(plan.child_id, ())) & PLAN_CATEGORIES
        for plan in plans
    }
    return Disclosed(children=by_child, plans=by_plan)


# --- schedules -------------------------------------------------------------------------


def current_assessments() -> QuerySet[RiskAssessment]:
    """Signed assessments not yet superseded: one per plan at most."""
    return RiskAssessment.objects.filter(status=AssessmentStatus.SIGNED, superseded_by__isnull=True)


def with_schedule(queryset: QuerySet[CasePlan], today: date | None = None) -> QuerySet[CasePlan]:
    """Annotate the next review date, the re-assessment date and the current risk score,
    and whether each review or re-assessment is overdue (its date has passed)."""
    today = today or timezone.localdate()
    current = current_assessments().filter(plan=OuterRef("pk"))
    live = ~Q(status=PlanStatus.CLOSED)
    return queryset.annotate(
        next_review_on=Subquery(
            Review.objects.filter(plan=OuterRef("pk"), status=ReviewStatus.SCHEDULED)
            .order_by("scheduled_for")
            .values("scheduled_for")[:1]
        ),
        reassessment_due_on=Subquery(current.values("next_review_date")[:1]),
        risk_score=Subquery(
            RiskItem.objects.filter(
                assessment__plan=OuterRef("pk"),
                assessment__status=AssessmentStatus.SIGNED,
                assessment__superseded_by__isnull=True,
            )
            .annotate(
                residual=ExpressionWrapper(
                    F("residual_likelihood") * F("residual_severity"),
                    output_field=IntegerField(),
                )
            )
            .order_by("-residual")
            .values("residual")[:1]
        ),
    ).annotate(
        review_overdue=Case(
            When(live & Q(next_review_on__lt=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        reassessment_overdue=Case(
            When(live & Q(reassessment_due_on__lt=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def due_for(user: Viewer, queryset: QuerySet[CasePlan]) -> QuerySet[CasePlan]:
    """Live plans with an overdue review or risk re-assessment that ``user`` answers for:
    those they lead, and, for a duty manager, those their agency leads."""
    mine = Q(lead=user) | Q(lead_agency__in=oversight_agency_ids(user))
    return (
        queryset.filter(mine)
        .filter(Q(review_overdue=True) | Q(reassessment_overdue=True))
        .order_by("next_review_on", "reassessment_due_on", "reference")
    )
