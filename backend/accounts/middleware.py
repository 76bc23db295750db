"""Sessions end by themselves: after the idle limit and, however active, the absolute one."""

from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest
from django.utils.deprecation import MiddlewareMixin

from accounts import sessions
from audit.models import AuditAction
from audit.services import record


class SessionTimeoutMiddleware(MiddlewareMixin):
    """Signs a lapsed session out before anything else reads it, and records why.

    Goes after ``AuthenticationMiddleware`` (and django-otp's ``OTPMiddleware``).
    """

    def process_request(self, request: HttpRequest) -> None:
        session = request.session
        if session.get(SESSION_KEY) is None:
            return
        why = sessions.lapse(session)
        if why is None:
            sessions.touch(session)
            return
        user = request.user
        if user.is_authenticated:
            record(AuditAction.LOGOUT, actor=user, request=request, details={"reason": str(why)})
        logout(request)
