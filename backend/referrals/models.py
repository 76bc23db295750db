"""Closed-loop referrals between agencies, with their status history.

The status machine follows HL7 FHIR ``Task`` (each status maps to a Task code, see
:data:`FHIR_TASK_STATUS`)::

    draft → sent → acknowledged → accepted → in_progress ⇄ on_hold → completed
    sent / acknowledged → declined (reason)       draft … accepted → cancelled (reason)
    accepted / in_progress / on_hold → failed (reason)

The state field is protected: only :mod:`referrals.services` moves it, through the
transition methods below, inside a transaction that locks the row.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from agencies.models import Agency
from children.models import Child
from consent.models import ConsentRecord, Disclosure, OverrideAuthorisation, Purpose
from core.access import permission_models
from core.fields import EncryptedTextField
from pathways.models import Pathway, Service
from pathways.vocabulary import URGENCY_ORDER, Urgency


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ACCEPTED = "accepted", "Accepted"
    IN_PROGRESS = "in_progress", "In progress"
    ON_HOLD = "on_hold", "On hold"
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"


FHIR_TASK_STATUS: dict[str, str] = {
    ReferralStatus.DRAFT: "draft",
    ReferralStatus.SENT: "requested",
    ReferralStatus.ACKNOWLEDGED: "received",
    ReferralStatus.ACCEPTED: "accepted",
    ReferralStatus.IN_PROGRESS: "in-progress",
    ReferralStatus.ON_HOLD: "on-hold",
    ReferralStatus.COMPLETED: "completed",
    ReferralStatus.DECLINED: "rejected",
    ReferralStatus.CANCELLED: "cancelled",
    ReferralStatus.FAILED: "failed",
}

CLOSED_STATUSES = frozenset(
    {
        ReferralStatus.COMPLETED,
        ReferralStatus.DECLINED,
        ReferralStatus.CANCELLED,
        ReferralStatus.FAILED,
    }
)
# The acknowledgement clock runs until the receiving service reacts at all.
AWAITING_ACKNOWLEDGEMENT = frozenset({ReferralStatus.SENT})
# The response clock runs until the service accepts or declines (or the sender cancels).
AWAITING_RESPONSE = frozenset({ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED})

S = ReferralStatus


def urgency_rank() -> Case:
    """0 for the most urgent, then 1, 2, 3: how inboxes order referrals, and what the inbox
    index below is built on (the two must stay the same expression for it to be used)."""
    return Case(
        *(When(urgency=value, then=Value(rank)) for value, rank in URGENCY_ORDER.items()),
        output_field=IntegerField(),
    )


class Referral(ConcurrentTransitionMixin, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="referrals")
    # An onward referral is part of the referral it came from (FHIR ``Task.partOf``).
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="onward_referrals"
    )
    from_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    # The service's agency at the time of referral, kept for fast inbox filtering.
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # The pathway version followed, when the service was chosen from a pathway.
    pathway = models.ForeignKey(
        Pathway, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    need_categories = models.JSONField(default=list)
    urgency = models.CharField(max_length=16, choices=Urgency.choices)
    concern = EncryptedTextField(help_text="The concern narrative: disclosure text.")
    # What this referral shares with the receiving service, why, and on what basis.
    shared_categories = models.JSONField(default=list)
    purpose = models.CharField(max_length=24, choices=Purpose.choices, default=Purpose.SUPPORT)
    consent = models.ForeignKey(
        ConsentRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    override = models.ForeignKey(
        OverrideAuthorisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = FSMField(
        max_length=16, choices=ReferralStatus.choices, default=S.DRAFT, protected=True
    )
    acknowledge_by = models.DateTimeField(null=True, blank=True)
    respond_by = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    decline_reason = EncryptedTextField(blank=True)
    outcome = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values), name="referral_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=Urgency.values), name="referral_urgency_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["to_agency", "status", "acknowledge_by"]),
            models.Index(fields=["from_agency", "status", "created_at"]),
            models.Index(fields=["status", "acknowledge_by"]),
            models.Index(fields=["status", "respond_by"]),
            # An agency's inbox in its working order (selectors.ordered_for_work): a page is
            # read straight off the index, and the count never touches the table.
            models.Index(
                F("to_agency"),
                urgency_rank(),
                F("acknowledge_by"),
                F("created_at").desc(),
                F("id"),
                condition=~Q(status=S.DRAFT),
                name="referral_inbox_order",
            ),
            # The inbox count: an agency's referral ids in order, narrow enough that counting
            # a large inbox is a merge join with the grants (also ordered by referral id).
            models.Index(
                F("to_agency"), F("id"), condition=~Q(status=S.DRAFT), name="referral_inbox_ids"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def fhir_status(self) -> str:
        return FHIR_TASK_STATUS[self.status]

    # Transitions. Each only moves the state; services check who may fire it, stamp the
    # clocks, write the history, share and notify in the same transaction.
    @transition(field=status, source=S.DRAFT, target=S.SENT)
    def send(self) -> None: ...

    @transition(field=status, source=S.SENT, target=S.ACKNOWLEDGED)
    def acknowledge(self) -> None: ...

    @transition(field=status, source=[S.SENT, S.ACKNOWLEDGED], target=S.ACCEPTED)
    def accept(self) -> None: ...

    @transition(field=status, source=[S.SENT, S.ACKNOWLEDGED], target=S.DECLINED)
    def decline(self) -> None: ...

    @transition(field=status, source=S.ACCEPTED, target=S.IN_PROGRESS)
    def start(self) -> None: ...

    @transition(field=status, source=S.IN_PROGRESS, target=S.ON_HOLD)
    def hold(self) -> None: ...

    @transition(field=status, source=S.ON_HOLD, target=S.IN_PROGRESS)
    def resume(self) -> None: ...

    @transition(field=status, source=S.IN_PROGRESS, target=S.COMPLETED)
    def complete(self) -> None: ...

    @transition(field=status, source=[S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD], target=S.FAILED)
    def fail(self) -> None: ...

    @transition(
        field=status, source=[S.DRAFT, S.SENT, S.ACKNOWLEDGED, S.ACCEPTED], target=S.CANCELLED
    )
    def cancel(self) -> None: ...


ReferralUserObjectPermission, ReferralGroupObjectPermission = permission_models(
    "referrals.Referral", "Referral"
)


class ReferralEvent(models.Model):
    """One step in a referral's history: who moved it, from what, to what, when, and why."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=16, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ReferralStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    # Reasons, outcomes and notes may hold personal details: encrypted like the narrative.
    note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["referral", "at"])]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.from_status or '—'} → {self.to_status}"
