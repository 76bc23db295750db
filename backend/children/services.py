"""The only place that creates and changes child records and their duplicate checks."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import Agency, Role
from agencies.selectors import has_role
from audit.models import AuditAction
from audit.services import record
from children.models import Child, DuplicateCheck, DuplicateCheckStatus
from children.signals import possible_duplicate_found
from consent.models import DataCategory
from core import access

# No 0/O, 1/I/L: a reference is read out over the phone and copied by hand.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6
REFERENCE_ATTEMPTS = 10

PERSONAL_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "gender",
    "phone",
    "email",
    "address",
    "languages",
    "guardian_contacts",
)
KEEPER_PERMS = ("view_child", "change_child")
CHECK_PERMS = ("view_duplicatecheck", "change_duplicatecheck")


def new_reference() -> str:
    return "C-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


@dataclass
class DuplicateFinding:
    """Earlier records with the same name and date of birth."""

    # References the caller may already see (with the child's identity disclosed to them).
    visible_references: list[str] = field(default_factory=list)
    # Matches the caller may not see: their duty manager has been asked to check these.
    checks: list[DuplicateCheck] = field(default_factory=list)

    @property
    def duty_manager_asked(self) -> bool:
        return bool(self.checks)

    def __bool__(self) -> bool:
        return bool(self.visible_references or self.checks)


def _save_with_new_reference(child: Child) -> None:
    for _ in range(REFERENCE_ATTEMPTS):
        child.reference = new_reference()
        try:
            with transaction.atomic():
                child.save(force_insert=True)
        except IntegrityError:
            if not Child.objects.filter(reference=child.reference).exists():
                raise
            continue
        return
    raise IntegrityError("Could not find a free child reference.")


@transaction.atomic
def record_child(
    *,
    actor: AbstractBaseUser,
    agency: Agency,
    request: HttpRequest | None = None,
    pk: uuid.UUID | None = None,
    **details: Any,
) -> tuple[Child, DuplicateFinding]:
    """Record a child (possibly anonymous) for ``agency``, which keeps the record.

    Returns the child and any possible duplicates found by name and date of birth. ``pk``
    is for loaders that must be idempotent (demo data); otherwise a new id is made.
    """
    unknown = set(details) - set(PERSONAL_FIELDS)
    if unknown:
        raise TypeError(f"Not a child detail: {sorted(unknown)}")
    child = Child(created_by=actor, created_by_agency=agency, **details)
    if pk is not None:
        child.pk = pk
    _save_with_new_reference(child)
    access.grant(KEEPER_PERMS, agency, child)
    record(
        AuditAction.CREATE,
        actor=actor,
        obj=child,
        agency=agency,
        request=request,
        details={"fields": sorted(name for name, value in details.items() if value)},
    )
    return child, _find_duplicates(child, actor=actor, agency=agency, request=request)


@transaction.atomic
def update_child(
    child: Child,
    *,
    actor: AbstractBaseUser,
    agency: Agency,
    changes: dict[str, Any],
    request: HttpRequest | None = None,
) -> tuple[Child, DuplicateFinding]:
    """Complete or correct a child's details; a newly complete identity is checked for
    duplicates just as on creation."""
    unknown = set(changes) - set(PERSONAL_FIELDS)
    if unknown:
        raise TypeError(f"Not a child detail: {sorted(unknown)}")
    changed = sorted(name for name, value in changes.items() if getattr(child, name) != value)
    if not changed:
        return child, DuplicateFinding()
    previous_index = child.identity_index
    for name in changed:
        setattr(child, name, changes[name])
    child.save(update_fields=changed)
    record(
        AuditAction.UPDATE,
        actor=actor,
        obj=child,
        agency=agency,
        request=request,
        details={"fields": changed},
    )
    if child.identity_index == previous_index:
        return child, DuplicateFinding()
    return child, _find_duplicates(child, actor=actor, agency=agency, request=request)


def _find_duplicates(
    child: Child, *, actor: AbstractBaseUser, agency: Agency, request: HttpRequest | None
) -> DuplicateFinding:
    finding = DuplicateFinding()
    if child.identity_index is None:
        return finding
    matches = list(
        Child.objects.filter(identity_index=child.identity_index)
        .exclude(pk=child.pk)
        .select_related("created_by_agency")
        .order_by("created_at")
    )
    if not matches:
        return finding
    from consent.services import categories_for_children  # consent builds on children

    visible = set(
        access.visible_to(actor, Child.objects.filter(pk__in=[m.pk for m in matches])).values_list(
            "pk", flat=True
        )
    )
    categories = categories_for_children(actor, [m for m in matches if m.pk in visible])
    for match in matches:
        if DataCategory.IDENTITY in categories.get(match.pk, ()):
            finding.visible_references.append(match.reference)
        else:
            finding.checks.append(
                _raise_check(child, match, actor=actor, agency=agency, request=request)
            )
    return finding


def _raise_check(
    child: Child,
    match: Child,
    *,
    actor: AbstractBaseUser,
    agency: Agency,
    request: HttpRequest | None,
) -> DuplicateCheck:
    check, created = DuplicateCheck.objects.get_or_create(
        new_child=child,
        existing_child=match,
        defaults={
            "raised_by": actor,
            "raising_agency": agency,
            "holding_agency": match.created_by_agency,
        },
    )
    if created:
        for duty_agency in {agency, match.created_by_agency}:
            access.grant(CHECK_PERMS, duty_agency, check)
        record(
            AuditAction.CREATE,
            actor=actor,
            obj=check,
            agency=agency,
            request=request,
            details={"new_child": str(child.pk), "existing_child": str(match.pk)},
        )
        possible_duplicate_found.send(sender=DuplicateCheck, check=check)
    return check


class CheckAlreadyResolved(Exception):
    """Someone has already resolved this duplicate check."""


@transaction.atomic
def resolve_duplicate_check(
    check: DuplicateCheck,
    *,
    by: AbstractBaseUser,
    outcome: DuplicateCheckStatus | str,
    request: HttpRequest | None = None,
) -> DuplicateCheck:
    """A duty manager of either agency records whether the two records are the same child."""
    if outcome not in (DuplicateCheckStatus.SAME_CHILD, DuplicateCheckStatus.DIFFERENT_CHILD):
        raise ValueError("The outcome is either the same child or a different child.")
    agencies = [check.raising_agency_id, check.holding_agency_id]
    if not any(has_role(by, [Role.DUTY_MANAGER], a) for a in agencies):
        raise PermissionError("Only the duty managers of the two agencies resolve this check.")
    locked = DuplicateCheck.objects.select_for_update().get(pk=check.pk)
    if locked.status != DuplicateCheckStatus.OPEN:
        raise CheckAlreadyResolved("This check has already been resolved.")
    locked.status = outcome
    locked.resolved_by = by
    locked.resolved_at = timezone.now()
    locked.save(update_fields=["status", "resolved_by", "resolved_at"])
    record(
        AuditAction.TRANSITION,
        actor=by,
        obj=locked,
        request=request,
        details={"to": outcome},
    )
    return locked
