"""What case plans do when other apps announce something (their signals, sent inside the
transaction of the change, so whatever is written here commits or rolls back with it)."""

from typing import Any

from caseplans import services
from notifications.models import NotificationKind


def connect() -> None:
    from consent import signals as consent_signals
    from referrals import signals as referral_signals

    referral_signals.referral_transitioned.connect(referral_transitioned, dispatch_uid=__name__)
    consent_signals.consent_withdrawn.connect(consent_withdrawn, dispatch_uid=__name__)
    consent_signals.consent_expired.connect(consent_expired, dispatch_uid=__name__)


def referral_transitioned(sender: type, *, referral: Any, **kwargs: Any) -> None:
    """A plan action carried out through this referral follows its status."""
    services.follow_referral(
        referral,
        action=kwargs["action"],
        from_status=kwargs["from_status"],
        actor=kwargs["actor"],
        agency=kwargs["agency"],
    )


def consent_withdrawn(sender: type, *, consent: Any, **kwargs: Any) -> None:
    services.consent_ended(consent, NotificationKind.CONSENT_WITHDRAWN)


def consent_expired(sender: type, *, consent: Any, **kwargs: Any) -> None:
    services.consent_ended(consent, NotificationKind.CONSENT_EXPIRED)
