from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Agency, AgencyKind
from children.api.serializers import AgencyRefSerializer
from consent.models import (
    ConsentRecord,
    ConsentStatus,
    DataCategory,
    Disclosure,
    EndReason,
    GivenBy,
    LawfulBasis,
    OverrideAuthorisation,
    Purpose,
)

User = get_user_model()


class StaffRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]
        read_only_fields = fields


def _choices_list(choices: Any, **kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=choices), allow_empty=False, **kwargs
    )


class ConsentRecordSerializer(serializers.ModelSerializer):
    child_reference = serializers.CharField(source="child.reference", read_only=True)
    recipient_agencies = AgencyRefSerializer(many=True, read_only=True)
    recipient_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=AgencyKind.choices), read_only=True
    )
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DataCategory.choices), read_only=True
    )
    purposes = serializers.ListField(
        child=serializers.ChoiceField(choices=Purpose.choices), read_only=True
    )
    recorded_by = StaffRefSerializer(read_only=True)
    recorded_by_agency = AgencyRefSerializer(read_only=True)
    withdrawn_by = StaffRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ConsentRecord
        fields = [
            "id",
            "child",
            "child_reference",
            "given_by",
            "given_by_relationship",
            "given_by_name",
            "child_competent",
            "capacity_note",
            "recipient_agencies",
            "recipient_kinds",
            "categories",
            "purposes",
            "valid_from",
            "valid_until",
            "status",
            "recorded_by",
            "recorded_by_agency",
            "recorded_at",
            "withdrawn_by",
            "withdrawn_at",
            "withdrawal_reason",
            "expired_at",
        ]
        read_only_fields = fields


class ConsentCreateSerializer(serializers.Serializer):
    child = serializers.UUIDField()
    decision = serializers.ChoiceField(
        choices=[(ConsentStatus.ACTIVE, "Consent given"), (ConsentStatus.REFUSED, "Refused")],
        help_text="'active' when consent is given, 'refused' when it is not.",
    )
    given_by = serializers.ChoiceField(choices=GivenBy.choices)
    given_by_relationship = serializers.CharField(max_length=100, required=False, allow_blank=True)
    given_by_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    child_competent = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Required when the child decides: are they competent to decide?",
    )
    capacity_note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    recipient_agencies = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(is_active=True), many=True, required=False
    )
    recipient_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=AgencyKind.choices), required=False
    )
    categories = _choices_list(DataCategory.choices)
    purposes = _choices_list(Purpose.choices)
    valid_from = serializers.DateTimeField(required=False)
    valid_until = serializers.DateTimeField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("recipient_agencies") and not attrs.get("recipient_kinds"):
            raise serializers.ValidationError(
                {"recipient_agencies": "Name the recipient agencies or kinds of agency."}
            )
        if attrs["given_by"] == GivenBy.CHILD and attrs.get("child_competent") is None:
            raise serializers.ValidationError(
                {"child_competent": "Record whether the child is competent to decide."}
            )
        if (
            attrs["given_by"] == GivenBy.CHILD
            and attrs["decision"] == ConsentStatus.ACTIVE
            and not attrs.get("child_competent")
        ):
            raise serializers.ValidationError(
                {
                    "child_competent": "A child judged not competent cannot give consent: "
                    "record the decision of a parent or carer."
                }
            )
        if attrs["given_by"] != GivenBy.CHILD and not attrs.get("given_by_relationship"):
            raise serializers.ValidationError(
                {"given_by_relationship": "Say how this person is related to the child."}
            )
        valid_from = attrs.get("valid_from") or timezone.now()
        valid_until = attrs.get("valid_until")
        if valid_until is not None and valid_until <= valid_from:
            raise serializers.ValidationError({"valid_until": "Must be after valid_from."})
        return attrs


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class OverrideSummarySerializer(serializers.ModelSerializer):
    authorised_by = StaffRefSerializer(read_only=True)

    class Meta:
        model = OverrideAuthorisation
        fields = ["id", "lawful_basis", "authorised_by", "decided_at"]
        read_only_fields = fields


class SubjectSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.CharField()


class DisclosureSerializer(serializers.ModelSerializer):
    child_reference = serializers.CharField(source="child.reference", read_only=True)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DataCategory.choices), read_only=True
    )
    recipient_agency = AgencyRefSerializer(read_only=True, allow_null=True)
    recipient_user = StaffRefSerializer(read_only=True, allow_null=True)
    disclosed_by = StaffRefSerializer(read_only=True)
    disclosed_by_agency = AgencyRefSerializer(read_only=True)
    override = OverrideSummarySerializer(read_only=True, allow_null=True)
    justification = serializers.SerializerMethodField(
        help_text="The override's written justification: shown to the disclosing agency only."
    )
    subject = serializers.SerializerMethodField()
    end_reason = serializers.SerializerMethodField(
        help_text="Why the disclosure ended (null while it stands)."
    )

    class Meta:
        model = Disclosure
        fields = [
            "id",
            "child",
            "child_reference",
            "categories",
            "purpose",
            "recipient_agency",
            "recipient_user",
            "disclosed_by",
            "disclosed_by_agency",
            "disclosed_at",
            "basis",
            "consent",
            "override",
            "justification",
            "subject",
            "ended_at",
            "end_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_justification(self, disclosure: Disclosure) -> str | None:
        if disclosure.override is None:
            return None
        if disclosure.disclosed_by_agency_id not in self.context.get("viewer_agency_ids", ()):
            return None
        return disclosure.override.justification

    @extend_schema_field(serializers.ChoiceField(choices=EndReason.choices, allow_null=True))
    def get_end_reason(self, disclosure: Disclosure) -> str | None:
        return disclosure.end_reason or None

    @extend_schema_field(SubjectSerializer(allow_null=True))
    def get_subject(self, disclosure: Disclosure) -> dict[str, str] | None:
        if disclosure.subject_type is None:
            return None
        return {
            "type": disclosure.subject_type.app_label + "." + disclosure.subject_type.model,
            "id": disclosure.subject_id,
        }


class ShareSerializer(serializers.Serializer):
    recipient_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(is_active=True), required=False
    )
    recipient_user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False
    )
    categories = _choices_list(DataCategory.choices)
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    override = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="An authorised override of your agency to rely on when consent does not "
        "cover the share.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("recipient_agency")) == bool(attrs.get("recipient_user")):
            raise serializers.ValidationError(
                {"recipient_agency": "Name either a recipient agency or a recipient person."}
            )
        return attrs


class SharingQuestionSerializer(serializers.Serializer):
    recipient_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(is_active=True)
    )
    categories = _choices_list(DataCategory.choices)
    purpose = serializers.ChoiceField(choices=Purpose.choices)


class SharingDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["allowed", "needs_override", "refused"])
    reason = serializers.CharField()
    detail = serializers.CharField()
    consent = serializers.UUIDField(allow_null=True)


class OverrideSerializer(serializers.ModelSerializer):
    child_reference = serializers.CharField(source="child.reference", read_only=True)
    agency = AgencyRefSerializer(read_only=True)
    recipient_agency = AgencyRefSerializer(read_only=True)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DataCategory.choices), read_only=True
    )
    requested_by = StaffRefSerializer(read_only=True)
    authorised_by = StaffRefSerializer(read_only=True, allow_null=True)
    lawful_basis_label = serializers.CharField(source="get_lawful_basis_display", read_only=True)

    class Meta:
        model = OverrideAuthorisation
        fields = [
            "id",
            "child",
            "child_reference",
            "agency",
            "recipient_agency",
            "categories",
            "purpose",
            "lawful_basis",
            "lawful_basis_label",
            "justification",
            "status",
            "requested_by",
            "requested_at",
            "authorised_by",
            "decided_at",
            "refusal_reason",
            "expires_at",
        ]
        read_only_fields = fields


class OverrideRequestSerializer(serializers.Serializer):
    child = serializers.UUIDField()
    recipient_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(is_active=True)
    )
    categories = _choices_list(DataCategory.choices)
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    lawful_basis = serializers.ChoiceField(choices=LawfulBasis.choices)
    justification = serializers.CharField(max_length=8000)


class LawfulBasisSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=LawfulBasis.choices)
    label = serializers.CharField()
