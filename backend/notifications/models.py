"""What people are told, and the record that a time-based reminder has already gone out.

A notification's text is never written by the caller: each :class:`NotificationKind` has a
fixed template, filled in with nothing but an object reference such as ``R-2026-0042`` or
``C-7K3F9Q``. So no name, narrative or other personal data can reach a notification, a
WebSocket frame or a browser's notification tray.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationKind(models.TextChoices):
    REFERRAL_SENT = "referral_sent", "Referral received"
    REFERRAL_ACKNOWLEDGED = "referral_acknowledged", "Referral acknowledged"
    REFERRAL_ACCEPTED = "referral_accepted", "Referral accepted"
    REFERRAL_DECLINED = "referral_declined", "Referral declined"
    REFERRAL_COMPLETED = "referral_completed", "Referral completed"
    REFERRAL_FAILED = "referral_failed", "Referral failed"
    REFERRAL_CANCELLED = "referral_cancelled", "Referral cancelled"
    ACKNOWLEDGEMENT_DUE_SOON = "acknowledgement_due_soon", "Acknowledgement due soon"
    ACKNOWLEDGEMENT_OVERDUE = "acknowledgement_overdue", "Acknowledgement overdue"
    RESPONSE_DUE_SOON = "response_due_soon", "Response due soon"
    RESPONSE_OVERDUE = "response_overdue", "Response overdue"
    ESCALATION = "escalation", "Escalation"
    CASE_LEAD_ASSIGNED = "case_lead_assigned", "Case lead assigned"
    CASE_LEAD_TRANSFERRED = "case_lead_transferred", "Case lead transferred"
    CASE_TEAM_ADDED = "case_team_added", "Added to a case team"
    CASE_TEAM_REMOVED = "case_team_removed", "Removed from a case team"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
    CONSENT_EXPIRED = "consent_expired", "Consent expired"
    REVIEW_DUE = "review_due", "Review due"
    RISK_REASSESSMENT_DUE = "risk_reassessment_due", "Risk re-assessment due"
    POSSIBLE_DUPLICATE = "possible_duplicate", "Possible duplicate record"
    BREAK_GLASS_REVIEW = "break_glass_review", "Emergency access to review"
    OVERRIDE_REQUESTED = "override_requested", "Sharing without consent to authorise"


# The only texts a notification can have; ``{reference}`` is the one thing filled in.
TEMPLATES: dict[str, str] = {
    NotificationKind.REFERRAL_SENT: "New referral {reference} for your service.",
    NotificationKind.REFERRAL_ACKNOWLEDGED: "Referral {reference} was acknowledged.",
    NotificationKind.REFERRAL_ACCEPTED: "Referral {reference} was accepted.",
    NotificationKind.REFERRAL_DECLINED: "Referral {reference} was declined.",
    NotificationKind.REFERRAL_COMPLETED: "Referral {reference} was completed; see its outcome.",
    NotificationKind.REFERRAL_FAILED: "Referral {reference} could not be completed.",
    NotificationKind.REFERRAL_CANCELLED: "Referral {reference} was cancelled by the sender.",
    NotificationKind.ACKNOWLEDGEMENT_DUE_SOON: "Referral {reference} must be acknowledged soon.",
    NotificationKind.ACKNOWLEDGEMENT_OVERDUE: "Referral {reference}: acknowledgement overdue.",
    NotificationKind.RESPONSE_DUE_SOON: "Referral {reference} needs a response soon.",
    NotificationKind.RESPONSE_OVERDUE: "Referral {reference} is overdue for a response.",
    NotificationKind.ESCALATION: "{reference} is still open past its deadline: escalated to you.",
    NotificationKind.CASE_LEAD_ASSIGNED: "You are now the lead of case plan {reference}.",
    NotificationKind.CASE_LEAD_TRANSFERRED: "The lead of case plan {reference} has changed.",
    NotificationKind.CASE_TEAM_ADDED: "You were added to the team of case plan {reference}.",
    NotificationKind.CASE_TEAM_REMOVED: "You were removed from the team of case plan {reference}.",
    NotificationKind.CONSENT_WITHDRAWN: "Consent for {reference} was withdrawn: stop sharing.",
    NotificationKind.CONSENT_EXPIRED: "Consent for {reference} has expired: stop sharing.",
    NotificationKind.REVIEW_DUE: "A review of case plan {reference} is due.",
    NotificationKind.RISK_REASSESSMENT_DUE: "A risk re-assessment for {reference} is due.",
    NotificationKind.POSSIBLE_DUPLICATE: "Record {reference} may duplicate another; please check.",
    NotificationKind.BREAK_GLASS_REVIEW: "Emergency access to {reference} needs your review.",
    NotificationKind.OVERRIDE_REQUESTED: "Sharing about {reference} without consent awaits "
    "your decision.",
}

REFERENCE_MAX_LENGTH = 32
TEXT_MAX_LENGTH = 200


class Notification(models.Model):
    """One thing one person is told. Stored first, in the transaction of the change; pushed
    to the person's open sockets after commit; fetched again with ``?after=<id>``."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    # What it is about, without a foreign key, so any app's objects can be referred to.
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    reference = models.CharField(max_length=REFERENCE_MAX_LENGTH)
    text = models.CharField(max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "id"], name="notification_inbox"),
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"


class SentReminder(models.Model):
    """A time-based reminder already delivered to one person: what makes sweeps idempotent.

    ``due_key`` names the deadline the reminder is about (usually its instant), so moving a
    deadline gives a new reminder while running a sweep twice never gives a second one.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    due_key = models.CharField(max_length=64)
    sent_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_type", "object_id", "due_key", "recipient"],
                name="sent_reminder_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_type}:{self.object_id} @ {self.due_key}"
