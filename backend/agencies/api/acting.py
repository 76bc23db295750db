"""Which agency a caller acts for in a request."""

from collections.abc import Iterable

from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request

from agencies.models import Agency, Role
from agencies.selectors import active_agency, agencies_of


def acting_agency(request: Request, roles: Iterable[Role]) -> Agency:
    """The agency the caller is working for, if they hold one of ``roles`` there; otherwise
    the first agency where they do. The declared policy has already checked that one exists."""
    candidates = agencies_of(request.user, roles)
    chosen = active_agency(request.user, getattr(request, "session", None))
    if chosen is not None and chosen.pk in {a.pk for a in candidates}:
        return chosen
    if not candidates:
        raise PermissionDenied("Your role does not allow this.")
    return candidates[0]
