"""Daily retention, and reminders of break-glass accesses still awaiting their review."""

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

from agencies.models import Role
from governance import retention
from governance.models import BreakGlassAccess, ReviewStatus
from notifications import sweeps
from notifications.models import NotificationKind
from notifications.services import recipients_in

logger = logging.getLogger(__name__)

# A review not done within a day is asked for again.
REVIEW_WITHIN = timedelta(days=1)


@sweeps.register("governance.retention", every=timedelta(days=1))
def purge_closed_cases(now: datetime) -> None:
    report = retention.purge_closed_cases(now)
    logger.info(report.summary())


@sweeps.register("governance.break_glass_reviews", every=timedelta(hours=1))
def break_glass_reviews(now: datetime) -> Iterator[sweeps.Reminder]:
    pending = BreakGlassAccess.objects.filter(
        review_status=ReviewStatus.PENDING, granted_at__lte=now - REVIEW_WITHIN
    ).select_related("child")
    for grant in pending:
        yield from sweeps.deadline_reminders(
            obj=grant,
            reference=grant.child.reference,
            due=grant.granted_at + REVIEW_WITHIN,
            now=now,
            recipients=recipients_in(grant.agency_id, [Role.DPO]).exclude(pk=grant.user_id),
            overdue=NotificationKind.BREAK_GLASS_REVIEW,
        )
