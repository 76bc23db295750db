"""Who is told about other apps' domain events that those apps announce as signals.

Each signal is sent inside the transaction of the change, so the notifications written here
commit, or roll back, with it. An app that is not installed is simply not listened to.
"""

from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model

from agencies.models import Role
from notifications import sweeps
from notifications.models import NotificationKind
from notifications.services import notify, recipients_in

User = get_user_model()


def connect() -> None:
    if apps.is_installed("consent"):
        from consent import signals as consent_signals

        consent_signals.consent_withdrawn.connect(consent_withdrawn, dispatch_uid=__name__)
        consent_signals.consent_expired.connect(consent_expired, dispatch_uid=__name__)
        consent_signals.override_requested.connect(override_requested, dispatch_uid=__name__)
        sweeps.register("consent.expiry", expire_consents)
    if apps.is_installed("children"):
        from children import signals as children_signals

        children_signals.possible_duplicate_found.connect(
            possible_duplicate_found, dispatch_uid=__name__
        )


def expire_consents(now: datetime) -> None:
    """Consents past their ``valid_until`` expire; their expiry signal tells whom it concerns."""
    from consent.services import expire_consents as expire

    expire(now)


def _consent_ended(
    kind: NotificationKind, consent: Any, agency_ids: list[int], user_ids: list[int]
) -> None:
    """The agencies that received data under the consent (their duty managers) and the
    people who received it personally must stop sharing under it."""
    people = [
        *recipients_in(agency_ids, [Role.DUTY_MANAGER]),
        *User.objects.filter(pk__in=user_ids, is_active=True),
    ]
    notify(people, kind, obj=consent, reference=consent.child.reference)


def consent_withdrawn(
    sender: type, *, consent: Any, agency_ids: list[int], user_ids: list[int], **kwargs: Any
) -> None:
    _consent_ended(NotificationKind.CONSENT_WITHDRAWN, consent, agency_ids, user_ids)


def consent_expired(
    sender: type, *, consent: Any, agency_ids: list[int], user_ids: list[int], **kwargs: Any
) -> None:
    _consent_ended(NotificationKind.CONSENT_EXPIRED, consent, agency_ids, user_ids)


def override_requested(sender: type, *, authorisation: Any, **kwargs: Any) -> None:
    """Sharing without consent waits for a duty manager of the requesting agency."""
    notify(
        recipients_in(authorisation.agency_id, [Role.DUTY_MANAGER]),
        NotificationKind.OVERRIDE_REQUESTED,
        obj=authorisation,
        reference=authorisation.child.reference,
    )


def possible_duplicate_found(sender: type, *, check: Any, **kwargs: Any) -> None:
    """Each agency's duty managers are pointed at their own record of the child."""
    for agency_id, child in (
        (check.raising_agency_id, check.new_child),
        (check.holding_agency_id, check.existing_child),
    ):
        notify(
            recipients_in(agency_id, [Role.DUTY_MANAGER]),
            NotificationKind.POSSIBLE_DUPLICATE,
            obj=check,
            reference=child.reference,
        )
