"""Review and risk re-assessment reminders: the case lead is told the day before a review
or re-assessment falls due (or on the day, for one set at short notice), and the lead
agency's duty managers are told once it is a week overdue. Each reminder goes out once per
date and person (notifications.sweeps), however often the sweep runs."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from agencies.models import Role
from caseplans import selectors
from caseplans.models import CasePlan, PlanStatus, Review, ReviewStatus
from notifications import sweeps
from notifications.models import NotificationKind
from notifications.services import recipients_in

WARN_BEFORE = timedelta(days=1)
ESCALATE_AFTER = timedelta(days=7)
# Deadlines escalated longer ago than this have had every reminder they will get.
LOOK_BACK = ESCALATE_AFTER + timedelta(days=2)
LIVE = (PlanStatus.OPEN, PlanStatus.ACTIVE)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _reminders(
    plan: CasePlan, due_on: date, kind: NotificationKind, now: datetime
) -> list[sweeps.Reminder]:
    return sweeps.deadline_reminders(
        obj=plan,
        reference=plan.reference,
        due=_start_of(due_on),
        now=now,
        recipients=[plan.lead],
        soon=kind,
        warn_before=WARN_BEFORE,
        overdue=kind,
        escalation=NotificationKind.ESCALATION,
        escalate_after=ESCALATE_AFTER,
        escalate_to=recipients_in(plan.lead_agency_id, [Role.DUTY_MANAGER]),
    )


@sweeps.register("caseplans.reviews")
def review_reminders(now: datetime) -> Iterator[sweeps.Reminder]:
    latest = (now + WARN_BEFORE).date()
    earliest = (now - LOOK_BACK).date()
    reviews = Review.objects.filter(
        status=ReviewStatus.SCHEDULED,
        scheduled_for__range=(earliest, latest),
        plan__status__in=LIVE,
    ).select_related("plan__lead")
    for review in list(reviews):
        yield from _reminders(review.plan, review.scheduled_for, NotificationKind.REVIEW_DUE, now)
    assessments = (
        selectors.current_assessments()
        .filter(
            next_review_date__range=(earliest, latest),
            plan__status__in=LIVE,
        )
        .select_related("plan__lead")
    )
    for assessment in list(assessments):
        yield from _reminders(
            assessment.plan,
            assessment.next_review_date,
            NotificationKind.RISK_REASSESSMENT_DUE,
            now,
        )
