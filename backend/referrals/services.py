"""Everything that changes a referral: drafting, sending, and the receiving service's work.

Who may do what (DESIGN.md §4):

* the **sending side** — staff of ``from_agency`` in a frontline role — drafts, edits the
  draft, sends, and cancels before work starts;
* the **receiving side** — staff of the service's agency who act on referrals —
  acknowledges, accepts, declines, starts, holds, resumes, completes or fails it.

Each action locks the referral row, checks the state machine, and in the same transaction
writes the history entry and the audit event and tells the other side. Sending goes
through the consent service: no consent in scope and no authorised override, no send.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_fsm import can_proceed

from agencies.models import Agency, Role
from agencies.selectors import has_role
from audit.models import AuditAction
from audit.services import record
from children.models import Child
from consent import services as consent
from consent.models import DataCategory, OverrideAuthorisation, Purpose
from core import access
from core.exceptions import StateConflict
from core.models import next_reference
from notifications.models import NotificationKind
from notifications.services import notify, recipients_in
from pathways.models import Pathway, PathwayStep, Service
from pathways.vocabulary import IntakeStatus, NeedCategory, Urgency
from referrals import signals
from referrals.models import CLOSED_STATUSES, Referral, ReferralEvent, ReferralStatus

SENDER_ROLES = (Role.HELPLINE_WORKER, Role.SOCIAL_WORKER, Role.PRACTITIONER, Role.DUTY_MANAGER)
RECEIVER_ROLES = (Role.SOCIAL_WORKER, Role.PRACTITIONER, Role.DUTY_MANAGER)
VIEW = "view_referral"

# How long the receiving service has to accept or decline, when no pathway step says.
RESPONSE_HOURS: dict[str, int] = {
    Urgency.IMMEDIATE: 4,
    Urgency.WITHIN_24H: 24,
    Urgency.WITHIN_72H: 72,
    Urgency.ROUTINE: 240,
}
# A referral always shares the concern narrative; identity is the usual companion.
DEFAULT_SHARED = (DataCategory.IDENTITY, DataCategory.DISCLOSURE_NARRATIVE)


class Side(StrEnum):
    SENDER = "sender"
    RECEIVER = "receiver"


@dataclass(frozen=True)
class Action:
    side: Side
    # "reason" or "outcome" when the action must say why / what happened.
    requires: str | None = None
    notify_sender: NotificationKind | None = None


ACTIONS: dict[str, Action] = {
    "send": Action(Side.SENDER),
    "cancel": Action(Side.SENDER, requires="reason"),
    "acknowledge": Action(Side.RECEIVER, notify_sender=NotificationKind.REFERRAL_ACKNOWLEDGED),
    "accept": Action(Side.RECEIVER, notify_sender=NotificationKind.REFERRAL_ACCEPTED),
    "decline": Action(
        Side.RECEIVER, requires="reason", notify_sender=NotificationKind.REFERRAL_DECLINED
    ),
    "start": Action(Side.RECEIVER),
    "hold": Action(Side.RECEIVER, requires="reason"),
    "resume": Action(Side.RECEIVER),
    "complete": Action(
        Side.RECEIVER, requires="outcome", notify_sender=NotificationKind.REFERRAL_COMPLETED
    ),
    "fail": Action(
        Side.RECEIVER, requires="reason", notify_sender=NotificationKind.REFERRAL_FAILED
    ),
}


class TransitionConflict(StateConflict):
    """The action is not possible from the referral's current state."""


def acting_agency(referral: Referral, side: Side) -> Agency:
    return referral.from_agency if side == Side.SENDER else referral.to_agency


def may_act(user: AbstractBaseUser, referral: Referral, side: Side) -> bool:
    roles = SENDER_ROLES if side == Side.SENDER else RECEIVER_ROLES
    return has_role(user, roles, acting_agency(referral, side))


def available_actions(user: AbstractBaseUser, referral: Referral) -> list[str]:
    """The actions this person may take on this referral now (what the web app offers)."""
    return [
        name
        for name, action in ACTIONS.items()
        if may_act(user, referral, action.side) and can_proceed(getattr(referral, name))
    ]


# --- drafting ---------------------------------------------------------------------------


def _check_choices(needs: Iterable[str], categories: Iterable[str]) -> None:
    if not set(needs) <= set(NeedCategory.values) or not needs:
        raise ValidationError({"need_categories": "Choose at least one need from the list."})
    if DataCategory.DISCLOSURE_NARRATIVE not in categories:
        raise ValidationError(
            {"shared_categories": "A referral always shares the concern narrative."}
        )
    if not set(categories) <= set(DataCategory.values):
        raise ValidationError({"shared_categories": "Unknown data category."})


def _check_service(service: Service, pathway: Pathway | None) -> None:
    if not service.is_active or service.intake_status == IntakeStatus.CLOSED:
        raise ValidationError({"service": "This service is not taking referrals."})
    if pathway is not None and not pathway.steps.filter(service=service).exists():
        raise ValidationError({"pathway": "The service is not a step of this pathway."})


@transaction.atomic
def create_referral(
    *,
    actor: AbstractBaseUser,
    agency: Agency,
    child: Child | None,
    new_child: dict[str, Any] | None,
    service: Service,
    urgency: str,
    need_categories: list[str],
    concern: str,
    shared_categories: list[str] | None = None,
    purpose: str = Purpose.SUPPORT,
    pathway: Pathway | None = None,
    override: OverrideAuthorisation | None = None,
    parent: Referral | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Draft a referral from ``agency``, for an existing, new or anonymous child.

    An onward referral (``parent``) comes from the parent's receiving service, about the
    same child.
    """
    if not has_role(actor, SENDER_ROLES, agency):
        raise PermissionDenied("Your role in this agency does not allow referring.")
    shared = list(dict.fromkeys(shared_categories or DEFAULT_SHARED))
    _check_choices(need_categories, shared)
    _check_service(service, pathway)
    if parent is not None:
        if parent.to_agency_id != agency.pk or not may_act(actor, parent, Side.RECEIVER):
            raise PermissionDenied("Only the receiving service can refer onwards.")
        if parent.status not in (
            ReferralStatus.ACCEPTED,
            ReferralStatus.IN_PROGRESS,
            ReferralStatus.ON_HOLD,
        ):
            raise TransitionConflict("Refer onwards once the referral has been accepted.")
        child = parent.child
    elif child is None:
        from children.services import record_child

        child, _ = record_child(actor=actor, agency=agency, request=request, **(new_child or {}))
    if not access.can(actor, "children.view_child", child):
        raise PermissionDenied("You cannot refer a child whose record you cannot see.")
    referral = Referral(
        reference=next_reference("R"),
        child=child,
        parent=parent,
        from_agency=agency,
        created_by=actor,
        service=service,
        to_agency=service.agency,
        pathway=pathway,
        need_categories=list(dict.fromkeys(need_categories)),
        urgency=Urgency(urgency),
        concern=concern,
        shared_categories=shared,
        purpose=Purpose(purpose),
        override=override,
    )
    referral.save()
    access.grant([VIEW], agency, referral)
    _history(referral, "create", "", actor, agency, "")
    record(
        AuditAction.CREATE,
        actor=actor,
        obj=referral,
        agency=agency,
        request=request,
        details={"child": child.reference, "parent": parent.reference if parent else None},
    )
    return referral


DRAFT_FIELDS = frozenset(
    {
        "service",
        "pathway",
        "urgency",
        "need_categories",
        "concern",
        "shared_categories",
        "purpose",
        "override",
    }
)


@transaction.atomic
def update_draft(
    referral: Referral,
    *,
    actor: AbstractBaseUser,
    request: HttpRequest | None = None,
    **changes: Any,
) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not may_act(actor, referral, Side.SENDER):
        raise PermissionDenied("Only the sending agency edits its draft.")
    if referral.status != ReferralStatus.DRAFT:
        raise TransitionConflict("Only a draft can be edited.")
    unknown = set(changes) - DRAFT_FIELDS
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(referral, name, value)
    _check_choices(referral.need_categories, referral.shared_categories)
    _check_service(referral.service, referral.pathway)
    referral.to_agency = referral.service.agency
    referral.save()
    record(
        AuditAction.UPDATE,
        actor=actor,
        obj=referral,
        agency=referral.from_agency,
        request=request,
        details={"fields": sorted(changes)},
    )
    return referral


# --- the status machine -----------------------------------------------------------------


def response_hours(referral: Referral) -> int:
    """The respond-by window: the pathway step's response time, else the urgency default."""
    if referral.pathway_id is not None:
        step = PathwayStep.objects.filter(
            pathway_id=referral.pathway_id, service_id=referral.service_id
        ).first()
        if step is not None:
            return step.response_hours
    return RESPONSE_HOURS[referral.urgency]


def _start_clocks(referral: Referral, now: datetime) -> None:
    referral.sent_at = now
    referral.acknowledge_by = now + timedelta(
        hours=referral.service.acknowledgement_hours(referral.urgency)
    )
    referral.respond_by = now + timedelta(hours=response_hours(referral))


def _share(referral: Referral, actor: AbstractBaseUser, request: HttpRequest | None) -> None:
    disclosure = consent.share(
        child=referral.child,
        recipient=referral.to_agency,
        categories=referral.shared_categories,
        purpose=referral.purpose,
        actor=actor,
        subject=referral,
        grants=[(referral, [VIEW])],
        override=referral.override,
        request=request,
        agency=referral.from_agency,
    )
    referral.disclosure = disclosure


def _stamp(referral: Referral, name: str, note: str, now: datetime) -> None:
    """Stop or start the clocks, and keep the reason or outcome the other side must see."""
    if name == "send":
        _start_clocks(referral, now)
    if name in ("acknowledge", "accept", "decline") and referral.acknowledged_at is None:
        referral.acknowledged_at = now
    if name in ("accept", "decline", "cancel") and referral.responded_at is None:
        referral.responded_at = now
    if name == "decline":
        referral.decline_reason = note
    if name == "complete":
        referral.outcome = note
    if referral.status in CLOSED_STATUSES:
        referral.closed_at = now


def _history(
    referral: Referral,
    action: str,
    from_status: str,
    by: AbstractBaseUser,
    agency: Agency,
    note: str,
    at: datetime | None = None,
) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=referral,
        action=action,
        from_status=from_status,
        to_status=referral.status,
        by=by,
        by_agency=agency,
        at=at or timezone.now(),
        note=note,
    )


def _tell(referral: Referral, name: str, action: Action) -> None:
    if name == "send":
        notify(
            recipients_in(referral.to_agency_id, RECEIVER_ROLES),
            NotificationKind.REFERRAL_SENT,
            obj=referral,
            reference=referral.reference,
        )
    elif name == "cancel" and referral.sent_at is not None:
        notify(
            recipients_in(referral.to_agency_id, RECEIVER_ROLES),
            NotificationKind.REFERRAL_CANCELLED,
            obj=referral,
            reference=referral.reference,
        )
    elif action.notify_sender is not None:
        notify(
            [referral.created_by], action.notify_sender, obj=referral, reference=referral.reference
        )


def transition(
    referral: Referral,
    name: str,
    *,
    actor: AbstractBaseUser,
    note: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Fire one action on a referral, atomically and safely under concurrency.

    Raises ``PermissionDenied`` when the actor is not on the side that fires it,
    ``ValidationError`` without a required reason or outcome, :class:`TransitionConflict`
    when the current state does not allow it (including when someone else just moved it),
    and ``consent.SharingRefused`` when a send has no basis.
    """
    action = ACTIONS[name]
    note = note.strip()
    with transaction.atomic():
        # The row lock makes concurrent actions queue; the loser then sees the new state. Only
        # the referral's row: locking the joined service too would block every transaction
        # that creates a referral to it (its foreign-key check at commit) while this one waits
        # for the audit chain that such a transaction holds: a deadlock.
        locked = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("service")
            .get(pk=referral.pk)
        )
        if not may_act(actor, locked, action.side):
            raise PermissionDenied("This action belongs to the other agency in this referral.")
        if action.requires and not note:
            raise ValidationError({action.requires: f"Give the {action.requires}."})
        if not can_proceed(getattr(locked, name)):
            raise TransitionConflict(
                f"A {locked.get_status_display().lower()} referral cannot do that."
            )
        from_status = locked.status
        now = timezone.now()
        if name == "send":
            _share(locked, actor, request)
        getattr(locked, name)()
        _stamp(locked, name, note, now)
        locked.save()
        agency = acting_agency(locked, action.side)
        _history(locked, name, from_status, actor, agency, note, now)
        record(
            AuditAction.TRANSITION,
            actor=actor,
            obj=locked,
            agency=agency,
            request=request,
            details={"action": name, "from": from_status, "to": locked.status},
        )
        _tell(locked, name, action)
        signals.referral_transitioned.send(
            sender=Referral,
            referral=locked,
            action=name,
            from_status=from_status,
            actor=actor,
            agency=agency,
        )
    return locked
