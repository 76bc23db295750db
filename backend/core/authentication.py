"""API token sign-in (knox), with every authenticated use of a token on the audit trail."""

from django.contrib.auth.models import AbstractBaseUser
from knox import auth as knox_auth
from knox.models import AuthToken
from rest_framework.request import Request

from audit.models import AuditAction
from audit.services import record


class TokenAuthentication(knox_auth.TokenAuthentication):
    """knox tokens; each request a token authenticates is recorded as ``token_use``.

    The event names the token by its public key prefix, never by its digest.
    """

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, AuthToken] | None:
        result = super().authenticate(request)
        if result is not None:
            user, token = result
            record(
                AuditAction.TOKEN_USE,
                actor=user,
                object_type=AuthToken._meta.label_lower,
                object_id=token.token_key,
                request=request,
            )
        return result
