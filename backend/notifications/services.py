"""The one notification sender, and what a person does with their notifications.

Other apps call :func:`notify` from their own services, inside the transaction of the change
that causes it::

    notify(recipients_in(agency, [Role.PRACTITIONER, Role.DUTY_MANAGER]),
           NotificationKind.REFERRAL_SENT, obj=referral, reference=referral.reference)

The rows are written in that transaction and pushed to the recipients' sockets only once it
commits, so a rolled-back change leaves neither a row nor a push.
"""

import re
from collections.abc import Iterable
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from agencies.models import Agency
from notifications import realtime
from notifications.api.serializers import NotificationSerializer
from notifications.models import (
    REFERENCE_MAX_LENGTH,
    TEMPLATES,
    TEXT_MAX_LENGTH,
    Notification,
    NotificationKind,
)

User = get_user_model()

# Human references only: a prefix, then upper-case letters and digits (R-2026-0042, C-7K3F9Q).
# No lower case, no spaces: a name or a sentence cannot pass for a reference.
REFERENCE_PATTERN = re.compile(r"[A-Z]{1,8}-[0-9A-Z]{1,12}(?:-[0-9A-Z]{1,12})?")


class UnsafeNotification(ValueError):
    """A notification would carry something other than a reference. Never echoes the value."""


def render_text(kind: NotificationKind | str, reference: str) -> str:
    """The kind's fixed text with ``reference`` filled in; refuses anything but a reference."""
    if len(reference) > REFERENCE_MAX_LENGTH or not REFERENCE_PATTERN.fullmatch(reference):
        raise UnsafeNotification("A notification reference must look like R-2026-0042.")
    text = TEMPLATES[NotificationKind(kind)].format(reference=reference)
    if len(text) > TEXT_MAX_LENGTH:
        raise UnsafeNotification("A notification text must stay short.")
    return text


def describe(obj: models.Model | None) -> tuple[str, str]:
    """``(object_type, object_id)`` naming ``obj``, e.g. ``("referrals.referral", "42")``."""
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def recipients_in(
    agencies: Agency | int | Iterable[Agency | int], roles: Iterable[str]
) -> QuerySet:
    """Active people holding any of ``roles`` in ``agencies`` (one or several, if active)."""
    if isinstance(agencies, Agency | int):
        agencies = [agencies]
    return User.objects.filter(
        is_active=True,
        memberships__agency__in=list(agencies),
        memberships__agency__is_active=True,
        memberships__role__in=list(roles),
        memberships__is_active=True,
    ).distinct()


def notify(
    recipients: Iterable[AbstractBaseUser],
    kind: NotificationKind | str,
    *,
    obj: models.Model | None = None,
    reference: str,
) -> list[Notification]:
    """Tell each recipient (once, however often listed) that ``kind`` happened to ``obj``.

    The text is the kind's template with ``reference``; callers never write text themselves.
    Writes in the caller's transaction; pushes after it commits.
    """
    kind = NotificationKind(kind)
    text = render_text(kind, reference)
    object_type, object_id = describe(obj)
    people: dict[int, AbstractBaseUser] = {}
    for user in recipients:
        if user.is_active:
            people.setdefault(user.pk, user)
    if not people:
        return []
    now = timezone.now()
    created = Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id,
            kind=kind,
            object_type=object_type,
            object_id=object_id,
            reference=reference,
            text=text,
            created_at=now,
        )
        for user_id in people
    )
    # Every row of one event is the same but for its id: serialise one, copy it for the rest.
    shared = dict(NotificationSerializer(created[0]).data)
    messages = [
        (n.recipient_id, {"type": "notification", "notification": {**shared, "id": n.pk}})
        for n in created
    ]
    transaction.on_commit(partial(realtime.send_to_users, messages))
    return created


def notifications_of(user: AbstractBaseUser) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


@transaction.atomic
def mark_read(notification: Notification) -> Notification:
    """Mark one of the caller's notifications read (again is harmless)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        _tell_other_sockets(notification.recipient_id, [notification.pk])
    return notification


@transaction.atomic
def mark_all_read(user: AbstractBaseUser, *, up_to: int | None = None) -> int:
    """Mark every unread notification read (only up to id ``up_to``, when given)."""
    unread = notifications_of(user).filter(read_at__isnull=True)
    if up_to is not None:
        unread = unread.filter(id__lte=up_to)
    ids = list(unread.values_list("id", flat=True))
    if ids:
        Notification.objects.filter(id__in=ids).update(read_at=timezone.now())
        _tell_other_sockets(user.pk, ids)
    return len(ids)


def _tell_other_sockets(user_id: int, ids: list[int]) -> None:
    """The person's other tabs and devices clear the same notifications."""
    message = {"type": "read", "ids": sorted(ids)}
    transaction.on_commit(partial(realtime.send_to_users, [(user_id, message)]))
