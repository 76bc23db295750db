"""Read queries: what break-glass access is open now, and which children are held."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from governance.models import BreakGlassAccess, LegalHold

VIEW_CHILD = "children.view_child"


def open_accesses(user: AbstractBaseUser) -> QuerySet[BreakGlassAccess]:
    """The person's break-glass accesses open at this instant (not expired, not revoked)."""
    now = timezone.now()
    return BreakGlassAccess.objects.filter(
        user=user, granted_at__lte=now, expires_at__gt=now, revoked_at__isnull=True
    )


def children_opened_in_emergency(user: AbstractBaseUser, perm: str) -> QuerySet | None:
    """The visibility source (core.access) of break-glass: reading the child, nothing more."""
    if perm != VIEW_CHILD or not user.is_authenticated:
        return None
    return open_accesses(user).values("child_id")


def opened_in_emergency(user: AbstractBaseUser, child_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Of ``child_ids``, the children ``user`` has open by break-glass: they see the whole
    record, as its keepers do."""
    ids = list(child_ids)
    if not ids or not user.is_authenticated:
        return set()
    return set(open_accesses(user).filter(child__in=ids).values_list("child_id", flat=True))


def live_holds() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(released_at__isnull=True)


def held_children() -> QuerySet:
    return live_holds().values("child_id")
