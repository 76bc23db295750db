"""Periodic sweeps: the clocks behind time-based reminders (SLA deadlines, reviews, expiry).

A **sweep** is a function of the current time, registered under a name by the app that owns
the deadlines, in that app's ``sweeps.py`` (found at start-up)::

    from notifications import sweeps
    from notifications.models import NotificationKind

    @sweeps.register("referrals.sla")
    def referral_deadlines(now):
        for referral in Referral.objects.filter(status="sent", acknowledge_by__lte=now + SOON):
            yield from sweeps.deadline_reminders(
                obj=referral, reference=referral.reference, due=referral.acknowledge_by,
                now=now, recipients=duty_managers, soon=NotificationKind.ACKNOWLEDGEMENT_DUE_SOON,
                warn_before=SOON, overdue=NotificationKind.ACKNOWLEDGEMENT_OVERDUE,
                escalation=NotificationKind.ESCALATION, escalate_after=GRACE,
                escalate_to=agency_admins,
            )

It yields :class:`Reminder` objects (or yields nothing and does its own work, like expiring
consents, which is idempotent by its state change). Each reminder reaches each recipient once:
:class:`SentReminder` records it under ``(kind, object, due_key, recipient)``, so running a
sweep twice, or two sweeps at once, never notifies twice. ``manage.py run_scheduler``
enqueues every sweep on its interval; ``manage.py db_worker`` runs them.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from notifications.models import Notification, NotificationKind, SentReminder
from notifications.services import describe, notify

logger = logging.getLogger(__name__)

DEFAULT_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Reminder:
    """Tell ``recipients`` that ``kind`` applies to ``obj``, once per ``due_key``."""

    recipients: Iterable[AbstractBaseUser]
    kind: NotificationKind
    obj: models.Model
    reference: str
    # Names the deadline (normally its instant): a new deadline is a new reminder.
    due_key: str


SweepFunction = Callable[[datetime], Iterable[Reminder] | None]


@dataclass(frozen=True)
class Sweep:
    name: str
    function: SweepFunction
    every: timedelta


_registry: dict[str, Sweep] = {}


def register(
    name: str, function: SweepFunction | None = None, *, every: timedelta = DEFAULT_EVERY
) -> Callable[[SweepFunction], SweepFunction] | SweepFunction:
    """Register a sweep to run every ``every``; usable as ``@register(name)`` or a call."""

    def add(func: SweepFunction) -> SweepFunction:
        existing = _registry.get(name)
        if existing is not None and existing.function is not func:
            raise ValueError(f"A different sweep is already registered as {name!r}.")
        _registry[name] = Sweep(name=name, function=func, every=every)
        return func

    return add(function) if function is not None else add


def unregister(name: str) -> None:
    _registry.pop(name, None)


def registered() -> list[Sweep]:
    return sorted(_registry.values(), key=lambda sweep: sweep.name)


def autodiscover() -> None:
    """Import every installed app's ``sweeps`` module, where it registers its sweeps."""
    autodiscover_modules("sweeps")


def deadline_reminders(
    *,
    obj: models.Model,
    reference: str,
    due: datetime,
    now: datetime,
    recipients: Iterable[AbstractBaseUser],
    soon: NotificationKind | None = None,
    warn_before: timedelta = timedelta(0),
    overdue: NotificationKind | None = None,
    escalation: NotificationKind | None = None,
    escalate_after: timedelta | None = None,
    escalate_to: Iterable[AbstractBaseUser] = (),
) -> list[Reminder]:
    """The reminders one deadline calls for at ``now``.

    ``soon`` from ``warn_before`` ahead of ``due``; ``overdue`` once it has passed; and,
    ``escalate_after`` past it, ``escalation`` to ``escalate_to``. A stage already passed
    is not sent late (no "due soon" once overdue). Querysets given as recipients are only
    evaluated when their stage is reached.
    """
    key = due.astimezone(UTC).isoformat()
    reminders = []
    if now >= due:
        if overdue is not None:
            reminders.append(Reminder(recipients, overdue, obj, reference, key))
        if escalation is not None and escalate_after is not None and now >= due + escalate_after:
            reminders.append(Reminder(escalate_to, escalation, obj, reference, key))
    elif soon is not None and now >= due - warn_before:
        reminders.append(Reminder(recipients, soon, obj, reference, key))
    return reminders


@transaction.atomic
def deliver(reminder: Reminder) -> list[Notification]:
    """Notify those recipients who have not had this reminder yet; nobody twice."""
    object_type, object_id = describe(reminder.obj)
    once = {
        "kind": reminder.kind,
        "object_type": object_type,
        "object_id": object_id,
        "due_key": reminder.due_key,
    }
    people = {user.pk: user for user in reminder.recipients if user.is_active}
    already = set(
        SentReminder.objects.filter(recipient_id__in=people, **once).values_list(
            "recipient_id", flat=True
        )
    )
    fresh = []
    for user_id, user in people.items():
        if user_id in already:
            continue
        try:
            with transaction.atomic():
                SentReminder.objects.create(recipient_id=user_id, **once)
        except IntegrityError:  # a concurrent run of the same sweep got there first
            continue
        fresh.append(user)
    return notify(fresh, reminder.kind, obj=reminder.obj, reference=reminder.reference)


def run(name: str, now: datetime | None = None) -> int:
    """Run one sweep and deliver its reminders; returns how many notifications went out.

    Each reminder is delivered in its own transaction, so one that fails neither undoes nor
    blocks the others; the failure is logged and reported once the rest are done.
    """
    sweep = _registry[name]
    now = now or timezone.now()
    sent = failed = 0
    for reminder in sweep.function(now) or ():
        try:
            sent += len(deliver(reminder))
        except Exception:
            failed += 1
            logger.exception(
                "Sweep %s: reminder %s for %s could not be delivered",
                name,
                reminder.kind,
                reminder.obj._meta.label_lower,
            )
    if failed:
        raise RuntimeError(f"Sweep {name}: {failed} reminder(s) could not be delivered.")
    return sent
