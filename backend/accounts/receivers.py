"""Sign-in and sign-out keep the session index; disabling an account ends its sessions."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from accounts import services, sessions

User = get_user_model()


@receiver(user_logged_in, dispatch_uid="accounts.session_started")
def _session_started(
    sender: type, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any
) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    sessions.stamp_sign_in(session)
    services.index_session(user, session)


@receiver(user_logged_out, dispatch_uid="accounts.session_ended")
def _session_ended(sender: type, request: HttpRequest | None, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        services.forget_session(session)


@receiver(post_save, sender=User, dispatch_uid="accounts.account_disabled")
def _account_disabled(
    sender: type, instance: AbstractBaseUser, created: bool, **kwargs: Any
) -> None:
    update_fields = kwargs.get("update_fields")
    if created or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    services.end_sessions(instance, reason=services.SessionEnd.ACCOUNT_DISABLED, revoke_tokens=True)
