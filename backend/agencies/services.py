"""The only place that changes agencies and memberships; every change is audited.

``by`` is the person making the change (``None`` only for set-up such as demo data).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from accounts.services import SessionEnd, end_sessions
from agencies.models import Agency, Membership, Role
from agencies.selectors import forget_memberships
from audit.models import AuditAction
from audit.services import record

User = get_user_model()


def _sync_group(user: AbstractBaseUser, agency: Agency) -> None:
    """Keep the agency group equal to the set of people with an active membership in it."""
    still_member = Membership.objects.filter(user=user, agency=agency, is_active=True).exists()
    if still_member:
        user.groups.add(agency.group)
    else:
        user.groups.remove(agency.group)
    forget_memberships(user)


@transaction.atomic
def add_membership(
    *, agency: Agency, user: AbstractBaseUser, role: Role | str, by: AbstractBaseUser | None
) -> Membership:
    """Give ``user`` a role in ``agency`` (re-activating an ended membership of that role)."""
    membership, created = Membership.objects.select_for_update().get_or_create(
        user=user, agency=agency, role=role
    )
    reactivated = not created and not membership.is_active
    if reactivated:
        membership.is_active = True
        membership.ended_at = None
        membership.save(update_fields=["is_active", "ended_at"])
    _sync_group(user, agency)
    if created or reactivated:
        record(
            AuditAction.CREATE if created else AuditAction.UPDATE,
            actor=by,
            obj=membership,
            agency=agency,
            details={"user": user.pk, "role": str(role), "reactivated": reactivated},
        )
    return membership


@transaction.atomic
def add_staff_member(
    *,
    agency: Agency,
    username: str,
    role: Role | str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    password: str | None = None,
    by: AbstractBaseUser | None,
) -> Membership:
    """Give a person a role, creating their account first if they are new to the platform."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first_name, "last_name": last_name, "email": email},
    )
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(update_fields=["password"])
        record(AuditAction.CREATE, actor=by, obj=user, agency=agency)
    return add_membership(agency=agency, user=user, role=role, by=by)


@transaction.atomic
def end_membership(membership: Membership, *, by: AbstractBaseUser | None) -> Membership:
    """End a role; the record stays for the audit trail. Ending a person's last active role
    ends their sessions, closes their sockets and revokes their API tokens."""
    if membership.is_active:
        membership.is_active = False
        membership.ended_at = timezone.now()
        membership.save(update_fields=["is_active", "ended_at"])
        record(
            AuditAction.DELETE_SOFT,
            actor=by,
            obj=membership,
            agency=membership.agency,
            details={"user": membership.user_id, "role": membership.role},
        )
    _sync_group(membership.user, membership.agency)
    if not Membership.objects.filter(user=membership.user, is_active=True).exists():
        end_sessions(membership.user, reason=SessionEnd.NO_ACTIVE_ROLE, revoke_tokens=True, by=by)
    return membership


@transaction.atomic
def update_agency(agency: Agency, *, by: AbstractBaseUser | None, **changes: object) -> Agency:
    for field, value in changes.items():
        setattr(agency, field, value)
    agency.save()
    # Field names only: the values are the agency's contact details.
    record(
        AuditAction.UPDATE, actor=by, obj=agency, agency=agency, details={"fields": sorted(changes)}
    )
    return agency
