"""Break-glass access to a child's record, and legal holds that stop retention.

**Break-glass**: a duty manager or DPO opens a child's record outside their normal access,
with a recorded reason. The access lasts until ``expires_at`` (checked on every lookup, see
:mod:`governance.selectors`), is on the audit trail, and waits for a DPO of their agency to
review it and sign it off as appropriate or not.

**Legal hold**: a DPO puts a child's records beyond the retention job's reach (litigation,
an inquiry, a subject's request) until the hold is released. Nothing here is deleted
through the API; holds are released, accesses expire or are revoked, all kept on record.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from agencies.models import Agency
from children.models import Child
from core.fields import EncryptedTextField


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Awaiting review"
    APPROPRIATE = "appropriate", "Appropriate"
    INAPPROPRIATE = "inappropriate", "Inappropriate"


class BreakGlassAccess(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The agency the person acted for, in the role (duty manager or DPO) that allowed it; its
    # DPOs review the access.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=32)
    reason = EncryptedTextField()
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # Ended before its time: judged inappropriate while still open.
    revoked_at = models.DateTimeField(null=True, blank=True)
    review_status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-granted_at", "id"]
        verbose_name = "break-glass access"
        verbose_name_plural = "break-glass accesses"
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("granted_at")), name="break_glass_expires_after"
            ),
            models.CheckConstraint(
                condition=Q(review_status__in=ReviewStatus.values),
                name="break_glass_review_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(review_status=ReviewStatus.PENDING, reviewed_at__isnull=True)
                | ~Q(review_status=ReviewStatus.PENDING)
                & Q(reviewed_at__isnull=False, reviewed_by__isnull=False),
                name="break_glass_review_recorded",
            ),
            # Nobody signs off their own emergency access.
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=F("user")),
                name="break_glass_not_self_reviewed",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "expires_at"]),
            models.Index(fields=["agency", "review_status"]),
        ]

    def __str__(self) -> str:
        return f"Break-glass access {self.pk}"


class LegalHold(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    # The agency whose DPO placed the hold (and whose DPOs may release it).
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField()
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    release_note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-placed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "agency"],
                condition=Q(released_at__isnull=True),
                name="legal_hold_one_live_per_child_and_agency",
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True, released_by__isnull=True)
                | Q(released_at__isnull=False, released_by__isnull=False),
                name="legal_hold_release_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"Legal hold {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None
