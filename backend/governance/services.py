"""The only place that opens and reviews break-glass access and places and releases legal
holds. Every change is audited (ids and codes only: reasons and notes stay encrypted)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import Agency, Role
from agencies.selectors import active_agency, active_memberships, agencies_of
from audit.models import AuditAction
from audit.services import record
from children.models import Child
from core import access
from core.exceptions import StateConflict
from governance import selectors
from governance.models import BreakGlassAccess, LegalHold, ReviewStatus
from notifications.models import NotificationKind
from notifications.services import notify, recipients_in

# Who may break the glass, and in which role the access is counted (the first they hold).
EMERGENCY_ROLES = (Role.DUTY_MANAGER, Role.DPO)


def _acting_for(
    user: AbstractBaseUser, roles: tuple[Role, ...], session: object | None
) -> tuple[Agency, Role]:
    """The agency (the one the person is working for, if it qualifies) and the role there."""
    candidates = agencies_of(user, roles)
    if not candidates:
        raise PermissionError("Your role does not allow this.")
    chosen = active_agency(user, session)
    agency = chosen if chosen is not None and chosen in candidates else candidates[0]
    held = {m.role for m in active_memberships(user) if m.agency_id == agency.pk}
    role = next(r for r in roles if r in held)
    return agency, role


@transaction.atomic
def break_glass(
    child: Child, *, by: AbstractBaseUser, reason: str, request: HttpRequest | None = None
) -> BreakGlassAccess:
    """Open ``child``'s record to ``by`` for ``BREAK_GLASS_MINUTES``, with ``reason``.

    Refused (409) when they can already see the record or have it open already: the glass
    is broken only when nothing else will do. The DPOs of their agency are asked to review;
    with none but the person themselves, it is refused too (409): every emergency access is
    signed off by someone else.
    """
    agency, role = _acting_for(by, EMERGENCY_ROLES, getattr(request, "session", None))
    if selectors.open_accesses(by).filter(child=child).exists():
        raise StateConflict("You already have emergency access to this record.")
    if access.can(by, selectors.VIEW_CHILD, child):
        raise StateConflict("You can already see this record: emergency access is not needed.")
    reviewers = recipients_in(agency, [Role.DPO]).exclude(pk=by.pk)
    if not reviewers.exists():
        raise StateConflict(
            "Emergency access needs a data protection officer of your agency, other than you, "
            "to review it, and there is none."
        )
    now = timezone.now()
    grant = BreakGlassAccess.objects.create(
        child=child,
        user=by,
        agency=agency,
        role=role,
        reason=reason,
        granted_at=now,
        expires_at=now + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
    )
    record(
        AuditAction.GRANT,
        actor=by,
        obj=child,
        agency=agency,
        request=request,
        details={
            "break_glass": str(grant.pk),
            "role": role,
            "expires_at": grant.expires_at.isoformat(),
        },
    )
    notify(reviewers, NotificationKind.BREAK_GLASS_REVIEW, obj=grant, reference=child.reference)
    return grant


@transaction.atomic
def review_break_glass(
    grant: BreakGlassAccess,
    *,
    by: AbstractBaseUser,
    outcome: ReviewStatus | str,
    note: str = "",
    request: HttpRequest | None = None,
) -> BreakGlassAccess:
    """A DPO of the agency signs the access off as appropriate or not (once, never their
    own). An access judged inappropriate while still open ends at once."""
    grant = BreakGlassAccess.objects.select_for_update().get(pk=grant.pk)
    outcome = ReviewStatus(outcome)
    if outcome == ReviewStatus.PENDING:
        raise ValueError("A review decides: appropriate or inappropriate.")
    if grant.user_id == by.pk:
        raise PermissionError("Someone else must review your own emergency access.")
    if grant.agency not in agencies_of(by, [Role.DPO]):
        raise PermissionError("Only a DPO of the agency reviews this access.")
    if grant.review_status != ReviewStatus.PENDING:
        raise StateConflict("This access has been reviewed already.")
    now = timezone.now()
    grant.review_status = outcome
    grant.reviewed_by = by
    grant.reviewed_at = now
    grant.review_note = note
    fields = ["review_status", "reviewed_by", "reviewed_at", "review_note"]
    if outcome == ReviewStatus.INAPPROPRIATE and grant.expires_at > now and not grant.revoked_at:
        grant.revoked_at = now
        fields.append("revoked_at")
    grant.save(update_fields=fields)
    record(
        AuditAction.UPDATE,
        actor=by,
        obj=grant,
        agency=grant.agency,
        request=request,
        details={
            "review": str(outcome),
            "child": str(grant.child_id),
            "revoked": "revoked_at" in fields,
        },
    )
    return grant


@transaction.atomic
def place_legal_hold(
    child: Child,
    *,
    by: AbstractBaseUser,
    reason: str,
    request: HttpRequest | None = None,
) -> LegalHold:
    """Put the child's records beyond the retention job until the hold is released."""
    agency, _ = _acting_for(by, (Role.DPO,), getattr(request, "session", None))
    # The retention job locks the child row too: a hold and a purge never cross.
    Child.objects.select_for_update().filter(pk=child.pk).first()
    try:
        with transaction.atomic():
            hold = LegalHold.objects.create(
                child=child, agency=agency, reason=reason, placed_by=by, placed_at=timezone.now()
            )
    except IntegrityError:
        raise StateConflict("Your agency already holds this record.") from None
    record(
        AuditAction.CREATE,
        actor=by,
        obj=hold,
        agency=agency,
        request=request,
        details={"child": str(child.pk)},
    )
    return hold


@transaction.atomic
def release_legal_hold(
    hold: LegalHold, *, by: AbstractBaseUser, note: str = "", request: HttpRequest | None = None
) -> LegalHold:
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.agency not in agencies_of(by, [Role.DPO]):
        raise PermissionError("Only a DPO of the agency that placed the hold releases it.")
    if hold.released_at is not None:
        raise StateConflict("This hold has been released already.")
    hold.released_at = timezone.now()
    hold.released_by = by
    hold.release_note = note
    hold.save(update_fields=["released_at", "released_by", "release_note"])
    record(
        AuditAction.DELETE_SOFT,
        actor=by,
        obj=hold,
        agency=hold.agency,
        request=request,
        details={"child": str(hold.child_id)},
    )
    return hold
