"""A plan's timeline: one chronological feed of its own history (phase, status, lead and team
changes, actions, risk assessments, reviews) and the events of every referral it was opened
from or made (their status changes only: a referral's reasons and outcome stay with the
referral, where their readers are checked).

The feed is read newest first in two queries, one per source, bounded by ``limit`` and
paged backwards with ``before``, then returned oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from caseplans.models import (
    ActionStatus,
    CasePlan,
    ClosureReason,
    MembershipEnd,
    Phase,
    PlanEvent,
    PlanEventKind,
    TeamRole,
)
from pathways.vocabulary import NeedCategory
from referrals.models import ReferralEvent, ReferralStatus

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


@dataclass(frozen=True)
class Entry:
    id: Any
    at: datetime
    source: str  # "plan" or "referral"
    kind: str
    summary: str
    by: Any
    by_agency: Any
    person: Any
    referral: Any
    subject_id: Any
    note: str


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _name(user: Any) -> str:
    if user is None:
        return "someone"
    return user.get_full_name() or user.get_username()


def _plan_summary(event: PlanEvent) -> str:
    kind = PlanEventKind(event.kind)
    topic = _label(NeedCategory, event.topic) if event.topic else ""
    if kind == PlanEventKind.CREATED:
        if event.referral is not None:
            return f"Case plan opened from referral {event.referral.reference}"
        return "Case plan opened"
    if kind == PlanEventKind.PHASE_CHANGED:
        return (
            f"Phase changed from {_label(Phase, event.from_value)} to "
            f"{_label(Phase, event.to_value)}"
        )
    if kind == PlanEventKind.CLOSED:
        return f"Case plan closed: {_label(ClosureReason, event.to_value)}"
    if kind == PlanEventKind.LEAD_TRANSFERRED:
        return f"Lead handed over to {_name(event.person)}"
    if kind == PlanEventKind.MEMBER_ADDED:
        return f"{_name(event.person)} joined the team as {_label(TeamRole, event.to_value)}"
    if kind == PlanEventKind.MEMBER_REMOVED:
        return f"{_name(event.person)} left the team: {_label(MembershipEnd, event.to_value)}"
    if kind == PlanEventKind.ACTION_ADDED:
        return f"Action added: {topic}"
    if kind == PlanEventKind.ACTION_REFERRED:
        return f"Referral {event.referral.reference} made for the action: {topic}"
    if kind == PlanEventKind.ACTION_UPDATED:
        if event.from_value == event.to_value:
            return f"Action updated: {topic}"
        return (
            f"Action {topic}: {_label(ActionStatus, event.from_value)} → "
            f"{_label(ActionStatus, event.to_value)}"
        )
    if kind == PlanEventKind.REVIEW_SCHEDULED:
        return f"Review scheduled for {date.fromisoformat(event.to_value):%d %b %Y}"
    return str(kind.label)


def _referral_summary(event: ReferralEvent) -> str:
    status = _label(ReferralStatus, event.to_status).lower()
    if event.action == "create":
        return f"Referral {event.referral.reference} drafted"
    return f"Referral {event.referral.reference} {status}"


def entries(
    plan: CasePlan,
    *,
    with_notes: bool,
    before: datetime | None = None,
    limit: int = DEFAULT_LIMIT,
) -> tuple[list[Entry], bool]:
    """Up to ``limit`` entries before ``before`` (default: now), oldest first, and whether
    there are older ones. Notes are included only ``with_notes``."""
    limit = max(1, min(limit, MAX_LIMIT))
    plan_events = PlanEvent.objects.filter(plan=plan).select_related(
        "by", "by_agency__region", "person", "referral"
    )
    referral_ids = PlanEvent.objects.filter(plan=plan, referral__isnull=False).values("referral")
    referral_events = ReferralEvent.objects.filter(referral__in=referral_ids).select_related(
        "referral", "by", "by_agency__region"
    )
    if before is not None:
        plan_events = plan_events.filter(at__lt=before)
        referral_events = referral_events.filter(at__lt=before)
    found = [
        Entry(
            id=event.pk,
            at=event.at,
            source="plan",
            kind=event.kind,
            summary=_plan_summary(event),
            by=event.by,
            by_agency=event.by_agency,
            person=event.person,
            referral=event.referral,
            subject_id=event.subject_id,
            note=event.note if with_notes else "",
        )
        for event in plan_events.order_by("-at", "-id")[: limit + 1]
    ]
    found += [
        Entry(
            id=event.pk,
            at=event.at,
            source="referral",
            kind=f"referral_{event.action}",
            summary=_referral_summary(event),
            by=event.by,
            by_agency=event.by_agency,
            person=None,
            referral=event.referral,
            subject_id=event.referral_id,
            note="",
        )
        for event in referral_events.order_by("-at", "-id")[: limit + 1]
    ]
    # At the same instant a referral's own event comes before the plan event it caused.
    found.sort(key=lambda entry: (entry.at, entry.source == "plan"), reverse=True)
    older = len(found) > limit
    return list(reversed(found[:limit])), older
