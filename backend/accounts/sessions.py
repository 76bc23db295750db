"""How long a signed-in session lasts, and whether it still owes its second factor.

Two limits (OWASP ASVS V7.3): an **idle** limit (``SESSION_IDLE_TIMEOUT``, seconds since the
last request) and an **absolute** one (``SESSION_ABSOLUTE_TIMEOUT``, seconds since sign-in)
that no amount of use extends. Both instants are stamped in the session itself at sign-in;
a session without them (made before these limits existed) counts as lapsed. The idle stamp
is refreshed at most once a minute, so an active session is not rewritten on every request;
``SESSION_COOKIE_AGE`` equals the idle limit, so an unused session also lapses in the store.
"""

from __future__ import annotations

import time
from enum import StrEnum

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

STARTED_AT = "_signed_in_at"
SEEN_AT = "_seen_at"
# Set when a person who must give a second factor has given only their password.
SECOND_FACTOR_OWED = "_second_factor_owed"
REFRESH_EVERY = 60


class Lapse(StrEnum):
    IDLE = "idle"
    ABSOLUTE = "absolute"


def stamp_sign_in(session: SessionBase, now: float | None = None) -> None:
    now = int(now if now is not None else time.time())
    session[STARTED_AT] = now
    session[SEEN_AT] = now


def lapse(session: SessionBase, now: float | None = None) -> Lapse | None:
    """Why the session has ended by time, or None while it is still good."""
    now = now if now is not None else time.time()
    started = session.get(STARTED_AT)
    seen = session.get(SEEN_AT)
    if not isinstance(started, int | float) or now - started >= settings.SESSION_ABSOLUTE_TIMEOUT:
        return Lapse.ABSOLUTE
    if not isinstance(seen, int | float) or now - seen >= settings.SESSION_IDLE_TIMEOUT:
        return Lapse.IDLE
    return None


def touch(session: SessionBase, now: float | None = None) -> None:
    """Record activity, writing the session only if the last stamp is a minute old."""
    now = int(now if now is not None else time.time())
    if now - session.get(SEEN_AT, 0) >= REFRESH_EVERY:
        session[SEEN_AT] = now


def second_factor_required(session: SessionBase) -> bool:
    """Whether this session must be verified by a second factor before it is of any use.

    Always with ``MFA_REQUIRED``; otherwise only for people who chose to enrol (their sign-in
    marked the session), so demo sessions stay as they are.
    """
    return bool(settings.MFA_REQUIRED or session.get(SECOND_FACTOR_OWED))


def verified_device(session: SessionBase, user: AbstractBaseUser) -> Device | None:
    """The confirmed device of ``user`` that verified this session, if any.

    What ``django_otp.middleware.OTPMiddleware`` works out for HTTP requests; WebSockets,
    which have no middleware of Django's, ask here.
    """
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return None
    device = Device.from_persistent_id(persistent_id)
    if device is None or device.user_id != user.pk or not device.confirmed:
        return None
    return device


def still_good(session: SessionBase, user: AbstractBaseUser) -> bool:
    """Neither lapsed nor owing its second factor: what an open WebSocket re-checks."""
    if lapse(session) is not None:
        return False
    return not second_factor_required(session) or verified_device(session, user) is not None
