"""Consent records, override authorisations and the disclosures that rest on them.

Information about a child reaches another agency or person only on one of two bases:

* a **consent record** in scope: active, within its validity, covering the recipient (by
  agency or by agency kind), every data category shared and the purpose; or
* an **override authorisation**: a duty manager's recorded decision to share without consent,
  with a lawful basis from :class:`LawfulBasis` and a written justification.

Each share is a :class:`Disclosure`, which lists the object permissions it granted
(:class:`DisclosureGrant`) so that withdrawing or expiry of the consent revokes exactly those
that nothing else still supports. Only ``consent.services`` changes these records.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from agencies.models import Agency
from core.access import permission_models
from core.fields import EncryptedTextField


class DataCategory(models.TextChoices):
    IDENTITY = "identity", "Identity"
    CONTACT = "contact", "Contact details"
    HEALTH = "health", "Health"
    DISCLOSURE_NARRATIVE = "disclosure_narrative", "Disclosure narrative"
    CASE_PLAN = "case_plan", "Case plan"
    RISK_ASSESSMENT = "risk_assessment", "Risk assessment"


class Purpose(models.TextChoices):
    SUPPORT = "support", "Support"
    INVESTIGATION = "investigation", "Investigation"
    SAFETY_PLANNING = "safety_planning", "Safety planning"


class LawfulBasis(models.TextChoices):
    """The recorded bases on which a duty manager may authorise sharing without consent."""

    PUBLIC_TASK_SAFEGUARDING = (
        "public_task_safeguarding",
        "UK GDPR Art 6(1)(e) public task, with Art 9(2)(g) substantial public interest and "
        "DPA 2018 Sch 1 para 18 (safeguarding of children and individuals at risk)",
    )
    LEGAL_OBLIGATION = "legal_obligation", "UK GDPR Art 6(1)(c) legal obligation"
    VITAL_INTERESTS = "vital_interests", "UK GDPR Art 6(1)(d) vital interests"


class GivenBy(models.TextChoices):
    CHILD = "child", "The child or young person"
    PARENT_CARER = "parent_carer", "A parent or carer"
    OTHER = "other", "Another person"


class ConsentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"


class ConsentRecord(ConcurrentTransitionMixin, models.Model):
    """One decision about sharing: consent given (``active``) or ``refused``, with its scope.

    A given consent later becomes ``withdrawn`` (who, when, why) or ``expired`` (its
    ``valid_until`` passed). Refusals, withdrawals and expiries are final; a change of mind
    is a new record.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        "children.Child", on_delete=models.PROTECT, related_name="consent_records"
    )
    given_by = models.CharField(max_length=16, choices=GivenBy.choices)
    # The relationship ("mother", "foster carer") is not identifying; the name is encrypted.
    given_by_relationship = models.CharField(max_length=100, blank=True)
    given_by_name = EncryptedTextField(blank=True)
    # The capacity assessment of a child deciding for themselves (Gillick competence).
    child_competent = models.BooleanField(null=True, blank=True)
    capacity_note = EncryptedTextField(blank=True)
    recipient_agencies = models.ManyToManyField(Agency, blank=True, related_name="+")
    recipient_kinds = models.JSONField(default=list, blank=True)
    categories = models.JSONField(default=list)
    purposes = models.JSONField(default=list)
    valid_from = models.DateTimeField(default=timezone.now)
    valid_until = models.DateTimeField(null=True, blank=True)
    status = FSMField(
        max_length=16, choices=ConsentStatus.choices, default=ConsentStatus.ACTIVE, protected=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_by_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = EncryptedTextField(blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [
            models.Index(fields=["child", "status"]),
            models.Index(fields=["status", "valid_until"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="consent_valid_until_after_from",
            ),
            models.CheckConstraint(
                condition=~Q(status=ConsentStatus.WITHDRAWN)
                | Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="consent_withdrawal_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent {self.pk} ({self.status})"

    def is_current(self, now: datetime | None = None) -> bool:
        """Active and within its validity at ``now``."""
        now = now or timezone.now()
        return (
            self.status == ConsentStatus.ACTIVE
            and self.valid_from <= now
            and (self.valid_until is None or self.valid_until > now)
        )

    def covers_recipient(self, agencies: list[Agency]) -> bool:
        agency_ids = {a.pk for a in self.recipient_agencies.all()}
        return any(a.pk in agency_ids or a.kind in self.recipient_kinds for a in agencies)

    @transition(field=status, source=ConsentStatus.ACTIVE, target=ConsentStatus.WITHDRAWN)
    def withdraw(self, *, by: models.Model, agency: Agency, reason: str, at: datetime) -> None:
        self.withdrawn_by = by
        self.withdrawn_by_agency = agency
        self.withdrawn_at = at
        self.withdrawal_reason = reason

    @transition(field=status, source=ConsentStatus.ACTIVE, target=ConsentStatus.EXPIRED)
    def expire(self, *, at: datetime) -> None:
        self.expired_at = at


ConsentRecordUserPermission, ConsentRecordGroupPermission = permission_models(
    "consent.ConsentRecord", "ConsentRecord"
)


class OverrideStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    AUTHORISED = "authorised", "Authorised"
    REFUSED = "refused", "Refused"


class OverrideAuthorisation(ConcurrentTransitionMixin, models.Model):
    """A duty manager's authorisation to share about a child without consent.

    A worker requests it (child, recipient agency, categories, purpose, lawful basis,
    justification); a duty manager of the same agency authorises or refuses it. A duty
    manager's own request is authorised on creation. Once authorised it backs any share by
    the agency's staff within its scope until ``expires_at``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        "children.Child", on_delete=models.PROTECT, related_name="override_authorisations"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recipient_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    categories = models.JSONField(default=list)
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    lawful_basis = models.CharField(max_length=32, choices=LawfulBasis.choices)
    justification = EncryptedTextField()
    status = FSMField(
        max_length=16,
        choices=OverrideStatus.choices,
        default=OverrideStatus.REQUESTED,
        protected=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = EncryptedTextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["agency", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=OverrideStatus.AUTHORISED)
                | Q(authorised_by__isnull=False, expires_at__isnull=False),
                name="override_authorised_by_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"Override {self.pk} ({self.status})"

    def is_usable(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == OverrideStatus.AUTHORISED
            and self.expires_at is not None
            and self.expires_at > now
        )

    @transition(field=status, source=OverrideStatus.REQUESTED, target=OverrideStatus.AUTHORISED)
    def authorise(self, *, by: models.Model, at: datetime, until: datetime) -> None:
        self.authorised_by = by
        self.decided_at = at
        self.expires_at = until

    @transition(field=status, source=OverrideStatus.REQUESTED, target=OverrideStatus.REFUSED)
    def refuse(self, *, by: models.Model, at: datetime, reason: str) -> None:
        self.authorised_by = by
        self.decided_at = at
        self.refusal_reason = reason


OverrideUserPermission, OverrideGroupPermission = permission_models(
    "consent.OverrideAuthorisation", "OverrideAuthorisation"
)


class Basis(models.TextChoices):
    CONSENT = "consent", "Consent"
    OVERRIDE = "override", "Override with a lawful basis"


class EndReason(models.TextChoices):
    CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
    CONSENT_EXPIRED = "consent_expired", "Consent expired"


class Disclosure(models.Model):
    """One time information about a child reached another agency or person, and why."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        "children.Child", on_delete=models.PROTECT, related_name="disclosures"
    )
    categories = models.JSONField(default=list)
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    recipient_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    disclosed_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    disclosed_at = models.DateTimeField(default=timezone.now)
    basis = models.CharField(max_length=16, choices=Basis.choices)
    consent = models.ForeignKey(
        ConsentRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    override = models.ForeignKey(
        OverrideAuthorisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
    )
    # The shared object, e.g. a referral: what the recipient was sent.
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_id = models.CharField(max_length=64, blank=True)
    # Set when the basis fell away (consent withdrawn or expired); the record itself stays.
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=32, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-disclosed_at"]
        indexes = [
            models.Index(fields=["child", "ended_at"]),
            models.Index(fields=["recipient_agency", "ended_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient_agency__isnull=False) | Q(recipient_user__isnull=False),
                name="disclosure_has_recipient",
            ),
            models.CheckConstraint(
                condition=Q(basis=Basis.CONSENT, consent__isnull=False, override__isnull=True)
                | Q(basis=Basis.OVERRIDE, consent__isnull=True, override__isnull=False),
                name="disclosure_basis_matches",
            ),
        ]

    def __str__(self) -> str:
        return f"Disclosure {self.pk}"

    @property
    def is_live(self) -> bool:
        return self.ended_at is None


DisclosureUserPermission, DisclosureGroupPermission = permission_models(
    "consent.Disclosure", "Disclosure"
)


class DisclosureGrant(models.Model):
    """One object permission a disclosure gave its recipient (an agency or a person)."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="grants")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    permission = models.CharField(max_length=100)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # When the disclosure ended, whether the permission was actually taken away (it stays
    # when another live disclosure still supports it).
    released_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id", "permission"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(agency__isnull=False, user__isnull=True)
                | Q(agency__isnull=True, user__isnull=False),
                name="disclosure_grant_one_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.permission} on {self.content_type_id}:{self.object_id}"
