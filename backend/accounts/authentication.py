"""Session sign-in for the API, with the second factor enforced.

A session that has given only a password (see :mod:`accounts.sessions`) reaches nothing but
the second-factor endpoints, which use :class:`SecondFactorPendingAuthentication`; every other
endpoint refuses it with 401 ``second_factor_required``.
"""

from django.contrib.auth.models import AbstractBaseUser
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts import sessions

SESSION_REALM = 'Session realm="api"'


class SecondFactorRequired(exceptions.NotAuthenticated):
    default_detail = "Enter the code from your authenticator app (or a recovery code)."
    default_code = "second_factor_required"


class SecondFactorEnrolmentRequired(exceptions.NotAuthenticated):
    default_detail = "Set up an authenticator app to finish signing in."
    default_code = "second_factor_enrolment_required"


class SecondFactorInvalid(exceptions.AuthenticationFailed):
    default_detail = "That code is not valid."
    default_code = "second_factor_invalid"


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication (with its CSRF check), refusing sessions that still owe
    their second factor."""

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, None] | None:
        result = super().authenticate(request)
        if result is not None and owes_second_factor(request):
            raise SecondFactorRequired()
        return result


class SecondFactorPendingAuthentication(authentication.SessionAuthentication):
    """Session authentication that also admits a session still owing its second factor: only
    for the endpoints that let a person give or set up that factor."""

    def authenticate_header(self, request: Request) -> str:
        return SESSION_REALM


def owes_second_factor(request: Request) -> bool:
    django_request = request._request
    if not sessions.second_factor_required(django_request.session):
        return False
    # django-otp's OTPMiddleware has found the device that verified this session, if any.
    is_verified = getattr(django_request.user, "is_verified", None)
    if is_verified is not None:
        return not is_verified()
    return sessions.verified_device(django_request.session, django_request.user) is None
