"""The referral clocks: remind the receiving duty managers as acknowledge-by and respond-by
times approach and pass, then escalate to the agency admins if still open."""

from collections.abc import Iterator
from datetime import datetime, timedelta

from agencies.models import Role
from notifications import sweeps
from notifications.models import NotificationKind
from notifications.services import recipients_in
from referrals.models import AWAITING_ACKNOWLEDGEMENT, AWAITING_RESPONSE, Referral

WARN_BEFORE = timedelta(minutes=30)
ESCALATE_AFTER = timedelta(hours=2)
# Deadlines further in the past than this were escalated long ago (the sweep runs each
# minute); looking further back would only re-read settled referrals.
LOOK_BACK = ESCALATE_AFTER + timedelta(days=1)

CLOCKS = (
    (
        "acknowledge_by",
        AWAITING_ACKNOWLEDGEMENT,
        NotificationKind.ACKNOWLEDGEMENT_DUE_SOON,
        NotificationKind.ACKNOWLEDGEMENT_OVERDUE,
    ),
    (
        "respond_by",
        AWAITING_RESPONSE,
        NotificationKind.RESPONSE_DUE_SOON,
        NotificationKind.RESPONSE_OVERDUE,
    ),
)


@sweeps.register("referrals.clocks")
def referral_clocks(now: datetime) -> Iterator[sweeps.Reminder]:
    for field, statuses, soon, overdue in CLOCKS:
        due = Referral.objects.filter(
            status__in=statuses,
            **{f"{field}__lte": now + WARN_BEFORE, f"{field}__gte": now - LOOK_BACK},
        ).only("id", "reference", "to_agency_id", field)
        for referral in list(due):
            yield from sweeps.deadline_reminders(
                obj=referral,
                reference=referral.reference,
                due=getattr(referral, field),
                now=now,
                recipients=recipients_in(referral.to_agency_id, [Role.DUTY_MANAGER]),
                soon=soon,
                warn_before=WARN_BEFORE,
                overdue=overdue,
                escalation=NotificationKind.ESCALATION,
                escalate_after=ESCALATE_AFTER,
                escalate_to=recipients_in(referral.to_agency_id, [Role.AGENCY_ADMIN]),
            )
