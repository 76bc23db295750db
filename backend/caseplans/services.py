"""Everything that changes a case plan: opening it, its lead, team, actions, risk
assessments, reviews, closing and reopening.

Who may do what:

* a **social worker or duty manager of the lead agency** opens a plan, directly for a child
  they can see or from an accepted referral their agency received;
* the plan's **managers** (:func:`caseplans.selectors.is_manager`: the case lead, and the lead
  agency's duty managers) change the plan, hand the lead over, manage the team and the
  actions, assess risk, hold reviews, close and reopen it;
* the **person responsible** for an action reports its progress and outcome.

Every change locks the plan row first, so changes to one plan queue one after another, and
writes, in the same transaction, the plan's history (:class:`~caseplans.models.PlanEvent`),
the audit event and the notifications. Adding a member from another agency goes through
:func:`consent.services.share`; without a consent in scope or an authorised override nothing
is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_fsm import can_proceed

from agencies.models import Agency, Role
from agencies.selectors import agencies_of, has_role
from audit.models import AuditAction
from audit.services import record
from caseplans import risk, selectors
from caseplans.models import (
    FINISHED_ACTIONS,
    ActionStatus,
    AssessmentStatus,
    CasePlan,
    ClosureReason,
    LeadAssignment,
    MembershipEnd,
    Phase,
    PlanAction,
    PlanEvent,
    PlanEventKind,
    PlanStatus,
    Review,
    ReviewStatus,
    RiskAssessment,
    RiskDomain,
    RiskItem,
    TeamMember,
    TeamRole,
)
from children.models import Child
from consent import services as consent
from consent.models import DataCategory, DisclosureGrant, OverrideAuthorisation, Purpose
from core import access
from core.exceptions import StateConflict
from core.models import next_reference
from notifications.models import NotificationKind
from notifications.services import notify
from pathways.models import Pathway, Service
from referrals import services as referrals
from referrals.models import CLOSED_STATUSES, Referral, ReferralStatus

VIEW = selectors.VIEW
OPENERS = (Role.SOCIAL_WORKER, Role.DUTY_MANAGER)
# Staff who may sit on a case team: people working cases in their agency.
CASE_ROLES = (Role.HELPLINE_WORKER, Role.SOCIAL_WORKER, Role.PRACTITIONER, Role.DUTY_MANAGER)
# A referral a plan can be opened from: accepted and being worked.
WORKED_REFERRAL = frozenset(
    {ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.ON_HOLD}
)
# What a case team member from another agency is shared at the least.
TEAM_SHARE_MINIMUM = (DataCategory.CASE_PLAN,)

# The action's status while its referral is in each state (DESIGN.md §4, plan actions).
FOLLOWS: dict[str, ActionStatus] = {
    ReferralStatus.DRAFT: ActionStatus.PLANNED,
    ReferralStatus.SENT: ActionStatus.REFERRED,
    ReferralStatus.ACKNOWLEDGED: ActionStatus.REFERRED,
    ReferralStatus.ACCEPTED: ActionStatus.IN_PROGRESS,
    ReferralStatus.IN_PROGRESS: ActionStatus.IN_PROGRESS,
    ReferralStatus.ON_HOLD: ActionStatus.IN_PROGRESS,
    ReferralStatus.COMPLETED: ActionStatus.DONE,
    ReferralStatus.DECLINED: ActionStatus.PLANNED,
    ReferralStatus.CANCELLED: ActionStatus.PLANNED,
    ReferralStatus.FAILED: ActionStatus.PLANNED,
}


class PlanConflict(StateConflict):
    """The plan, or the part of it, is not in a state that allows this."""


# --- shared steps ----------------------------------------------------------------------


def _lock(plan: CasePlan) -> CasePlan:
    # No joins in the locking query: on PostgreSQL a row locked while another transaction
    # changes its lead is re-checked against the old joined row and would vanish.
    return CasePlan.objects.select_for_update().get(pk=plan.pk)


def _require_manager(actor: AbstractBaseUser, plan: CasePlan) -> None:
    if not selectors.is_manager(actor, plan):
        raise PermissionDenied(
            "Only the case lead or a duty manager of the lead agency can change this plan."
        )


def _require_live(plan: CasePlan) -> None:
    if plan.status == PlanStatus.CLOSED:
        raise PlanConflict("The case plan is closed: reopen it first.")


def _check_lead(user: AbstractBaseUser, agency: Agency, field: str) -> None:
    if not user.is_active or not has_role(user, [Role.SOCIAL_WORKER], agency):
        raise ValidationError(
            {field: "The case lead must be an active social worker of the lead agency."}
        )


def _event(
    plan: CasePlan,
    kind: PlanEventKind,
    actor: AbstractBaseUser | None,
    *,
    at: datetime | None = None,
    agency: Agency | None = None,
    **fields: Any,
) -> PlanEvent:
    return PlanEvent.objects.create(
        plan=plan,
        kind=kind,
        at=at or timezone.now(),
        by=actor,
        by_agency=agency if agency is not None else plan.lead_agency,
        **fields,
    )


def _join(
    plan: CasePlan,
    user: AbstractBaseUser,
    agency: Agency,
    role: TeamRole,
    *,
    by: AbstractBaseUser,
    at: datetime,
    disclosure: Any = None,
) -> TeamMember:
    member = TeamMember.objects.create(
        plan=plan,
        user=user,
        agency=agency,
        role=role,
        disclosure=disclosure,
        started_at=at,
        added_by=by,
    )
    if disclosure is None:
        # A colleague in the lead agency: no share, only the plan itself to open up.
        access.grant([VIEW], user, plan)
    return member


def _leave(
    member: TeamMember,
    *,
    by: AbstractBaseUser | None,
    at: datetime,
    reason: MembershipEnd,
    release: bool = True,
) -> None:
    member.ended_at = at
    member.ended_by = by
    member.end_reason = reason
    member.save(update_fields=["ended_at", "ended_by", "end_reason"])
    if release:
        _release_access(member, at)


def _release_access(member: TeamMember, at: datetime) -> None:
    """Take away what this membership gave this person, and nothing anyone else holds.

    A lead-agency member holds only their personal grant on the plan. A member from another
    agency holds what their share granted (the plan, the child's record): each grant is
    released, and revoked unless another live share still supports it.
    """
    if member.disclosure_id is None:
        access.revoke([VIEW], member.user, member.plan)
        return
    live = consent.live_disclosures(at)
    grants = DisclosureGrant.objects.filter(
        disclosure=member.disclosure_id, released_at__isnull=True
    ).select_related("content_type", "user")
    for grant in grants:
        supported = (
            DisclosureGrant.objects.filter(
                content_type=grant.content_type_id,
                object_id=grant.object_id,
                permission=grant.permission,
                user=grant.user_id,
                agency=grant.agency_id,
                released_at__isnull=True,
                disclosure__in=live,
            )
            .exclude(disclosure=member.disclosure_id)
            .exists()
        )
        grant.released_at = at
        grant.revoked = not supported
        if grant.revoked:
            target = grant.content_type.get_object_for_this_type(pk=grant.object_id)
            access.revoke([grant.permission], grant.user or grant.agency, target)
        grant.save(update_fields=["released_at", "revoked"])


def _current_member(plan: CasePlan, user: AbstractBaseUser) -> TeamMember | None:
    return TeamMember.objects.filter(plan=plan, user=user, ended_at__isnull=True).first()


# --- opening and changing the plan -------------------------------------------------------


@transaction.atomic
def open_plan(
    *,
    actor: AbstractBaseUser,
    agency: Agency,
    child: Child | None = None,
    referral: Referral | None = None,
    lead: AbstractBaseUser | None = None,
    phase: str = Phase.IMMEDIATE,
    goals: str = "",
    request: HttpRequest | None = None,
) -> CasePlan:
    """Open a plan led by ``agency``: for a child the actor can see, or from an accepted
    referral the agency received (the plan then links to it). The lead defaults to the actor.
    """
    if not has_role(actor, OPENERS, agency):
        raise PermissionDenied("Only social workers and duty managers open case plans.")
    if referral is not None:
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.to_agency_id != agency.pk or not referrals.may_act(
            actor, referral, referrals.Side.RECEIVER
        ):
            raise PermissionDenied("Only the agency that received the referral opens its plan.")
        if referral.status not in WORKED_REFERRAL:
            raise PlanConflict("Open a case plan from a referral once it has been accepted.")
        if CasePlan.objects.filter(source_referral=referral).exists():
            raise PlanConflict("A case plan has already been opened from this referral.")
        child = referral.child
    if child is None:
        raise ValidationError({"child": "Name the child, or the referral the plan comes from."})
    if not access.can(actor, "children.view_child", child):
        raise PermissionDenied("You cannot open a plan for a child whose record you cannot see.")
    lead = lead or actor
    _check_lead(lead, agency, "lead")
    live = CasePlan.objects.filter(child=child, lead_agency=agency)
    if live.exclude(status=PlanStatus.CLOSED).exists():
        raise PlanConflict("This child already has a live case plan led by your agency.")
    now = timezone.now()
    plan = CasePlan(
        reference=next_reference("CP"),
        child=child,
        lead=lead,
        lead_agency=agency,
        source_referral=referral,
        phase=Phase(phase),
        goals=goals,
        created_by=actor,
    )
    plan.save()
    # The lead agency's grant: its duty managers see the plan (caseplans.selectors).
    access.grant([VIEW], agency, plan)
    LeadAssignment.objects.create(plan=plan, lead=lead, since=now, assigned_by=actor)
    _join(plan, lead, agency, TeamRole.LEAD, by=actor, at=now)
    _event(plan, PlanEventKind.CREATED, actor, at=now, person=lead, referral=referral)
    record(
        AuditAction.CREATE,
        actor=actor,
        obj=plan,
        agency=agency,
        request=request,
        details={
            "child": child.reference,
            "lead": lead.pk,
            "referral": referral.reference if referral else None,
        },
    )
    if lead.pk != actor.pk:
        notify([lead], NotificationKind.CASE_LEAD_ASSIGNED, obj=plan, reference=plan.reference)
    return plan


def update_plan(
    plan: CasePlan,
    *,
    actor: AbstractBaseUser,
    phase: str | None = None,
    goals: str | None = None,
    request: HttpRequest | None = None,
) -> CasePlan:
    """Move the plan to another phase and/or rewrite its goals; a phase change is recorded."""
    with transaction.atomic():
        locked = _lock(plan)
        _require_manager(actor, locked)
        _require_live(locked)
        changed = []
        now = timezone.now()
        if phase is not None and phase != locked.phase:
            _event(
                locked,
                PlanEventKind.PHASE_CHANGED,
                actor,
                at=now,
                from_value=locked.phase,
                to_value=phase,
            )
            locked.phase = Phase(phase)
            changed.append("phase")
        if goals is not None and goals != locked.goals:
            locked.goals = goals
            changed.append("goals")
            _event(locked, PlanEventKind.UPDATED, actor, at=now, topic="goals")
        if changed:
            locked.save()
            record(
                AuditAction.UPDATE,
                actor=actor,
                obj=locked,
                agency=locked.lead_agency,
                request=request,
                details={"fields": changed, "phase": locked.phase},
            )
    return locked


def _transition(
    plan: CasePlan,
    name: str,
    *,
    actor: AbstractBaseUser,
    kind: PlanEventKind,
    request: HttpRequest | None,
    event_note: str = "",
    checks: Callable[[CasePlan], None] | None = None,
    **arguments: Any,
) -> CasePlan:
    with transaction.atomic():
        locked = _lock(plan)
        _require_manager(actor, locked)
        if not can_proceed(getattr(locked, name)):
            raise PlanConflict(f"A {locked.get_status_display().lower()} plan cannot do that.")
        if checks is not None:
            checks(locked)
        from_status = locked.status
        getattr(locked, name)(**arguments)
        locked.save()
        _event(
            locked,
            kind,
            actor,
            from_value=from_status,
            to_value=arguments.get("reason", locked.status),
            note=event_note,
        )
        record(
            AuditAction.TRANSITION,
            actor=actor,
            obj=locked,
            agency=locked.lead_agency,
            request=request,
            details={"action": name, "from": from_status, "to": locked.status},
        )
    return locked


def activate_plan(
    plan: CasePlan, *, actor: AbstractBaseUser, request: HttpRequest | None = None
) -> CasePlan:
    """The plan is agreed and being worked."""
    return _transition(plan, "activate", actor=actor, kind=PlanEventKind.ACTIVATED, request=request)


def close_plan(
    plan: CasePlan,
    *,
    actor: AbstractBaseUser,
    reason: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> CasePlan:
    """Close the plan for a recorded reason, once every action is done or not needed."""
    reason = ClosureReason(reason)
    note = note.strip()
    if reason == ClosureReason.OTHER and not note:
        raise ValidationError({"note": "Explain the reason for closing."})

    def every_action_finished(locked: CasePlan) -> None:
        open_actions = (
            PlanAction.objects.select_for_update()
            .filter(plan=locked)
            .exclude(status__in=FINISHED_ACTIONS)
            .count()
        )
        if open_actions:
            raise PlanConflict(
                f"{open_actions} action(s) are still open: finish them or mark them not needed."
            )

    return _transition(
        plan,
        "close",
        actor=actor,
        kind=PlanEventKind.CLOSED,
        request=request,
        event_note=note,
        checks=every_action_finished,
        reason=reason,
        note=note,
        at=timezone.now(),
    )


def reopen_plan(
    plan: CasePlan, *, actor: AbstractBaseUser, reason: str, request: HttpRequest | None = None
) -> CasePlan:
    """Reopen a closed plan, recording why."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the plan is reopened."})

    def no_other_live_plan(locked: CasePlan) -> None:
        others = CasePlan.objects.filter(child=locked.child_id, lead_agency=locked.lead_agency_id)
        if others.exclude(pk=locked.pk).exclude(status=PlanStatus.CLOSED).exists():
            raise PlanConflict("This child already has another live plan led by your agency.")

    return _transition(
        plan,
        "reopen",
        actor=actor,
        kind=PlanEventKind.REOPENED,
        request=request,
        event_note=reason,
        checks=no_other_live_plan,
    )


# --- the lead ---------------------------------------------------------------------------


def transfer_lead(
    plan: CasePlan,
    *,
    actor: AbstractBaseUser,
    to_user: AbstractBaseUser,
    note: str,
    keep_on_team: bool = False,
    request: HttpRequest | None = None,
) -> CasePlan:
    """Hand the lead to another social worker of the lead agency, with a hand-over note.

    Under the plan's row lock the current assignment ends and the new one starts at the same
    instant, and ``CasePlan.lead`` changes in the same transaction: there is never a moment
    with no lead or two. The former lead stays on the team (as a social worker) only with
    ``keep_on_team``; otherwise their access to the plan ends.
    """
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Write a hand-over note for the new lead."})
    with transaction.atomic():
        locked = _lock(plan)
        _require_manager(actor, locked)
        _require_live(locked)
        if to_user.pk == locked.lead_id:
            raise PlanConflict("This person already leads the plan.")
        _check_lead(to_user, locked.lead_agency, "to_user")
        now = timezone.now()
        former = locked.lead
        LeadAssignment.objects.filter(plan=locked, until__isnull=True).update(until=now)
        LeadAssignment.objects.create(
            plan=locked, lead=to_user, since=now, assigned_by=actor, note=note
        )
        locked.lead = to_user
        locked.save(update_fields=["lead", "updated_at"])

        lead_member = TeamMember.objects.get(plan=locked, role=TeamRole.LEAD, ended_at__isnull=True)
        _leave(
            lead_member,
            by=actor,
            at=now,
            reason=MembershipEnd.HANDED_OVER,
            release=not keep_on_team,
        )
        if keep_on_team:
            _join(locked, former, lead_member.agency, TeamRole.SOCIAL_WORKER, by=actor, at=now)
        previous = _current_member(locked, to_user)
        if previous is not None:
            _leave(previous, by=actor, at=now, reason=MembershipEnd.BECAME_LEAD, release=False)
        _join(locked, to_user, locked.lead_agency, TeamRole.LEAD, by=actor, at=now)

        _event(
            locked,
            PlanEventKind.LEAD_TRANSFERRED,
            actor,
            at=now,
            person=to_user,
            from_value=str(former.pk),
            to_value=str(to_user.pk),
            note=note,
        )
        record(
            AuditAction.UPDATE,
            actor=actor,
            obj=locked,
            agency=locked.lead_agency,
            request=request,
            details={
                "lead": {"from": former.pk, "to": to_user.pk},
                "former_lead_stays_on_team": keep_on_team,
            },
        )
        notify(
            [to_user], NotificationKind.CASE_LEAD_ASSIGNED, obj=locked, reference=locked.reference
        )
        notify(
            [former], NotificationKind.CASE_LEAD_TRANSFERRED, obj=locked, reference=locked.reference
        )
    return locked


# --- the case team ----------------------------------------------------------------------


def _member_agency(user: AbstractBaseUser, agency: Agency | None) -> Agency:
    working = agencies_of(user, CASE_ROLES)
    if agency is None:
        if not working:
            raise ValidationError({"user": "Choose an active member of staff in a case role."})
        return working[0]
    if agency.pk not in {a.pk for a in working}:
        raise ValidationError({"agency": "The person does not work cases for this agency."})
    return agency


def add_member(
    plan: CasePlan,
    *,
    actor: AbstractBaseUser,
    user: AbstractBaseUser,
    role: str,
    agency: Agency | None = None,
    categories: Iterable[str] = TEAM_SHARE_MINIMUM,
    purpose: str = Purpose.SUPPORT,
    override: OverrideAuthorisation | None = None,
    request: HttpRequest | None = None,
) -> TeamMember:
    """Put a person on the case team, with a role on the case.

    A member from another agency joins through a share of the plan with them personally
    (``categories``, always including the case plan, for ``purpose``), on consent or an
    authorised ``override``: the share is recorded and grants their access. Raises
    :class:`consent.services.SharingRefused` when nothing covers it (nothing is written).
    """
    role = TeamRole(role)
    if role == TeamRole.LEAD:
        raise ValidationError({"role": "The lead changes only by handing the lead over."})
    with transaction.atomic():
        locked = _lock(plan)
        _require_manager(actor, locked)
        _require_live(locked)
        if not user.is_active:
            raise ValidationError({"user": "Choose an active member of staff in a case role."})
        agency = _member_agency(user, agency)
        if _current_member(locked, user) is not None:
            raise PlanConflict("This person is already on the case team.")
        disclosure = None
        if agency.pk != locked.lead_agency_id:
            disclosure = consent.share(
                child=locked.child,
                recipient=user,
                categories=sorted({*TEAM_SHARE_MINIMUM, *categories}),
                purpose=purpose,
                actor=actor,
                subject=locked,
                grants=[(locked, [VIEW])],
                override=override,
                request=request,
                agency=locked.lead_agency,
            )
        now = timezone.now()
        member = _join(locked, user, agency, role, by=actor, at=now, disclosure=disclosure)
        _event(
            locked,
            PlanEventKind.MEMBER_ADDED,
            actor,
            at=now,
            person=user,
            subject_id=member.pk,
            to_value=role,
        )
        record(
            AuditAction.GRANT,
            actor=actor,
            obj=locked,
            agency=locked.lead_agency,
            request=request,
            details={
                "member": user.pk,
                "member_agency": agency.pk,
                "role": role,
                "disclosure": str(disclosure.pk) if disclosure else None,
            },
        )
        notify([user], NotificationKind.CASE_TEAM_ADDED, obj=locked, reference=locked.reference)
    return member


def remove_member(
    plan: CasePlan,
    member: TeamMember,
    *,
    actor: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> TeamMember:
    """End a membership (kept for the record) and take away what it gave that person."""
    with transaction.atomic():
        locked = _lock(plan)
        _require_manager(actor, locked)
        member = (
            TeamMember.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=member.pk)
        )
        if member.plan_id != locked.pk or member.ended_at is not None:
            raise PlanConflict("This person is no longer on the case team.")
        if member.role == TeamRole.LEAD:
            raise PlanConflict("The case lead leaves the team by handing the lead over.")
        now = timezone.now()
        _leave(member, by=actor, at=now, reason=MembershipEnd.REMOVED)
        _event(
            locked,
            PlanEventKind.MEMBER_REMOVED,
            actor,
            at=now,
            person=member.user,
            subject_id=member.pk,
            from_value=member.role,
            to_value=MembershipEnd.REMOVED,
        )
        record(
            AuditAction.REVOKE,
            actor=actor,
            obj=locked,
            agency=locked.lead_agency,
            request=request,
            details={"member": member.user_id, "role": member.role},
        )
        notify(
            [member.user],
            NotificationKind.CASE_TEAM_REMOVED,
            obj=locked,
            reference=locked.reference,
        )
    return member


# --- plan actions -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralRequest:
    """How to refer for an action: what a referral needs besides the service."""

    urgency: str
    concern: str
    shared_categories: Sequence[str] | None = None
    purpose: str = Purpose.SUPPORT
    pathway: Pathway | None = None
    override: OverrideAuthorisation | None = None
    send: bool = True


def _check_person(plan: CasePlan, person: AbstractBaseUser | None) -> None:
    if person is not None and _current_member(plan, person) is None:
        raise ValidationError(
            {"responsible_person": "The person responsible must be on the case team."}
        )


def _refer(
    plan: CasePlan,
    action: PlanAction,
    *,
    actor: AbstractBaseUser,
    service: Service,
    how: ReferralRequest,
    request: HttpRequest | None,
) -> PlanAction:
    referral = referrals.create_referral(
        actor=actor,
        agency=plan.lead_agency,
        child=plan.child,
        new_child=None,
        service=service,
        urgency=how.urgency,
        need_categories=[action.need_category],
        concern=how.concern,
        shared_categories=list(how.shared_categories) if how.shared_categories else None,
        purpose=how.purpose,
        pathway=how.pathway,
        override=how.override,
        request=request,
    )
    from_status = action.status
    action.referral = referral
    action.responsible_service = service
    action.responsible_agency = service.agency
    action.status = ActionStatus.PLANNED
    action.status_note = ""
    action.save()
    _event(
        plan,
        PlanEventKind.ACTION_REFERRED,
        actor,
        subject_id=action.pk,
        referral=referral,
        topic=action.need_category,
        from_value=from_status,
        to_value=action.status,
    )
    if how.send:
        # Sending fires referral_transitioned, and follow_referral moves the action on.
        referrals.transition(referral, "send", actor=actor, request=request)
        action.refresh_from_db()
    return action


def add_action(
    plan: CasePlan,
    *,
    actor: AbstractBaseUser,
    need_category: str,
    description: str,
    due_date: date | None = None,
    responsible_agency: Agency | None = None,
    responsible_person: AbstractBaseUser | None = None,
    service: Service | None = None,
    referral: ReferralRequest | None = None,
    request: HttpRequest | None = None,
) -> PlanAction:
    """Add an action to the plan. With a ``service`` it is carried out through a referral
    (``referral`` says how), sent at once unless told otherwise; a send refused for lack of
    consent undoes the whole action."""
    if service is not None and referral is None:
        raise ValidationError({"urgency": "Say how urgent the referral to this service is."})
    with transaction.atomic():
        locked = _lock(plan)
        _require_manager(actor, locked)
        _require_live(locked)
        _check_person(locked, responsible_person)
        action = PlanAction.objects.create(
            plan=locked,
            need_category=need_category,
            description=description,
            due_date=due_date,
            responsible_agency=responsible_agency,
            responsible_person=responsible_person,
            created_by=actor,
        )
        _event(
            locked,
            PlanEventKind.ACTION_ADDED,
            actor,
            subject_id=action.pk,
            topic=action.need_category,
            to_value=action.status,
        )
        record(
            AuditAction.CREATE,
            actor=actor,
            obj=action,
            agency=locked.lead_agency,
            request=request,
            details={"plan": locked.reference, "need": need_category},
        )
        if service is not None:
            action = _refer(
                locked, action, actor=actor, service=service, how=referral, request=request
            )
    return action


def refer_action(
    plan: CasePlan,
    action: PlanAction,
    *,
    actor: AbstractBaseUser,
    service: Service,
    referral: ReferralRequest,
    request: HttpRequest | None = None,
) -> PlanAction:
    """Refer a planned action to a service: first time, or again after its referral was
    declined, cancelled or failed."""
    with transaction.atomic():
        locked = _lock(plan)
        _require_manager(actor, locked)
        _require_live(locked)
        action = (
            PlanAction.objects.select_for_update(of=("self",))
            .select_related("referral")
            .get(pk=action.pk)
        )
        if action.plan_id != locked.pk:
            raise PlanConflict("This action belongs to another plan.")
        live_referral = (
            action.referral is not None and action.referral.status not in CLOSED_STATUSES
        )
        if action.status != ActionStatus.PLANNED or live_referral:
            raise PlanConflict("Only a planned action without a live referral can be referred.")
        action = _refer(locked, action, actor=actor, service=service, how=referral, request=request)
        record(
            AuditAction.UPDATE,
            actor=actor,
            obj=action,
            agency=locked.lead_agency,
            request=request,
            details={"referral": action.referral.reference},
        )
    return action


ACTION_FIELDS = frozenset(
    {"description", "due_date", "responsible_agency", "responsible_person", "status", "outcome"}
)
# What the person responsible for an action may change themselves.
PROGRESS_FIELDS = frozenset({"status", "outcome"})


def update_action(
    plan: CasePlan,
    action: PlanAction,
    *,
    actor: AbstractBaseUser,
    request: HttpRequest | None = None,
    **changes: Any,
) -> PlanAction:
    """Change an action. Its managers may change anything; the person responsible reports
    progress and outcome. While a referral carries the action, its status follows the
    referral and cannot be set by hand."""
    unknown = set(changes) - ACTION_FIELDS
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock(plan)
        _require_live(locked)
        action = (
            PlanAction.objects.select_for_update(of=("self",))
            .select_related("referral")
            .get(pk=action.pk)
        )
        if action.plan_id != locked.pk:
            raise PlanConflict("This action belongs to another plan.")
        manager = selectors.is_manager(actor, locked)
        responsible = action.responsible_person_id == actor.pk
        if not manager and not (responsible and set(changes) <= PROGRESS_FIELDS):
            raise PermissionDenied(
                "Only the plan's managers, or the person responsible for "
                "this action reporting its progress, can change it."
            )
        if "responsible_person" in changes:
            _check_person(locked, changes["responsible_person"])
        from_status = action.status
        new_status = changes.get("status", from_status)
        if new_status != from_status:
            _check_status_change(action, new_status, changes.get("outcome", action.outcome))
        for name, value in changes.items():
            setattr(action, name, value)
        if new_status != from_status:
            action.status_note = ""
        action.save()
        _event(
            locked,
            PlanEventKind.ACTION_UPDATED,
            actor,
            agency=_acting_agency(actor, locked),
            subject_id=action.pk,
            topic=action.need_category,
            from_value=from_status,
            to_value=action.status,
        )
        record(
            AuditAction.UPDATE,
            actor=actor,
            obj=action,
            request=request,
            details={"fields": sorted(changes), "from": from_status, "to": action.status},
        )
    return action


def _acting_agency(actor: AbstractBaseUser, plan: CasePlan) -> Agency | None:
    if has_role(actor, CASE_ROLES, plan.lead_agency_id):
        return plan.lead_agency
    working = agencies_of(actor, CASE_ROLES)
    return working[0] if working else None


def _check_status_change(action: PlanAction, status: str, outcome: str) -> None:
    if action.referral is not None and action.referral.status not in CLOSED_STATUSES:
        raise PlanConflict(
            f"The action follows referral {action.referral.reference}: its status changes "
            "with the referral."
        )
    if status == ActionStatus.REFERRED:
        raise ValidationError({"status": "An action becomes referred by referring it."})
    if status in FINISHED_ACTIONS and not (outcome or "").strip():
        raise ValidationError({"outcome": "Say what came of the action, or why it is not needed."})


def follow_referral(
    referral: Referral,
    *,
    action: str,
    from_status: str,
    actor: AbstractBaseUser,
    agency: Agency,
) -> PlanAction | None:
    """Move the plan action a referral carries to match the referral's new state.

    Runs inside the referral's transition. Nothing personal is copied: a completed
    referral's outcome stays on the referral, where its readers are checked.
    """
    plan_action = (
        PlanAction.objects.select_for_update(of=("self",))
        .select_related("plan__lead_agency")
        .filter(referral=referral)
        .first()
    )
    if plan_action is None:
        return None
    status = FOLLOWS[referral.status]
    label = referral.get_status_display().lower()
    if referral.status == ReferralStatus.COMPLETED:
        note = f"Referral {referral.reference} was completed: its outcome is on the referral."
    elif status == ActionStatus.PLANNED and referral.status != ReferralStatus.DRAFT:
        note = (
            f"Referral {referral.reference} was {label}: refer to another service or mark "
            "the action not needed."
        )
    else:
        note = ""
    previous = plan_action.status
    if status == previous and note == plan_action.status_note:
        return plan_action
    plan_action.status = status
    plan_action.status_note = note
    plan_action.save(update_fields=["status", "status_note", "updated_at"])
    _event(
        plan_action.plan,
        PlanEventKind.ACTION_UPDATED,
        actor,
        agency=agency,
        subject_id=plan_action.pk,
        referral=referral,
        topic=plan_action.need_category,
        from_value=previous,
        to_value=status,
    )
    record(
        AuditAction.UPDATE,
        actor=actor,
        obj=plan_action,
        agency=agency,
        details={
            "from": previous,
            "to": status,
            "referral": referral.reference,
            "referral_action": action,
            "referral_from": from_status,
        },
    )
    return plan_action


# --- risk assessments -------------------------------------------------------------------


@dataclass(frozen=True)
class RiskEntry:
    domain: str
    likelihood: int
    severity: int
    residual_likelihood: int
    residual_severity: int
    mitigation: str = ""


def _check_items(entries: Sequence[RiskEntry]) -> None:
    domains = [entry.domain for entry in entries]
    if len(set(domains)) != len(domains):
        raise ValidationError({"items": "Assess each domain once."})
    for entry in entries:
        RiskDomain(entry.domain)
        scores = (
            entry.likelihood,
            entry.severity,
            entry.residual_likelihood,
            entry.residual_severity,
        )
        if not all(risk.SCORE_MIN <= score <= risk.SCORE_MAX for score in scores):
            raise ValidationError({"items": "Scores are from 1 to 5."})
        if entry.residual_likelihood > entry.likelihood or entry.residual_severity > entry.severity:
            raise ValidationError(
                {"items": "A residual score cannot be higher than the score before mitigation."}
            )


def _replace_items(assessment: RiskAssessment, entries: Sequence[RiskEntry]) -> None:
    _check_items(entries)
    assessment.items.all().delete()
    RiskItem.objects.bulk_create(
        RiskItem(
            assessment=assessment,
            domain=entry.domain,
            likelihood=entry.likelihood,
            severity=entry.severity,
            mitigation=entry.mitigation,
            residual_likelihood=entry.residual_likelihood,
            residual_severity=entry.residual_severity,
        )
        for entry in entries
    )


def _check_review_date(value: date, field: str = "next_review_date") -> None:
    if value < timezone.localdate():
        raise ValidationError({field: "The date has already passed."})


def start_assessment(
    plan: CasePlan,
    *,
    actor: AbstractBaseUser,
    next_review_date: date,
    items: Sequence[RiskEntry] = (),
    summary: str = "",
    request: HttpRequest | None = None,
) -> RiskAssessment:
    """Draft a new risk assessment; signing it supersedes the current one."""
    _check_review_date(next_review_date)
    with transaction.atomic():
        locked = _lock(plan)
        _require_manager(actor, locked)
        _require_live(locked)
        if RiskAssessment.objects.filter(plan=locked, status=AssessmentStatus.DRAFT).exists():
            raise PlanConflict("A draft risk assessment is already open for this plan.")
        assessment = RiskAssessment.objects.create(
            plan=locked, next_review_date=next_review_date, summary=summary, created_by=actor
        )
        _replace_items(assessment, items)
        _event(locked, PlanEventKind.ASSESSMENT_STARTED, actor, subject_id=assessment.pk)
        record(
            AuditAction.CREATE,
            actor=actor,
            obj=assessment,
            agency=locked.lead_agency,
            request=request,
            details={"plan": locked.reference, "domains": sorted(i.domain for i in items)},
        )
    return assessment


def _locked_draft(plan: CasePlan, assessment: RiskAssessment) -> RiskAssessment:
    assessment = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.plan_id != plan.pk:
        raise PlanConflict("This assessment belongs to another plan.")
    if assessment.status != AssessmentStatus.DRAFT:
        raise PlanConflict(
            "A signed risk assessment cannot change: start a new one, which supersedes it."
        )
    return assessment


def update_assessment(
    plan: CasePlan,
    assessment: RiskAssessment,
    *,
    actor: AbstractBaseUser,
    next_review_date: date | None = None,
    items: Sequence[RiskEntry] | None = None,
    summary: str | None = None,
    request: HttpRequest | None = None,
) -> RiskAssessment:
    """Change a draft assessment (its items are replaced as a whole). Signed ones never change."""
    with transaction.atomic():
        locked = _lock(plan)
        _require_manager(actor, locked)
        _require_live(locked)
        assessment = _locked_draft(locked, assessment)
        changed = []
        if next_review_date is not None:
            _check_review_date(next_review_date)
            assessment.next_review_date = next_review_date
            changed.append("next_review_date")
        if summary is not None:
            assessment.summary = summary
            changed.append("summary")
        assessment.save()
        if items is not None:
            _replace_items(assessment, items)
            changed.append("items")
        record(
            AuditAction.UPDATE,
            actor=actor,
            obj=assessment,
            agency=locked.lead_agency,
            request=request,
            details={"fields": changed},
        )
    return assessment


def sign_assessment(
    plan: CasePlan,
    assessment: RiskAssessment,
    *,
    actor: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> RiskAssessment:
    """Sign a draft: from now on it is the plan's current assessment and never changes; the
    one it replaces is superseded."""
    with transaction.atomic():
        locked = _lock(plan)
        _require_manager(actor, locked)
        _require_live(locked)
        assessment = _locked_draft(locked, assessment)
        if not assessment.items.exists():
            raise ValidationError({"items": "Assess at least one domain before signing."})
        current = selectors.current_assessments().filter(plan=locked).first()
        now = timezone.now()
        assessment.supersedes = current
        assessment.sign(by=actor, at=now)
        assessment.save()
        level = assessment.overall_level
        _event(
            locked,
            PlanEventKind.ASSESSMENT_SIGNED,
            actor,
            at=now,
            subject_id=assessment.pk,
            to_value=AssessmentStatus.SIGNED,
        )
        record(
            AuditAction.TRANSITION,
            actor=actor,
            obj=assessment,
            agency=locked.lead_agency,
            request=request,
            details={
                "to": AssessmentStatus.SIGNED,
                "level": level,
                "supersedes": str(current.pk) if current else None,
            },
        )
    return assessment


# --- reviews ----------------------------------------------------------------------------


def _schedule(plan: CasePlan, on: date, actor: AbstractBaseUser) -> Review:
    if Review.objects.filter(plan=plan, status=ReviewStatus.SCHEDULED).exists():
        raise PlanConflict("A review is already scheduled for this plan.")
    review = Review.objects.create(plan=plan, scheduled_for=on, scheduled_by=actor)
    _event(
        plan,
        PlanEventKind.REVIEW_SCHEDULED,
        actor,
        subject_id=review.pk,
        to_value=on.isoformat(),
    )
    return review


def schedule_review(
    plan: CasePlan,
    *,
    actor: AbstractBaseUser,
    scheduled_for: date,
    request: HttpRequest | None = None,
) -> Review:
    _check_review_date(scheduled_for, "scheduled_for")
    with transaction.atomic():
        locked = _lock(plan)
        _require_manager(actor, locked)
        _require_live(locked)
        review = _schedule(locked, scheduled_for, actor)
        record(
            AuditAction.CREATE,
            actor=actor,
            obj=review,
            agency=locked.lead_agency,
            request=request,
            details={"plan": locked.reference, "scheduled_for": scheduled_for},
        )
    return review


def record_review(
    plan: CasePlan,
    review: Review,
    *,
    actor: AbstractBaseUser,
    decisions: str,
    held_on: date | None = None,
    attendees: Iterable[AbstractBaseUser] = (),
    other_attendees: str = "",
    next_review_date: date | None = None,
    request: HttpRequest | None = None,
) -> Review:
    """Record a review that took place: who attended, what was decided, and when the next
    review is (scheduled with it)."""
    decisions = decisions.strip()
    if not decisions:
        raise ValidationError({"decisions": "Record what the review decided."})
    held_on = held_on or timezone.localdate()
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "A review is recorded once it has taken place."})
    if next_review_date is not None and next_review_date <= held_on:
        raise ValidationError({"next_review_date": "The next review comes after this one."})
    with transaction.atomic():
        locked = _lock(plan)
        _require_manager(actor, locked)
        _require_live(locked)
        review = Review.objects.select_for_update().get(pk=review.pk)
        if review.plan_id != locked.pk or review.status != ReviewStatus.SCHEDULED:
            raise PlanConflict("This review has already been recorded.")
        people = list(attendees)
        team = set(TeamMember.objects.filter(plan=locked).values_list("user_id", flat=True))
        if any(person.pk not in team for person in people):
            raise ValidationError({"attendees": "Attendees here are members of the case team."})
        review.status = ReviewStatus.HELD
        review.held_on = held_on
        review.decisions = decisions
        review.other_attendees = other_attendees
        review.next_review_date = next_review_date
        review.recorded_by = actor
        review.recorded_at = timezone.now()
        review.save()
        review.attendees.set(people)
        _event(locked, PlanEventKind.REVIEW_HELD, actor, subject_id=review.pk)
        if next_review_date is not None:
            _schedule(locked, next_review_date, actor)
        record(
            AuditAction.UPDATE,
            actor=actor,
            obj=review,
            agency=locked.lead_agency,
            request=request,
            details={
                "plan": locked.reference,
                "held_on": held_on,
                "attendees": sorted(p.pk for p in people),
                "next_review_date": next_review_date,
            },
        )
    return review


# --- consent ending ---------------------------------------------------------------------


def consent_ended(consent_record: Any, kind: NotificationKind) -> None:
    """A consent was withdrawn or expired (the consent service has ended its disclosures and
    revoked what nothing else supports): the members whose access to a plan rested on it
    leave the team, and the lead of every live plan for the child is told."""
    now = timezone.now()
    child = consent_record.child
    by = getattr(consent_record, "withdrawn_by", None)
    plan_type = ContentType.objects.get_for_model(CasePlan)
    members = TeamMember.objects.filter(
        plan__child=child, ended_at__isnull=True, disclosure__consent=consent_record
    ).select_related("plan__lead_agency", "user")
    for member in members:
        lost_access = DisclosureGrant.objects.filter(
            disclosure=member.disclosure_id,
            content_type=plan_type,
            object_id=str(member.plan_id),
            permission=VIEW,
            revoked=True,
        ).exists()
        if not lost_access:
            continue
        _leave(member, by=by, at=now, reason=MembershipEnd.CONSENT_ENDED, release=False)
        _event(
            member.plan,
            PlanEventKind.MEMBER_REMOVED,
            by,
            at=now,
            agency=getattr(consent_record, "withdrawn_by_agency", None) or member.plan.lead_agency,
            person=member.user,
            subject_id=member.pk,
            from_value=member.role,
            to_value=MembershipEnd.CONSENT_ENDED,
        )
        record(
            AuditAction.REVOKE,
            actor=by,
            obj=member.plan,
            agency=member.plan.lead_agency,
            details={
                "member": member.user_id,
                "reason": MembershipEnd.CONSENT_ENDED,
                "consent": str(consent_record.pk),
            },
        )
        notify(
            [member.user],
            NotificationKind.CASE_TEAM_REMOVED,
            obj=member.plan,
            reference=member.plan.reference,
        )
    plans = (
        CasePlan.objects.filter(child=child)
        .exclude(status=PlanStatus.CLOSED)
        .select_related("lead")
    )
    for plan in plans:
        notify([plan.lead], kind, obj=plan, reference=child.reference)
