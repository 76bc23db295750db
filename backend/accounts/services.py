"""The only place that changes sign-in state: sessions, second-factor devices, recovery codes.

Every change is audited (ids and counts only: never a code, a secret or a session key).
"""

from __future__ import annotations

import re
from functools import partial
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from django.db import models, transaction
from django.http import HttpRequest
from django.middleware.csrf import rotate_token
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from accounts import sessions
from accounts.models import UserSession
from audit.models import AuditAction
from audit.services import record
from notifications import realtime

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
_SEPARATORS = re.compile(r"[\s-]+")


class SessionEnd(models.TextChoices):
    SIGNED_OUT = "signed_out", "Signed out"
    ACCOUNT_DISABLED = "account_disabled", "Account disabled"
    NO_ACTIVE_ROLE = "no_active_role", "Last role ended"


class EnrolmentMissing(Exception):
    """There is no enrolment in progress to confirm."""


# --- sessions ---------------------------------------------------------------------------


def _session_store() -> type[SessionBase]:
    return import_module(settings.SESSION_ENGINE).SessionStore


def index_session(user: AbstractBaseUser, session: SessionBase) -> None:
    """Remember that this session is ``user``'s, and forget their sessions that have gone."""
    if session.session_key is None:
        session.save()
    store = _session_store()
    gone = [
        key
        for key in UserSession.objects.filter(user=user).values_list("session_key", flat=True)
        if key != session.session_key and not store().exists(key)
    ]
    if gone:
        UserSession.objects.filter(session_key__in=gone).delete()
    UserSession.objects.update_or_create(session_key=session.session_key, defaults={"user": user})


def forget_session(session: SessionBase) -> None:
    if session.session_key:
        UserSession.objects.filter(session_key=session.session_key).delete()


@transaction.atomic
def end_sessions(
    user: AbstractBaseUser,
    *,
    reason: SessionEnd,
    revoke_tokens: bool,
    by: AbstractBaseUser | None = None,
    request: HttpRequest | None = None,
) -> tuple[int, int]:
    """End every session ``user`` has, on every device, and close their open WebSockets;
    with ``revoke_tokens``, also revoke their API tokens. Returns (sessions, tokens) ended.

    The sockets are told after commit (a rolled-back change closes nothing); they also refuse
    to go on by themselves once their session is gone. The ending is audited, except on
    sign-out, whose own ``logout`` event carries the count.
    """
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    store = _session_store()
    for key in keys:
        store().delete(key)
    UserSession.objects.filter(session_key__in=keys).delete()
    tokens = AuthToken.objects.filter(user=user).delete()[0] if revoke_tokens else 0
    transaction.on_commit(partial(realtime.end_sockets, [user.pk]))
    if reason != SessionEnd.SIGNED_OUT and (keys or tokens):
        record(
            AuditAction.REVOKE,
            actor=by,
            obj=user,
            request=request,
            details={"reason": str(reason), "sessions": len(keys), "tokens": tokens},
        )
    return len(keys), tokens


# --- second factors ---------------------------------------------------------------------


def confirmed_totp(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user: AbstractBaseUser) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _plain_token(token: str) -> str:
    """Codes are typed by hand: spaces and dashes do not count, nor does letter case."""
    return _SEPARATORS.sub("", token).lower()


def verify_second_factor(user: AbstractBaseUser, token: str) -> Device | None:
    """The confirmed device (authenticator app or recovery codes) that accepts ``token``.

    A recovery code is used up by this. Failures count towards each device's own throttle
    (django-otp's growing delay), which is committed even though the caller then refuses.
    """
    token = _plain_token(token)
    if not token:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(token):
                return device
    return None


def mark_verified(request: HttpRequest, device: Device) -> None:
    """The session in ``request`` (signed in as the device's owner) has its second factor.

    Like signing in, this gets a new session key and CSRF token: whoever may have learnt the
    half-signed-in session's key cannot ride on the full one.
    """
    session = request.session
    old_key = session.session_key
    session.cycle_key()
    rotate_token(request)
    UserSession.objects.filter(session_key=old_key).update(session_key=session.session_key)
    otp_login(request, device)
    session.pop(sessions.SECOND_FACTOR_OWED, None)


def mark_owed(request: HttpRequest) -> None:
    request.session[sessions.SECOND_FACTOR_OWED] = True


@transaction.atomic
def start_totp_enrolment(user: AbstractBaseUser, *, request: HttpRequest | None) -> TOTPDevice:
    """A new, unconfirmed authenticator-app secret for ``user``; an earlier unconfirmed one
    is dropped. The device in use, if any, stays until the new one is confirmed."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    record(AuditAction.CREATE, actor=user, obj=device, request=request, details={"stage": "start"})
    return device


def confirm_totp_enrolment(
    user: AbstractBaseUser, token: str, *, request: HttpRequest
) -> list[str] | None:
    """Confirm the enrolment in progress with a code from the app: it replaces any earlier
    app, verifies this session, and comes with a fresh set of recovery codes (returned once).

    Returns None when the code is wrong (nothing changes but the device's throttle).
    """
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-pk")
            .first()
        )
        if device is None:
            raise EnrolmentMissing("Start the enrolment first.")
        accepted = device.verify_token(_plain_token(token))
    if not accepted:
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(
            AuditAction.UPDATE,
            actor=user,
            obj=device,
            request=request,
            details={"stage": "confirm"},
        )
        codes = replace_recovery_codes(user, request=request)
        mark_verified(request, device)
    return codes


@transaction.atomic
def replace_recovery_codes(user: AbstractBaseUser, *, request: HttpRequest | None) -> list[str]:
    """A new set of single-use recovery codes for ``user``; the earlier ones stop working.

    The codes are returned to be shown once and are not retrievable afterwards.
    """
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    record(
        AuditAction.UPDATE,
        actor=user,
        obj=device,
        request=request,
        details={"recovery_codes": len(codes)},
    )
    return codes
