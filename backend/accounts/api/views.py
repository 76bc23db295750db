"""Second factor (TOTP through django-otp, recovery codes): status, sign-in step, enrolment.

These endpoints admit a session that has given only its password (the rest of the API does
not), and only sessions: an API token has no second factor to give.
"""

from base64 import b32encode

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts import services, sessions
from accounts.api.serializers import (
    RecoveryCodesSerializer,
    SecondFactorCodeSerializer,
    SecondFactorStatusSerializer,
    TotpEnrolmentSerializer,
)
from accounts.authentication import (
    SecondFactorInvalid,
    SecondFactorPendingAuthentication,
    owes_second_factor,
)
from agencies.api.auth import me_payload, record_failed_sign_in
from agencies.api.serializers import MeSerializer
from audit.models import AuditAction
from audit.services import record
from core.access import Scope, policy
from core.exceptions import Conflict

OWN = policy(Scope.SELF, summary="The signed-in person, for their own account")


class SecondFactorThrottle(SimpleRateThrottle):
    """Code attempts per person, on top of each device's own growing delay."""

    scope = "second_factor"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class SecondFactorView(APIView):
    authentication_classes = [SecondFactorPendingAuthentication]


class SecondFactorStatusView(SecondFactorView):
    access_policy = {"get": OWN}

    @extend_schema(
        responses=SecondFactorStatusSerializer, summary="My second factor: needed, given, set up"
    )
    def get(self, request: Request) -> Response:
        session = request._request.session
        data = {
            "required": sessions.second_factor_required(session),
            "verified": sessions.verified_device(session, request.user) is not None,
            "enrolled": services.has_second_factor(request.user),
            "recovery_codes_left": services.recovery_codes_left(request.user),
        }
        return Response(SecondFactorStatusSerializer(data).data)


class VerifySecondFactorView(SecondFactorView):
    access_policy = {"post": OWN}
    throttle_classes = [SecondFactorThrottle]

    @extend_schema(
        request=SecondFactorCodeSerializer,
        responses={200: MeSerializer},
        summary="Give the second factor after the password: the session is then signed in",
    )
    def post(self, request: Request) -> Response:
        serializer = SecondFactorCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request.user
        if not services.has_second_factor(user):
            raise Conflict("Set up an authenticator app first.")
        device = services.verify_second_factor(user, serializer.validated_data["otp_token"])
        if device is None:
            record_failed_sign_in(request, user.get_username(), user, reason="wrong_second_factor")
            raise SecondFactorInvalid()
        services.mark_verified(request._request, device)
        record(
            AuditAction.LOGIN,
            actor=user,
            request=request,
            details={"stage": "second_factor", "device": device._meta.label_lower},
        )
        return Response(MeSerializer(me_payload(request)).data)


def _refuse_if_enrolled_but_unverified(request: Request) -> None:
    # Someone holding only the password must not swap in an authenticator app of their own.
    if owes_second_factor(request) and services.has_second_factor(request.user):
        raise PermissionDenied("Give your current second factor first.")


class TotpEnrolmentView(SecondFactorView):
    access_policy = {"post": OWN}

    @extend_schema(
        request=None,
        responses={201: TotpEnrolmentSerializer},
        summary="Start setting up an authenticator app (replaces the current one once confirmed)",
    )
    def post(self, request: Request) -> Response:
        _refuse_if_enrolled_but_unverified(request)
        device = services.start_totp_enrolment(request.user, request=request)
        data = {
            "otpauth_uri": device.config_url,
            "secret": b32encode(device.bin_key).decode(),
        }
        return Response(TotpEnrolmentSerializer(data).data, status=status.HTTP_201_CREATED)


class ConfirmTotpEnrolmentView(SecondFactorView):
    access_policy = {"post": OWN}
    throttle_classes = [SecondFactorThrottle]

    @extend_schema(
        request=SecondFactorCodeSerializer,
        responses={200: RecoveryCodesSerializer},
        summary="Confirm the authenticator app with a code: signs this session in fully and "
        "gives a new set of recovery codes",
    )
    def post(self, request: Request) -> Response:
        _refuse_if_enrolled_but_unverified(request)
        serializer = SecondFactorCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            codes = services.confirm_totp_enrolment(
                request.user, serializer.validated_data["otp_token"], request=request._request
            )
        except services.EnrolmentMissing as exc:
            raise Conflict(str(exc)) from None
        if codes is None:
            raise ValidationError({"otp_token": ["That code is not valid."]})
        return Response(RecoveryCodesSerializer({"recovery_codes": codes}).data)


class RecoveryCodesView(SecondFactorView):
    access_policy = {"post": OWN}

    @extend_schema(
        request=None,
        responses={200: RecoveryCodesSerializer},
        summary="Replace my recovery codes (the earlier ones stop working)",
    )
    def post(self, request: Request) -> Response:
        if owes_second_factor(request):
            raise PermissionDenied("Give your second factor first.")
        if not services.has_second_factor(request.user):
            raise Conflict("Set up an authenticator app first.")
        codes = services.replace_recovery_codes(request.user, request=request._request)
        return Response(RecoveryCodesSerializer({"recovery_codes": codes}).data)
