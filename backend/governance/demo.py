"""Demo break-glass accesses and a legal hold, for the DPO's review and holds. All invented.

Idempotent: fixed ids. Both accesses lie in the past (they open nothing now): duty.north
opened a South record nine days ago, reviewed as appropriate by dpo.north, and two days ago,
still waiting for dpo.north's review. dpo.north holds a North record.
"""

import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.demo import demo_agency
from agencies.models import AgencyKind, Role
from children.demo import demo_child
from governance import services
from governance.models import BreakGlassAccess, LegalHold, ReviewStatus

User = get_user_model()
_NAMESPACE = uuid.UUID("0b6f2c1e-8d4a-4f5b-9a63-2e7d1c9f4a52")

ACCESSES = [
    (
        "reviewed",
        9,
        "Police called at 2 a.m.: the boy was reported missing and the helpline had his "
        "only contact number.",
        "Missing-person emergency out of hours; access was proportionate.",
    ),
    ("pending", 2, "Hospital asked whether a child brought in tonight is known to us.", ""),
]


def seed(log: Callable[[str], None]) -> None:
    duty = User.objects.get(username="duty.north")
    dpo = User.objects.get(username="dpo.north")
    agency = demo_agency("north", AgencyKind.SOCIAL_SERVICES)
    child = demo_child("anonymous-south")
    now = timezone.now()
    for key, days_ago, reason, review_note in ACCESSES:
        pk = uuid.uuid5(_NAMESPACE, key)
        if BreakGlassAccess.objects.filter(pk=pk).exists():
            continue
        granted = now - timedelta(days=days_ago)
        BreakGlassAccess.objects.create(
            pk=pk,
            child=child,
            user=duty,
            agency=agency,
            role=Role.DUTY_MANAGER,
            reason=reason,
            granted_at=granted,
            expires_at=granted + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
            review_status=ReviewStatus.APPROPRIATE if review_note else ReviewStatus.PENDING,
            reviewed_by=dpo if review_note else None,
            reviewed_at=granted + timedelta(hours=20) if review_note else None,
            review_note=review_note,
        )
    held = demo_child("maya")
    if not LegalHold.objects.filter(child=held, agency=agency).exists():
        services.place_legal_hold(
            held, by=dpo, reason="Family court proceedings: keep the whole record until they end."
        )
    log(
        f"Governance: {BreakGlassAccess.objects.count()} break-glass accesses, "
        f"{LegalHold.objects.filter(released_at__isnull=True).count()} legal hold(s)"
    )
