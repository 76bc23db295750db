"""Session sign-in for the browser (with CSRF), sign-out, and "who am I".

Where a second factor is needed (``MFA_REQUIRED``, or a person who set one up), the password
alone makes a session that reaches only the second-factor endpoints (``accounts.api``): the
code comes with the password (``otp_token``) or afterwards through ``auth/mfa/verify/``.
"""

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.models import AbstractBaseUser
from django.middleware.csrf import get_token
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import CSRFCheck
from rest_framework.exceptions import AuthenticationFailed, NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts import services as accounts_services
from accounts.authentication import (
    SecondFactorEnrolmentRequired,
    SecondFactorInvalid,
    SecondFactorRequired,
)
from agencies.api.serializers import (
    ActiveAgencySerializer,
    CsrfSerializer,
    LoginSerializer,
    MeSerializer,
)
from agencies.capabilities import capabilities_for
from agencies.selectors import ACTIVE_AGENCY_SESSION_KEY, active_agency, active_memberships
from audit.models import AuditAction
from audit.services import DENIAL_RECORDED_ATTR, record
from core.access import PUBLIC, Scope, policy

User = get_user_model()


class LoginThrottle(SimpleRateThrottle):
    """Sign-in attempts per client address, signed in or not: it slows password guessing."""

    scope = "login"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginUsernameThrottle(LoginThrottle):
    """Also per username, so guessing one account's password from many addresses is slowed."""

    scope = "login_username"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        # A body that is not a JSON object names no username; the serializer refuses it (400).
        data = request.data if isinstance(request.data, dict) else {}
        username = str(data.get("username", "")).strip().lower()
        return self.cache_format % {"scope": self.scope, "ident": username}


def enforce_csrf(request: Request) -> None:
    """Sign-in is a state change too; refuse it without the CSRF token (login CSRF)."""
    check = CSRFCheck(lambda _request: None)
    check.process_request(request)
    reason = check.process_view(request, None, (), {})
    if reason:
        raise PermissionDenied(f"CSRF check failed: {reason}")


def me_payload(request: Request) -> dict[str, object]:
    user = request.user
    memberships = active_memberships(user)
    by_agency: dict[int, dict[str, object]] = {}
    for membership in memberships:
        entry = by_agency.setdefault(
            membership.agency_id, {"agency": membership.agency, "roles": []}
        )
        entry["roles"].append(membership.role)
    current = active_agency(user, getattr(request, "session", None))
    active = current.pk if current is not None else None
    roles = {m.role for m in memberships if m.agency_id == active}
    return {
        "id": user.pk,
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "agencies": list(by_agency.values()),
        "active_agency": active,
        "permissions": capabilities_for(roles),
    }


class CsrfView(APIView):
    access_policy = {"get": PUBLIC}
    authentication_classes = []

    @extend_schema(
        responses=CsrfSerializer, summary="Get a CSRF token (and cookie) before signing in"
    )
    def get(self, request: Request) -> Response:
        return Response({"csrf_token": get_token(request._request)})


class LoginView(APIView):
    access_policy = {"post": PUBLIC}
    authentication_classes = []
    throttle_classes = [LoginThrottle, LoginUsernameThrottle]

    def get_authenticate_header(self, request: Request) -> str:
        return 'Session realm="api"'

    @extend_schema(
        request=LoginSerializer,
        responses={200: MeSerializer},
        summary="Sign in",
        description="401 `second_factor_required` or `second_factor_enrolment_required`: the "
        "password was right and the session may now only give or set up its second factor "
        "(`auth/mfa/`); 401 `second_factor_invalid`: the `otp_token` sent was wrong.",
    )
    def post(self, request: Request) -> Response:
        enforce_csrf(request)
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None or not active_memberships(user):
            record_failed_sign_in(request, data["username"], user)
            raise AuthenticationFailed("Unknown username or wrong password.")
        enrolled = accounts_services.has_second_factor(user)
        owed = settings.MFA_REQUIRED or enrolled
        device = None
        if owed and data.get("otp_token") and enrolled:
            device = accounts_services.verify_second_factor(user, data["otp_token"])
            if device is None:
                record_failed_sign_in(request, data["username"], user, reason="wrong_second_factor")
                raise SecondFactorInvalid()
        login(request._request, user)
        request.user = user
        if device is not None:
            accounts_services.mark_verified(request._request, device)
        elif owed:
            accounts_services.mark_owed(request._request)
            record(AuditAction.LOGIN, actor=user, request=request, details={"stage": "password"})
            # A challenge, not a refusal: the sign-in above is the event on record.
            setattr(request, DENIAL_RECORDED_ATTR, True)
            raise SecondFactorRequired() if enrolled else SecondFactorEnrolmentRequired()
        details = {"stage": "second_factor", "device": device._meta.label_lower} if device else {}
        record(AuditAction.LOGIN, actor=user, request=request, details=details)
        return Response(MeSerializer(me_payload(request)).data)


def record_failed_sign_in(
    request: Request,
    username: str,
    authenticated: AbstractBaseUser | None,
    *,
    reason: str | None = None,
) -> None:
    """Audit a refused sign-in, naming the account only when one exists.

    What was typed is never stored: a string that matches no account may well be a
    password typed into the wrong box.
    """
    account = (
        authenticated or User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
    )
    record(
        AuditAction.LOGIN_FAILED,
        actor=account,
        request=request,
        details={
            "account_known": account is not None,
            "reason": reason or ("no_active_membership" if authenticated else "wrong_credentials"),
        },
    )


class LogoutView(APIView):
    access_policy = {"post": policy(Scope.SELF, summary="Any signed-in staff member")}

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Sign out: ends every session I have, on every device, and closes my sockets",
    )
    def post(self, request: Request) -> Response:
        ended, _ = accounts_services.end_sessions(
            request.user,
            reason=accounts_services.SessionEnd.SIGNED_OUT,
            revoke_tokens=False,
            by=request.user,
            request=request,
        )
        record(AuditAction.LOGOUT, request=request, details={"sessions": ended})
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    access_policy = {"get": policy(Scope.SELF)}

    @extend_schema(responses=MeSerializer, summary="Who am I: my agencies, roles and permissions")
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(me_payload(request)).data)


class ActiveAgencyView(APIView):
    access_policy = {"post": policy(Scope.SELF, summary="Only agencies the caller belongs to")}

    @extend_schema(
        request=ActiveAgencySerializer,
        responses=MeSerializer,
        summary="Switch the agency I am working for",
    )
    def post(self, request: Request) -> Response:
        serializer = ActiveAgencySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agency_id = serializer.validated_data["agency"]
        if agency_id not in {m.agency_id for m in active_memberships(request.user)}:
            raise NotFound()
        request.session[ACTIVE_AGENCY_SESSION_KEY] = agency_id
        return Response(MeSerializer(me_payload(request)).data)
