"""Read queries about who works where, in which role."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.sessions.backends.base import SessionBase

from agencies.models import Agency, Membership, Role

_CACHE_ATTR = "_active_memberships"
ACTIVE_AGENCY_SESSION_KEY = "active_agency_id"


def active_memberships(user: AbstractBaseUser | AnonymousUser) -> list[Membership]:
    """The user's active memberships in active agencies, fetched once per request-user object."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, is_active=True, agency__is_active=True)
            .select_related("agency", "agency__region")
            .order_by("agency__name", "role")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_memberships(user: AbstractBaseUser) -> None:
    """Drop the per-object cache after memberships change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def agencies_of(
    user: AbstractBaseUser | AnonymousUser, roles: Iterable[Role] | None = None
) -> list[Agency]:
    """Agencies where the user holds any of ``roles`` (any role when ``roles`` is None)."""
    wanted = set(roles) if roles is not None else None
    seen: dict[int, Agency] = {}
    for membership in active_memberships(user):
        if wanted is None or membership.role in wanted:
            seen.setdefault(membership.agency_id, membership.agency)
    return list(seen.values())


def active_agency(
    user: AbstractBaseUser | AnonymousUser, session: SessionBase | None = None
) -> Agency | None:
    """The agency the user is working for: the one chosen this session, else their first."""
    memberships = active_memberships(user)
    chosen = session.get(ACTIVE_AGENCY_SESSION_KEY) if session is not None else None
    for membership in memberships:
        if membership.agency_id == chosen:
            return membership.agency
    return memberships[0].agency if memberships else None


def has_role(
    user: AbstractBaseUser | AnonymousUser,
    roles: Iterable[Role],
    agency: Agency | int | None = None,
) -> bool:
    """Whether the user holds one of ``roles`` (in ``agency``, when given)."""
    wanted = set(roles)
    agency_id = agency.pk if isinstance(agency, Agency) else agency
    return any(
        m.role in wanted and (agency_id is None or m.agency_id == agency_id)
        for m in active_memberships(user)
    )
