"""How a refused share answers over the API: 403 when the caller lacks access, 409 when
the share lacks a basis (consent or an authorised override)."""

from rest_framework.exceptions import APIException, PermissionDenied

from consent.services import SharingRefused
from core.exceptions import Conflict


def refused_to_api_error(refused: SharingRefused) -> APIException:
    if refused.forbidden:
        return PermissionDenied(str(refused))
    return Conflict(str(refused), code=refused.reason.value)
