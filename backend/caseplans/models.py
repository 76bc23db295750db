"""A child's case plan: one case lead, a case team across agencies, the support plan's
actions, risk assessments, reviews, and the plan's own history.

The plan's status machine (django-fsm-2; the field is protected and only
:mod:`caseplans.services` moves it, under the plan's row lock)::

    open → active → closed          open → closed          closed → active (reopen)

What the database itself guarantees:

* **exactly one lead at every moment**: ``CasePlan.lead`` is a single NOT NULL column, so a
  plan cannot be stored without a lead nor with two; the lead's history is kept in
  :class:`LeadAssignment`, with at most one current row per plan (a partial unique index);
* one current team membership per person per plan, and one current ``lead`` membership;
* likelihood and severity are scored 1-5, and a residual score never exceeds the score
  before mitigation;
* a signed risk assessment keeps its scores and status (triggers, migration 0002): it is
  superseded by a new assessment, never edited.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from agencies.models import Agency
from caseplans import risk
from children.models import Child
from consent.models import Disclosure
from core.access import permission_models
from core.fields import EncryptedTextField
from pathways.models import Service
from pathways.vocabulary import NeedCategory
from referrals.models import Referral


class Phase(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate safety"
    INVESTIGATION = "investigation", "Investigation"
    LEGAL_PROCEEDINGS = "legal_proceedings", "Legal proceedings"
    RECOVERY = "recovery", "Recovery"


class PlanStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class ClosureReason(models.TextChoices):
    INDEPENDENT = "independent", "Able to support themselves independently"
    NEEDS_MET = "needs_met", "Support needs met"
    MOVED_AREA_TRANSFERRED = "moved_area_transferred", "Moved area, case transferred"
    SUPPORT_DECLINED = "support_declined", "Support declined"
    NO_FURTHER_ACTION = "no_further_action", "No further action needed"
    OTHER = "other", "Other (explained in the note)"


class CasePlan(ConcurrentTransitionMixin, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="case_plans")
    # The one case lead: a social worker of the lead agency. NOT NULL, and a single column.
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # The accepted referral the plan was opened from; the referrals app knows nothing of it.
    source_referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="case_plan"
    )
    phase = models.CharField(max_length=24, choices=Phase.choices, default=Phase.IMMEDIATE)
    status = FSMField(
        max_length=16, choices=PlanStatus.choices, default=PlanStatus.OPEN, protected=True
    )
    goals = EncryptedTextField(blank=True, help_text="What the plan sets out to achieve.")
    closure_reason = models.CharField(max_length=32, choices=ClosureReason.choices, blank=True)
    closure_note = EncryptedTextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values), name="caseplan_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(phase__in=Phase.values), name="caseplan_phase_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=PlanStatus.CLOSED, closed_at__isnull=False)
                & Q(closure_reason__in=ClosureReason.values)
                | ~Q(status=PlanStatus.CLOSED) & Q(closed_at__isnull=True, closure_reason=""),
                name="caseplan_closure_recorded",
            ),
            # One live plan per child per lead agency: a second one would split the case.
            models.UniqueConstraint(
                fields=["child", "lead_agency"],
                condition=~Q(status=PlanStatus.CLOSED),
                name="caseplan_one_live_per_child_and_agency",
            ),
        ]
        indexes = [
            models.Index(fields=["lead", "status"]),
            models.Index(fields=["lead_agency", "status"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def risk_level(self) -> risk.RiskLevel | None:
        """The current risk level, from the ``risk_score`` annotation that
        :func:`caseplans.selectors.with_schedule` adds (None without a signed assessment)."""
        score = getattr(self, "risk_score", None)
        return risk.level_for_score(score) if score else None

    @transition(field=status, source=PlanStatus.OPEN, target=PlanStatus.ACTIVE)
    def activate(self) -> None: ...

    @transition(field=status, source=[PlanStatus.OPEN, PlanStatus.ACTIVE], target=PlanStatus.CLOSED)
    def close(self, *, reason: str, note: str, at: datetime) -> None:
        self.closure_reason = reason
        self.closure_note = note
        self.closed_at = at

    @transition(field=status, source=PlanStatus.CLOSED, target=PlanStatus.ACTIVE)
    def reopen(self) -> None:
        self.closure_reason = ""
        self.closure_note = ""
        self.closed_at = None


CasePlanUserObjectPermission, CasePlanGroupObjectPermission = permission_models(
    "caseplans.CasePlan", "CasePlan"
)


class LeadAssignment(models.Model):
    """Who led the plan from when until when, who handed it over, and the hand-over note."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(CasePlan, on_delete=models.PROTECT, related_name="lead_assignments")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    since = models.DateTimeField()
    until = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = EncryptedTextField(blank=True, help_text="The hand-over note.")

    class Meta:
        ordering = ["since", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"], condition=Q(until__isnull=True), name="caseplan_one_current_lead"
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="lead_assignment_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: lead {self.lead_id} from {self.since:%Y-%m-%d}"


class TeamRole(models.TextChoices):
    LEAD = "lead", "Case lead"
    SOCIAL_WORKER = "social_worker", "Social worker"
    POLICE_OFFICER = "police_officer", "Police officer"
    HEALTH_PRACTITIONER = "health_practitioner", "Health practitioner"
    ADVOCATE = "advocate", "Advocate"
    THERAPIST = "therapist", "Therapist"
    OTHER = "other", "Other"


class MembershipEnd(models.TextChoices):
    REMOVED = "removed", "Removed from the team"
    HANDED_OVER = "handed_over", "Handed the lead over"
    BECAME_LEAD = "became_lead", "Became the case lead"
    CONSENT_ENDED = "consent_ended", "The consent it rested on ended"


class TeamMember(models.Model):
    """One person's membership of a case team, kept after it ends for the record.

    A member from another agency joined through a share (:attr:`disclosure`), which granted
    their access; a member of the lead agency needs none.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(CasePlan, on_delete=models.PROTECT, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=24, choices=TeamRole.choices)
    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(max_length=16, choices=MembershipEnd.choices, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=TeamRole.values), name="team_role_valid"),
            models.UniqueConstraint(
                fields=["plan", "user"],
                condition=Q(ended_at__isnull=True),
                name="team_one_current_membership",
            ),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(ended_at__isnull=True, role=TeamRole.LEAD),
                name="team_one_current_lead",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, end_reason="")
                | Q(ended_at__isnull=False) & ~Q(end_reason=""),
                name="team_end_recorded",
            ),
        ]
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.user_id} as {self.role}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    REFERRED = "referred", "Referred"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NOT_NEEDED = "not_needed", "Not needed"


FINISHED_ACTIONS = frozenset({ActionStatus.DONE, ActionStatus.NOT_NEEDED})


class PlanAction(models.Model):
    """One piece of the support plan: what is needed, who does it, by when, and how it went.

    With a service chosen, the action is carried out through a referral and its status
    follows that referral (:func:`caseplans.services.follow_referral`).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(CasePlan, on_delete=models.PROTECT, related_name="actions")
    need_category = models.CharField(max_length=40, choices=NeedCategory.choices)
    description = EncryptedTextField()
    responsible_service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responsible_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The referral carrying the action out now; earlier ones stay linked in the plan's events.
    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="plan_action"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    outcome = EncryptedTextField(blank=True)
    # Why the status last changed, e.g. that its referral was declined.
    status_note = EncryptedTextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values), name="plan_action_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(need_category__in=NeedCategory.values), name="plan_action_need_valid"
            ),
        ]
        indexes = [models.Index(fields=["plan", "status"])]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.need_category} ({self.status})"


class RiskDomain(models.TextChoices):
    ONLINE_CONTENT = "online_content", "Online: content (harmful or sexual material)"
    ONLINE_CONTACT = "online_contact", "Online: contact (grooming, adults seeking contact)"
    ONLINE_CONDUCT = "online_conduct", "Online: conduct (own behaviour, e.g. sharing images)"
    ONLINE_CONTRACT = "online_contract", "Online: contract (sextortion, scams, exploitative terms)"
    SELF_HARM = "self_harm", "Self-harm and suicide"
    HOME_AND_FAMILY = "home_and_family", "Home and family"
    OFFENDER_CONTACT = "offender_contact", "Contact with the offender"
    REVICTIMISATION = "revictimisation", "Re-victimisation through circulating material"
    OTHER = "other", "Other"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class RiskAssessment(ConcurrentTransitionMixin, models.Model):
    """A risk assessment of the child, by domain. Drafted, then signed; a signed assessment
    never changes and is superseded by the next one signed for the plan."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(CasePlan, on_delete=models.PROTECT, related_name="risk_assessments")
    status = FSMField(
        max_length=16,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
        protected=True,
    )
    # The signed assessment this one replaced; set when it is signed.
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    next_review_date = models.DateField(help_text="When the risk must be assessed again.")
    summary = EncryptedTextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=AssessmentStatus.DRAFT, signed_at__isnull=True)
                | Q(
                    status=AssessmentStatus.SIGNED, signed_at__isnull=False, signed_by__isnull=False
                ),
                name="risk_assessment_signature_recorded",
            ),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(status=AssessmentStatus.DRAFT),
                name="risk_assessment_one_draft_per_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"Risk assessment {self.pk} ({self.status})"

    @transition(field=status, source=AssessmentStatus.DRAFT, target=AssessmentStatus.SIGNED)
    def sign(self, *, by: models.Model, at: datetime) -> None:
        self.signed_by = by
        self.signed_at = at

    # Derived levels: computed from the items (prefetch them when listing), never typed.
    @property
    def overall_score(self) -> int | None:
        scores = [item.residual_score for item in self.items.all()]
        return max(scores) if scores else None

    @property
    def overall_level(self) -> risk.RiskLevel | None:
        score = self.overall_score
        return risk.level_for_score(score) if score is not None else None


class RiskItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(RiskAssessment, on_delete=models.PROTECT, related_name="items")
    domain = models.CharField(max_length=24, choices=RiskDomain.choices)
    likelihood = models.PositiveSmallIntegerField()
    severity = models.PositiveSmallIntegerField()
    mitigation = EncryptedTextField(blank=True)
    residual_likelihood = models.PositiveSmallIntegerField()
    residual_severity = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "domain"], name="risk_item_one_per_domain"
            ),
            models.CheckConstraint(
                condition=Q(domain__in=RiskDomain.values), name="risk_item_domain_valid"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": risk.SCORE_MIN, f"{name}__lte": risk.SCORE_MAX}),
                    name=f"risk_item_{name}_1_to_5",
                )
                for name in ("likelihood", "severity", "residual_likelihood", "residual_severity")
            ),
            models.CheckConstraint(
                condition=Q(residual_likelihood__lte=F("likelihood"))
                & Q(residual_severity__lte=F("severity")),
                name="risk_item_residual_not_above_inherent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.domain}: {self.likelihood}x{self.severity}"

    @property
    def score(self) -> int:
        return self.likelihood * self.severity

    @property
    def residual_score(self) -> int:
        return self.residual_likelihood * self.residual_severity

    @property
    def level(self) -> risk.RiskLevel:
        return risk.level_for_score(self.score)

    @property
    def residual_level(self) -> risk.RiskLevel:
        return risk.level_for_score(self.residual_score)


class ReviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"


class Review(models.Model):
    """A review meeting of the plan: scheduled, then recorded with who came and what was
    decided. Recording one schedules the next."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(CasePlan, on_delete=models.PROTECT, related_name="reviews")
    status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.SCHEDULED
    )
    scheduled_for = models.DateField()
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(null=True, blank=True)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # People without an account here (the child, a parent, an interpreter): personal data.
    other_attendees = EncryptedTextField(blank=True)
    decisions = EncryptedTextField(blank=True)
    next_review_date = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scheduled_for", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values), name="review_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=ReviewStatus.SCHEDULED, recorded_at__isnull=True)
                | Q(
                    status=ReviewStatus.HELD,
                    held_on__isnull=False,
                    recorded_at__isnull=False,
                    recorded_by__isnull=False,
                ),
                name="review_record_complete",
            ),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(status=ReviewStatus.SCHEDULED),
                name="review_one_scheduled_per_plan",
            ),
        ]
        indexes = [models.Index(fields=["status", "scheduled_for"])]

    def __str__(self) -> str:
        return f"Review {self.scheduled_for} ({self.status})"


class PlanEventKind(models.TextChoices):
    CREATED = "created", "Case plan opened"
    UPDATED = "updated", "Case plan updated"
    PHASE_CHANGED = "phase_changed", "Phase changed"
    ACTIVATED = "activated", "Case plan active"
    CLOSED = "closed", "Case plan closed"
    REOPENED = "reopened", "Case plan reopened"
    LEAD_TRANSFERRED = "lead_transferred", "Lead handed over"
    MEMBER_ADDED = "member_added", "Joined the team"
    MEMBER_REMOVED = "member_removed", "Left the team"
    ACTION_ADDED = "action_added", "Action added"
    ACTION_UPDATED = "action_updated", "Action updated"
    ACTION_REFERRED = "action_referred", "Referral made for an action"
    ASSESSMENT_STARTED = "assessment_started", "Risk assessment drafted"
    ASSESSMENT_SIGNED = "assessment_signed", "Risk assessment signed"
    REVIEW_SCHEDULED = "review_scheduled", "Review scheduled"
    REVIEW_HELD = "review_held", "Review held"


class PlanEvent(models.Model):
    """One entry in the plan's own history, written with the change it records.

    Values are codes (statuses, phases, roles, need categories) and references, so the
    timeline can be read without personal data; the ``note`` (a reason, a hand-over note)
    is encrypted and shown only to those the case plan is disclosed to.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(CasePlan, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=PlanEventKind.choices)
    at = models.DateTimeField()
    # None when nobody acted: a consent that expired by itself.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The person the event is about: the new lead, the member who joined or left.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The action, assessment, review or membership concerned.
    subject_id = models.UUIDField(null=True, blank=True)
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    topic = models.CharField(max_length=40, blank=True)
    from_value = models.CharField(max_length=32, blank=True)
    to_value = models.CharField(max_length=32, blank=True)
    note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["plan", "at"])]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.kind}"
