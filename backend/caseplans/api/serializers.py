"""Case plans in and out, each viewer seeing only what was disclosed to them.

A field of a withheld data category is left out of the response altogether (never blanked),
and ``withheld_categories`` names what was left out: plan content (goals, action descriptions
and outcomes, review decisions, notes) needs ``case_plan``, risk assessments need
``risk_assessment``, and the child's fields follow the child's own categories.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework import serializers

from agencies.api.serializers import AgencySummarySerializer
from agencies.models import Agency, Membership, Role
from caseplans import risk
from caseplans.models import (
    FINISHED_ACTIONS,
    ActionStatus,
    AssessmentStatus,
    CasePlan,
    ClosureReason,
    LeadAssignment,
    MembershipEnd,
    Phase,
    PlanAction,
    PlanStatus,
    Review,
    ReviewStatus,
    RiskAssessment,
    RiskDomain,
    RiskItem,
    TeamMember,
    TeamRole,
)
from children.api.serializers import ChildSerializer
from children.models import Child
from consent.models import DataCategory, OverrideAuthorisation, Purpose
from pathways.models import Pathway, Service
from pathways.vocabulary import NeedCategory, Urgency
from referrals.api.serializers import ServiceRefSerializer
from referrals.models import Referral, ReferralStatus

User = get_user_model()
CASE_PLAN = DataCategory.CASE_PLAN
RISK = DataCategory.RISK_ASSESSMENT


def _related(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    """A reference to another object; the error never echoes the id that was sent."""
    kwargs.setdefault("error_messages", {})
    kwargs["error_messages"].update(
        {"does_not_exist": "No such object.", "incorrect_type": "Not a valid id."}
    )
    return serializers.PrimaryKeyRelatedField(**kwargs)


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "name"]
        read_only_fields = fields

    def get_name(self, user: Any) -> str:
        return user.get_full_name() or user.get_username()


class ReferralRefSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=ReferralStatus.choices, read_only=True)

    class Meta:
        model = Referral
        fields = ["id", "reference", "status"]
        read_only_fields = fields


class Gated(serializers.Serializer):
    """Leaves out the fields of data categories the viewer has not been disclosed.

    ``gated`` maps a field to its category. The viewer's plan categories come from the
    context: ``plan_categories`` (a set, for one plan's parts) or ``disclosed`` (per plan).
    Gated fields are declared ``required=False`` so the schema says they may be absent.
    """

    gated: ClassVar[dict[str, str]] = {}

    def visible_categories(self, instance: Any) -> set[str]:
        if "plan_categories" in self.context:
            return self.context["plan_categories"]
        return self.context["disclosed"].plans[instance.pk]

    def to_representation(self, instance: Any) -> dict[str, Any]:
        visible = self.visible_categories(instance)
        data = super().to_representation(instance)
        for name, category in self.gated.items():
            if category not in visible:
                data.pop(name, None)
        return data


# --- plans ------------------------------------------------------------------------------


class CasePlanListSerializer(Gated, serializers.ModelSerializer):
    gated = {"risk_level": RISK}

    child_reference = serializers.CharField(source="child.reference", read_only=True)
    lead = PersonSerializer(read_only=True)
    lead_agency = AgencySummarySerializer(read_only=True)
    source_referral = ReferralRefSerializer(read_only=True, allow_null=True)
    next_review_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="The next scheduled review."
    )
    reassessment_due_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="When the current risk assessment must be redone.",
    )
    closure_reason = serializers.ChoiceField(
        choices=ClosureReason.choices, allow_blank=True, read_only=True
    )
    review_overdue = serializers.BooleanField(read_only=True)
    reassessment_overdue = serializers.BooleanField(read_only=True)
    risk_level = serializers.ChoiceField(
        choices=risk.RiskLevel.choices,
        required=False,
        allow_null=True,
        help_text="The current signed assessment's overall level (derived). Left out unless "
        "risk assessments are disclosed to you.",
    )

    class Meta:
        model = CasePlan
        fields = [
            "id",
            "reference",
            "status",
            "phase",
            "child_reference",
            "lead",
            "lead_agency",
            "source_referral",
            "created_at",
            "updated_at",
            "closed_at",
            "closure_reason",
            "next_review_on",
            "reassessment_due_on",
            "review_overdue",
            "reassessment_overdue",
            "risk_level",
        ]
        read_only_fields = [f for f in fields if f != "risk_level"]


class LeadAssignmentSerializer(serializers.ModelSerializer):
    lead = PersonSerializer(read_only=True)
    assigned_by = PersonSerializer(read_only=True)

    class Meta:
        model = LeadAssignment
        fields = ["id", "lead", "since", "until", "assigned_by"]
        read_only_fields = fields


class CasePlanSerializer(CasePlanListSerializer):
    """One plan as one viewer may see it."""

    gated = {
        "risk_level": RISK,
        "goals": CASE_PLAN,
        "closure_note": CASE_PLAN,
    }

    child = ChildSerializer(read_only=True)
    goals = serializers.CharField(required=False)
    closure_note = serializers.CharField(required=False)
    lead_history = LeadAssignmentSerializer(source="lead_assignments", many=True, read_only=True)
    disclosed_categories = serializers.SerializerMethodField(
        help_text="The plan categories you see: case_plan (its content) and risk_assessment."
    )
    withheld_categories = serializers.SerializerMethodField(
        help_text="Plan categories not disclosed to you: their fields are left out."
    )
    can_manage = serializers.SerializerMethodField(
        help_text="Whether you lead the plan or oversee it as a duty manager of the lead agency."
    )
    concern_available = serializers.SerializerMethodField(
        help_text="Whether you may read the concern narrative of the referral the plan was "
        "opened from (case-plans/{id}/concern/): the child's disclosure narrative is disclosed "
        "to you."
    )
    available_transitions = serializers.SerializerMethodField()

    class Meta(CasePlanListSerializer.Meta):
        fields = [
            *CasePlanListSerializer.Meta.fields,
            "child",
            "goals",
            "closure_note",
            "lead_history",
            "disclosed_categories",
            "withheld_categories",
            "can_manage",
            "concern_available",
            "available_transitions",
        ]
        read_only_fields = [f for f in fields if f not in ("risk_level", "goals", "closure_note")]

    def get_disclosed_categories(self, plan: CasePlan) -> list[str]:
        return sorted(self.visible_categories(plan))

    def get_withheld_categories(self, plan: CasePlan) -> list[str]:
        return sorted({CASE_PLAN, RISK} - self.visible_categories(plan))

    def get_can_manage(self, plan: CasePlan) -> bool:
        return self.context["can_manage"]

    def get_concern_available(self, plan: CasePlan) -> bool:
        return plan.source_referral_id is not None and DataCategory.DISCLOSURE_NARRATIVE in (
            self.context["categories"].get(plan.child_id, ())
        )

    def get_available_transitions(self, plan: CasePlan) -> list[str]:
        return self.context["available_transitions"]


class CasePlanCreateSerializer(serializers.Serializer):
    """Open a plan for a child (``child``) or from an accepted referral (``referral``)."""

    child = _related(queryset=Child.objects.all(), required=False, allow_null=True)
    referral = _related(queryset=Referral.objects.all(), required=False, allow_null=True)
    lead = _related(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="A social worker of your agency; you, when left out.",
    )
    phase = serializers.ChoiceField(choices=Phase.choices, default=Phase.IMMEDIATE)
    goals = serializers.CharField(max_length=20000, required=False, allow_blank=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only what the caller may already see can be named: anything else "does not exist".
        visible = self.context.get("visible")
        if visible is not None:
            self.fields["child"].queryset = visible["child"]
            self.fields["referral"].queryset = visible["referral"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("child")) == bool(attrs.get("referral")):
            raise serializers.ValidationError("Name either the child or the referral.")
        return attrs


class CasePlanUpdateSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=Phase.choices, required=False)
    goals = serializers.CharField(max_length=20000, required=False, allow_blank=True)


class TransferLeadSerializer(serializers.Serializer):
    to_user = _related(
        queryset=User.objects.filter(is_active=True),
        help_text="An active social worker of the lead agency.",
    )
    note = serializers.CharField(max_length=10000, help_text="The hand-over note.")
    keep_on_team = serializers.BooleanField(
        default=False, help_text="Keep the former lead on the team as a social worker."
    )


class CloseSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ClosureReason.choices)
    note = serializers.CharField(
        max_length=10000, required=False, allow_blank=True, help_text="Required for 'other'."
    )


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=10000, help_text="Why the plan is reopened.")


# --- team -------------------------------------------------------------------------------


class TeamMemberSerializer(serializers.ModelSerializer):
    user = PersonSerializer(read_only=True)
    agency = AgencySummarySerializer(read_only=True)
    added_by = PersonSerializer(read_only=True)
    role = serializers.ChoiceField(choices=TeamRole.choices, read_only=True)
    end_reason = serializers.ChoiceField(
        choices=MembershipEnd.choices, allow_blank=True, read_only=True
    )
    is_current = serializers.BooleanField(read_only=True)
    disclosure = serializers.UUIDField(
        source="disclosure_id",
        read_only=True,
        allow_null=True,
        help_text="The share that gave a member from another agency their access.",
    )

    class Meta:
        model = TeamMember
        fields = [
            "id",
            "user",
            "agency",
            "role",
            "started_at",
            "added_by",
            "ended_at",
            "end_reason",
            "is_current",
            "disclosure",
        ]
        read_only_fields = fields


class TeamCandidateSerializer(serializers.ModelSerializer):
    """Someone who could join the team (or take the lead): one role they hold in one agency."""

    user = PersonSerializer(read_only=True)
    agency = AgencySummarySerializer(read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
    on_team = serializers.BooleanField(read_only=True, help_text="On the plan's team now.")

    class Meta:
        model = Membership
        fields = ["user", "agency", "role", "on_team"]
        read_only_fields = fields


class TeamAddSerializer(serializers.Serializer):
    user = _related(queryset=User.objects.filter(is_active=True))
    role = serializers.ChoiceField(
        choices=TeamRole.choices, help_text="Any role but lead: the lead is handed over."
    )
    agency = _related(
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="The agency the person works for on this case (default: their first).",
    )
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DataCategory.choices),
        required=False,
        max_length=len(DataCategory.values),
        help_text="What a member from another agency is shared; always includes case_plan.",
    )
    purpose = serializers.ChoiceField(choices=Purpose.choices, default=Purpose.SUPPORT)
    override = _related(
        queryset=OverrideAuthorisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="An authorised override to share without consent.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visible = self.context.get("visible")
        if visible is not None:
            self.fields["override"].queryset = visible["override"]


# --- actions ----------------------------------------------------------------------------


class PlanActionSerializer(Gated, serializers.ModelSerializer):
    gated = {"description": CASE_PLAN, "outcome": CASE_PLAN, "status_note": CASE_PLAN}

    need_category = serializers.ChoiceField(choices=NeedCategory.choices, read_only=True)
    status = serializers.ChoiceField(choices=ActionStatus.choices, read_only=True)
    description = serializers.CharField(required=False)
    outcome = serializers.CharField(required=False)
    status_note = serializers.CharField(required=False)
    responsible_service = ServiceRefSerializer(read_only=True, allow_null=True)
    responsible_agency = AgencySummarySerializer(read_only=True, allow_null=True)
    responsible_person = PersonSerializer(read_only=True, allow_null=True)
    referral = ReferralRefSerializer(read_only=True, allow_null=True)
    created_by = PersonSerializer(read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = PlanAction
        fields = [
            "id",
            "need_category",
            "description",
            "responsible_service",
            "responsible_agency",
            "responsible_person",
            "referral",
            "due_date",
            "status",
            "outcome",
            "status_note",
            "created_by",
            "created_at",
            "updated_at",
            "is_overdue",
        ]
        read_only_fields = ["id", "due_date", "created_at", "updated_at"]

    def get_is_overdue(self, action: PlanAction) -> bool:
        return (
            action.due_date is not None
            and action.status not in FINISHED_ACTIONS
            and action.due_date < timezone.localdate()
        )


class ReferralFieldsSerializer(serializers.Serializer):
    """How to refer for an action: what a referral needs besides the service."""

    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    concern = serializers.CharField(
        max_length=20000,
        required=False,
        help_text="The concern narrative the receiving service reads.",
    )
    shared_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DataCategory.choices), required=False
    )
    purpose = serializers.ChoiceField(choices=Purpose.choices, default=Purpose.SUPPORT)
    pathway = _related(queryset=Pathway.objects.all(), required=False, allow_null=True)
    override = _related(
        queryset=OverrideAuthorisation.objects.all(), required=False, allow_null=True
    )
    send = serializers.BooleanField(
        default=True, help_text="Send the referral at once (otherwise it stays a draft)."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visible = self.context.get("visible")
        if visible is not None:
            self.fields["override"].queryset = visible["override"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("service") is not None:
            missing = {
                name: "Required to refer to a service."
                for name in ("urgency", "concern")
                if not attrs.get(name)
            }
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class PlanActionCreateSerializer(ReferralFieldsSerializer):
    need_category = serializers.ChoiceField(choices=NeedCategory.choices)
    description = serializers.CharField(max_length=10000)
    due_date = serializers.DateField(required=False, allow_null=True)
    responsible_agency = _related(
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    responsible_person = _related(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="A member of the case team.",
    )
    service = _related(
        queryset=Service.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Carry the action out through a referral to this service.",
    )


class ReferActionSerializer(ReferralFieldsSerializer):
    service = _related(queryset=Service.objects.filter(is_active=True))


class PlanActionUpdateSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=10000, required=False)
    due_date = serializers.DateField(required=False, allow_null=True)
    responsible_agency = _related(
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    responsible_person = _related(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    status = serializers.ChoiceField(
        choices=ActionStatus.choices,
        required=False,
        help_text="Any status but referred: an action is referred by referring it.",
    )
    outcome = serializers.CharField(
        max_length=10000,
        required=False,
        allow_blank=True,
        help_text="Required to mark the action done or not needed.",
    )


# --- risk assessments -------------------------------------------------------------------


def _score_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=risk.SCORE_MIN, max_value=risk.SCORE_MAX, **kwargs)


class RiskItemInputSerializer(serializers.Serializer):
    domain = serializers.ChoiceField(choices=RiskDomain.choices)
    likelihood = _score_field()
    severity = _score_field()
    mitigation = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    residual_likelihood = _score_field(help_text="Likelihood once the mitigation is in place.")
    residual_severity = _score_field(help_text="Severity once the mitigation is in place.")


class RiskItemSerializer(serializers.ModelSerializer):
    domain = serializers.ChoiceField(choices=RiskDomain.choices, read_only=True)
    score = serializers.IntegerField(read_only=True)
    level = serializers.ChoiceField(choices=risk.RiskLevel.choices, read_only=True)
    residual_score = serializers.IntegerField(read_only=True)
    residual_level = serializers.ChoiceField(choices=risk.RiskLevel.choices, read_only=True)

    class Meta:
        model = RiskItem
        fields = [
            "id",
            "domain",
            "likelihood",
            "severity",
            "score",
            "level",
            "mitigation",
            "residual_likelihood",
            "residual_severity",
            "residual_score",
            "residual_level",
        ]
        read_only_fields = fields


class RiskAssessmentSerializer(Gated, serializers.ModelSerializer):
    gated = {
        "summary": RISK,
        "items": RISK,
        "overall_score": RISK,
        "overall_level": RISK,
    }

    status = serializers.ChoiceField(choices=AssessmentStatus.choices, read_only=True)
    summary = serializers.CharField(required=False)
    items = RiskItemSerializer(many=True, required=False)
    overall_score = serializers.IntegerField(
        required=False, allow_null=True, help_text="The highest residual score of the items."
    )
    overall_level = serializers.ChoiceField(
        choices=risk.RiskLevel.choices,
        required=False,
        allow_null=True,
        help_text="Derived from the highest residual score (see risk-matrix); never typed.",
    )
    created_by = PersonSerializer(read_only=True)
    signed_by = PersonSerializer(read_only=True, allow_null=True)
    supersedes = serializers.UUIDField(source="supersedes_id", read_only=True, allow_null=True)
    superseded_by = serializers.SerializerMethodField()
    is_current = serializers.SerializerMethodField(
        help_text="Signed and not yet superseded: the plan's assessment now."
    )

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "status",
            "next_review_date",
            "summary",
            "items",
            "overall_score",
            "overall_level",
            "created_by",
            "created_at",
            "signed_by",
            "signed_at",
            "supersedes",
            "superseded_by",
            "is_current",
        ]
        read_only_fields = [
            "id",
            "next_review_date",
            "created_at",
            "signed_at",
        ]

    def _successor(self, assessment: RiskAssessment) -> RiskAssessment | None:
        try:
            return assessment.superseded_by
        except RiskAssessment.DoesNotExist:
            return None

    def get_superseded_by(self, assessment: RiskAssessment) -> str | None:
        successor = self._successor(assessment)
        return str(successor.pk) if successor else None

    def get_is_current(self, assessment: RiskAssessment) -> bool:
        return assessment.status == AssessmentStatus.SIGNED and self._successor(assessment) is None


class RiskAssessmentWriteSerializer(serializers.Serializer):
    next_review_date = serializers.DateField(help_text="When the risk must be assessed again.")
    summary = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    items = RiskItemInputSerializer(many=True, max_length=len(RiskDomain.values), required=False)


class RiskMatrixAxisSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    label = serializers.CharField()


class RiskBandSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=risk.RiskLevel.choices)
    label = serializers.CharField()
    min = serializers.IntegerField()
    max = serializers.IntegerField()


class RiskCellSerializer(serializers.Serializer):
    likelihood = serializers.IntegerField()
    severity = serializers.IntegerField()
    score = serializers.IntegerField()
    level = serializers.ChoiceField(choices=risk.RiskLevel.choices)


class RiskMatrixSerializer(serializers.Serializer):
    likelihood = RiskMatrixAxisSerializer(many=True)
    severity = RiskMatrixAxisSerializer(many=True)
    bands = RiskBandSerializer(many=True)
    cells = RiskCellSerializer(many=True)


# --- reviews ----------------------------------------------------------------------------


class ReviewSerializer(Gated, serializers.ModelSerializer):
    gated = {"decisions": CASE_PLAN, "other_attendees": CASE_PLAN}

    status = serializers.ChoiceField(choices=ReviewStatus.choices, read_only=True)
    scheduled_by = PersonSerializer(read_only=True)
    attendees = PersonSerializer(many=True, read_only=True)
    recorded_by = PersonSerializer(read_only=True, allow_null=True)
    decisions = serializers.CharField(required=False)
    other_attendees = serializers.CharField(
        required=False, help_text="People without an account here, e.g. the child or a parent."
    )
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "status",
            "scheduled_for",
            "scheduled_by",
            "held_on",
            "attendees",
            "other_attendees",
            "decisions",
            "next_review_date",
            "recorded_by",
            "recorded_at",
            "is_overdue",
        ]
        read_only_fields = [
            "id",
            "scheduled_for",
            "held_on",
            "next_review_date",
            "recorded_at",
        ]

    def get_is_overdue(self, review: Review) -> bool:
        return (
            review.status == ReviewStatus.SCHEDULED
            and review.plan.status != PlanStatus.CLOSED
            and review.scheduled_for < timezone.localdate()
        )


class ReviewScheduleSerializer(serializers.Serializer):
    scheduled_for = serializers.DateField()


class ReviewRecordSerializer(serializers.Serializer):
    held_on = serializers.DateField(required=False, help_text="Default: today.")
    attendees = serializers.ManyRelatedField(
        child_relation=_related(queryset=User.objects.filter(is_active=True)),
        required=False,
        help_text="Members of the case team who attended.",
    )
    other_attendees = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    decisions = serializers.CharField(max_length=20000)
    next_review_date = serializers.DateField(
        required=False, allow_null=True, help_text="Schedules the next review."
    )


# --- timeline ---------------------------------------------------------------------------


class TimelineEntrySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    at = serializers.DateTimeField()
    source = serializers.ChoiceField(choices=[("plan", "plan"), ("referral", "referral")])
    kind = serializers.CharField(
        help_text="The plan event kind, or referral_<action> for a referral's history."
    )
    summary = serializers.CharField()
    by = PersonSerializer(allow_null=True)
    by_agency = AgencySummarySerializer(allow_null=True)
    person = PersonSerializer(allow_null=True, help_text="Whom the entry is about.")
    referral = ReferralRefSerializer(allow_null=True)
    subject_id = serializers.UUIDField(
        allow_null=True, help_text="The action, assessment, review, member or referral."
    )
    note = serializers.CharField(
        required=False, help_text="A reason or hand-over note; left out without case_plan."
    )

    def to_representation(self, entry: Any) -> dict[str, Any]:
        data = super().to_representation(entry)
        if CASE_PLAN not in self.context["plan_categories"]:
            data.pop("note", None)
        return data


class TimelineSerializer(serializers.Serializer):
    results = TimelineEntrySerializer(many=True)
    older = serializers.BooleanField(help_text="Earlier entries exist: ask again with before.")
