"""The retention job: closed case plans past the retention period are purged for good.

What goes, and when (``RETENTION_CLOSED_CASE_DAYS`` after a plan was closed; the "cut-off"
is that many days before now):

1. **The case plan** and everything that is part of it: its history, lead assignments, case
   team, actions, risk assessments and their items, reviews, and the object permissions on
   it (which cascade). A plan closed on or before the cut-off goes, unless the child is under
   a legal hold.
2. **The child's record**, with its referrals (and their history), consent records,
   disclosures and what they recorded as granted, override requests, resolved duplicate
   checks, reviewed break-glass accesses and released legal holds; but only when nothing
   else still needs the child:

   * no live legal hold on the child;
   * no case plan left for the child (a reopened, open or recently closed plan keeps it);
   * every referral about the child closed (completed, declined, cancelled or failed) on or
     before the cut-off;
   * nothing recorded about the child after the cut-off: the record itself, a consent, a
     disclosure, an override request;
   * no open duplicate check and no break-glass access awaiting review;
   * no other table refers to it: the deletion runs in a savepoint, and a reference the job
     does not know (a protected foreign key) keeps the child, reported as kept.

Each purge writes one ``purge`` audit event (object type and id, counts: never contents).
The audit trail itself is append-only and never purged; its events name objects by type and
id, so they stay valid records of what once existed. The job is idempotent (a purged plan is
gone; a re-run finds nothing) and each plan goes in its own transaction, under its row lock,
re-checked there, so a plan reopened meanwhile, or a hold placed meanwhile, is left alone.
Nothing is ever deleted through the API: this runs as ``manage.py purge_closed_cases`` and
as the daily sweep ``governance.retention``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, Q, QuerySet, RestrictedError
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record
from caseplans.models import (
    CasePlan,
    LeadAssignment,
    PlanAction,
    PlanEvent,
    PlanStatus,
    Review,
    RiskAssessment,
    RiskItem,
    TeamMember,
)
from children.models import Child, DuplicateCheck, DuplicateCheckStatus
from consent.models import ConsentRecord, Disclosure, DisclosureGrant, OverrideAuthorisation
from governance.models import BreakGlassAccess, LegalHold, ReviewStatus
from governance.selectors import held_children
from notifications.models import Notification, SentReminder
from referrals.models import CLOSED_STATUSES, Referral, ReferralEvent

logger = logging.getLogger(__name__)


@dataclass
class RetentionReport:
    cutoff: datetime
    plans_purged: list[uuid.UUID] = field(default_factory=list)
    children_purged: list[uuid.UUID] = field(default_factory=list)
    children_kept: int = 0

    def summary(self) -> str:
        return (
            f"Retention (closed on or before {self.cutoff:%Y-%m-%d}): "
            f"{len(self.plans_purged)} case plan(s) and {len(self.children_purged)} child "
            f"record(s) purged; {self.children_kept} child record(s) kept."
        )


def cutoff(now: datetime | None = None, days: int | None = None) -> datetime:
    days = settings.RETENTION_CLOSED_CASE_DAYS if days is None else days
    return (now or timezone.now()) - timedelta(days=days)


def due_plans(before: datetime) -> QuerySet[CasePlan]:
    """Closed plans past the period whose child is under no live legal hold."""
    return (
        CasePlan.objects.filter(status=PlanStatus.CLOSED, closed_at__lte=before)
        .exclude(child__in=held_children())
        .order_by("closed_at", "pk")
    )


def purge_closed_cases(
    now: datetime | None = None, *, days: int | None = None, dry_run: bool = False
) -> RetentionReport:
    """Purge every case plan due (see the module) and then the children nothing keeps."""
    report = RetentionReport(cutoff=cutoff(now, days))
    due = list(due_plans(report.cutoff).values_list("pk", "child_id"))
    if dry_run:
        report.plans_purged = [pk for pk, _ in due]
        return report
    children: dict[uuid.UUID, None] = {}
    for plan_id, child_id in due:
        if _purge_plan(plan_id, report.cutoff):
            report.plans_purged.append(plan_id)
            children[child_id] = None
    for child_id in children:
        if _purge_child(child_id, report.cutoff):
            report.children_purged.append(child_id)
        else:
            report.children_kept += 1
    return report


# --- one case plan ----------------------------------------------------------------------


@transaction.atomic
def _purge_plan(plan_id: uuid.UUID, before: datetime) -> bool:
    plan = due_plans(before).select_for_update().filter(pk=plan_id).first()
    if plan is None:  # reopened, held or purged since the list was made
        return False
    # A hold placed by a concurrent transaction commits before or after this check; placing
    # one takes the child row lock, as this does.
    Child.objects.select_for_update().filter(pk=plan.child_id).first()
    if LegalHold.objects.filter(child=plan.child_id, released_at__isnull=True).exists():
        return False
    counts = {
        "events": _delete(PlanEvent.objects.filter(plan=plan)),
        "reviews": _delete(Review.objects.filter(plan=plan)),
        "risk_items": _delete(RiskItem.objects.filter(assessment__plan=plan)),
        "risk_assessments": _delete_chain(
            RiskAssessment.objects.filter(plan=plan), "supersedes_id"
        ),
        "actions": _delete(PlanAction.objects.filter(plan=plan)),
        "team": _delete(TeamMember.objects.filter(plan=plan)),
        "lead_assignments": _delete(LeadAssignment.objects.filter(plan=plan)),
    }
    _forget_notifications(CasePlan, [plan.pk])
    plan.delete()
    record(
        AuditAction.PURGE,
        object_type=CasePlan._meta.label_lower,
        object_id=str(plan_id),
        details={"child": str(plan.child_id), "closed_at": plan.closed_at.isoformat(), **counts},
    )
    return True


# --- the child's record -----------------------------------------------------------------


def _child_is_needed(child: Child, before: datetime) -> bool:
    referrals = Referral.objects.filter(child=child)
    checks = (
        LegalHold.objects.filter(child=child, released_at__isnull=True).exists,
        CasePlan.objects.filter(child=child).exists,
        referrals.exclude(status__in=CLOSED_STATUSES).exists,
        referrals.filter(Q(closed_at__isnull=True) | Q(closed_at__gt=before)).exists,
        ConsentRecord.objects.filter(child=child, recorded_at__gt=before).exists,
        Disclosure.objects.filter(child=child, disclosed_at__gt=before).exists,
        OverrideAuthorisation.objects.filter(child=child, requested_at__gt=before).exists,
        DuplicateCheck.objects.filter(
            Q(new_child=child) | Q(existing_child=child), status=DuplicateCheckStatus.OPEN
        ).exists,
        BreakGlassAccess.objects.filter(child=child, review_status=ReviewStatus.PENDING).exists,
    )
    return child.updated_at > before or any(check() for check in checks)


@transaction.atomic
def _purge_child(child_id: uuid.UUID, before: datetime) -> bool:
    child = Child.objects.select_for_update().filter(pk=child_id).first()
    if child is None or _child_is_needed(child, before):
        return False
    referrals = Referral.objects.filter(child=child)
    disclosures = Disclosure.objects.filter(child=child)
    mentioned = {
        Child: [child.pk],
        Referral: list(referrals.values_list("pk", flat=True)),
        ConsentRecord: list(ConsentRecord.objects.filter(child=child).values_list("pk", flat=True)),
        OverrideAuthorisation: list(
            OverrideAuthorisation.objects.filter(child=child).values_list("pk", flat=True)
        ),
        BreakGlassAccess: list(
            BreakGlassAccess.objects.filter(child=child).values_list("pk", flat=True)
        ),
    }
    try:
        with transaction.atomic():
            counts = {
                "referral_events": _delete(ReferralEvent.objects.filter(referral__in=referrals)),
                "referrals": _delete_chain(referrals, "parent_id"),
                "disclosure_grants": _delete(
                    DisclosureGrant.objects.filter(disclosure__in=disclosures)
                ),
                "disclosures": _delete(disclosures),
                "overrides": _delete(OverrideAuthorisation.objects.filter(child=child)),
                "consents": _delete(ConsentRecord.objects.filter(child=child)),
                "duplicate_checks": _delete(
                    DuplicateCheck.objects.filter(Q(new_child=child) | Q(existing_child=child))
                ),
                "break_glass": _delete(BreakGlassAccess.objects.filter(child=child)),
                "legal_holds": _delete(LegalHold.objects.filter(child=child)),
            }
            for model, ids in mentioned.items():
                _forget_notifications(model, ids)
            child.delete()
    except (ProtectedError, RestrictedError, IntegrityError):
        logger.warning("Retention kept child %s: another record still refers to it", child_id)
        return False
    record(
        AuditAction.PURGE,
        object_type=Child._meta.label_lower,
        object_id=str(child_id),
        details=counts,
    )
    return True


# --- deleting ---------------------------------------------------------------------------


def _delete(queryset: QuerySet) -> int:
    """Delete the rows (and what cascades from them); the count of ``queryset``'s own rows."""
    _, by_model = queryset.delete()
    return by_model.get(queryset.model._meta.label, 0)


def _delete_chain(queryset: QuerySet, link: str) -> int:
    """Delete rows that refer to each other through ``link`` (an assessment superseding
    another, an onward referral): those nothing left refers to go first."""
    remaining = queryset
    deleted = 0
    while True:
        ids = list(remaining.values_list("pk", flat=True))
        if not ids:
            return deleted
        referred = set(remaining.exclude(**{f"{link}__isnull": True}).values_list(link, flat=True))
        leaves = [pk for pk in ids if pk not in referred]
        if not leaves:  # a cycle cannot be stored; refuse rather than loop
            raise ProtectedError("Rows refer to each other in a cycle.", set())
        deleted += _delete(queryset.model._default_manager.filter(pk__in=leaves))
        remaining = queryset.model._default_manager.filter(pk__in=set(ids) - set(leaves))


def _forget_notifications(model: type[models.Model], ids: Iterable[object]) -> None:
    """Notifications and reminder marks about purged objects point at nothing any more."""
    where = {"object_type": model._meta.label_lower, "object_id__in": [str(pk) for pk in ids]}
    Notification.objects.filter(**where).delete()
    SentReminder.objects.filter(**where).delete()
