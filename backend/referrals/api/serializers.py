"""Referrals in and out. Lists carry no narrative; the concern is read on its own, audited."""

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from agencies.api.serializers import AgencySummarySerializer, summary_columns, summary_of_row
from children.api.serializers import ChildSerializer, ChildWriteSerializer
from children.models import Child
from consent.models import DataCategory, OverrideAuthorisation, Purpose
from pathways.models import Pathway, Service
from pathways.vocabulary import NeedCategory, Urgency
from referrals.models import FHIR_TASK_STATUS, Referral, ReferralEvent, ReferralStatus
from referrals.services import ACTIONS


class ServiceRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "name"]
        read_only_fields = fields

    def to_representation(self, service: Service) -> dict[str, Any]:
        # Built directly, as agency summaries are (agencies.api.serializers).
        return _service(service.pk, service.name)


class PathwayRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Pathway
        fields = ["id", "name", "version"]
        read_only_fields = fields


class ReferralListSerializer(serializers.ModelSerializer):
    fhir_status = serializers.CharField(read_only=True, help_text="HL7 FHIR Task status code.")
    need_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=NeedCategory.choices), read_only=True
    )
    child_reference = serializers.CharField(source="child.reference", read_only=True)
    parent_reference = serializers.CharField(
        source="parent.reference", read_only=True, allow_null=True, default=None
    )
    service = ServiceRefSerializer(read_only=True)
    from_agency = AgencySummarySerializer(read_only=True)
    to_agency = AgencySummarySerializer(read_only=True)
    is_overdue = serializers.BooleanField(
        read_only=True, help_text="An acknowledgement or response clock has run out."
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "reference",
            "status",
            "fhir_status",
            "urgency",
            "need_categories",
            "child_reference",
            "parent_reference",
            "service",
            "from_agency",
            "to_agency",
            "created_at",
            "sent_at",
            "acknowledge_by",
            "respond_by",
            "acknowledged_at",
            "responded_at",
            "closed_at",
            "is_overdue",
        ]
        read_only_fields = fields

    # A page of these rows is what every practitioner's inbox asks for all day, so the list
    # query selects the columns a row shows (ROW_COLUMNS) rather than a referral and the six
    # objects it refers to, and a row is built directly from them rather than field by field
    # (bench/README.md). The fields declared above still make the schema, and
    # tests/referrals/test_list_rows.py holds every row to what DRF shows for the referral.
    def to_representation(self, row: Mapping[str, Any]) -> dict[str, Any]:
        zone = timezone.get_current_timezone()
        return {
            "id": str(row["id"]),
            "reference": row["reference"],
            "status": row["status"],
            "fhir_status": FHIR_TASK_STATUS[row["status"]],
            "urgency": row["urgency"],
            "need_categories": list(row["need_categories"]),
            "child_reference": row["child__reference"],
            "parent_reference": row["parent__reference"],
            "service": _service(row["service"], row["service__name"]),
            "from_agency": summary_of_row(row, "from_agency"),
            "to_agency": summary_of_row(row, "to_agency"),
            **{name: _when(row[name], zone) for name in _TIMES},
            "is_overdue": bool(row["is_overdue"]),
        }


_TIMES = (
    *("created_at", "sent_at", "acknowledge_by", "respond_by"),
    *("acknowledged_at", "responded_at", "closed_at"),
)
# What a list query selects (``QuerySet.values``) for ReferralListSerializer, and nothing
# more: no narrative, none of the child's or the parent referral's encrypted columns.
ROW_COLUMNS = (
    *("id", "reference", "status", "urgency", "need_categories"),
    *("child__reference", "parent__reference", "service", "service__name"),
    *summary_columns("from_agency"),
    *summary_columns("to_agency"),
    *_TIMES,
    "is_overdue",
)


def _service(pk: int, name: str) -> dict[str, Any]:
    return {"id": pk, "name": name}


def _when(value: datetime | None, zone: tzinfo) -> str | None:
    """A time as DRF's DateTimeField shows it (ISO 8601 in the current time zone, UTC as Z),
    with the zone looked up once a row rather than once a value."""
    if value is None:
        return None
    shown = value.astimezone(zone).isoformat()
    return shown[:-6] + "Z" if shown.endswith("+00:00") else shown


class ReferralSerializer(ReferralListSerializer):
    """One referral as one viewer may see it; the decline reason and outcome close the loop."""

    pathway = PathwayRefSerializer(read_only=True, allow_null=True)
    child = ChildSerializer(read_only=True)
    shared_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DataCategory.choices), read_only=True
    )
    concern_available = serializers.SerializerMethodField(
        help_text="Whether this viewer may read the concern narrative (GET …/concern/)."
    )
    available_actions = serializers.SerializerMethodField(
        help_text="The actions the signed-in person may take now."
    )
    onward_references = serializers.SerializerMethodField()

    class Meta(ReferralListSerializer.Meta):
        fields = [
            *ReferralListSerializer.Meta.fields,
            "pathway",
            "child",
            "shared_categories",
            "purpose",
            "decline_reason",
            "outcome",
            "override",
            "concern_available",
            "available_actions",
            "onward_references",
        ]
        read_only_fields = fields

    def to_representation(self, referral: Referral) -> dict[str, Any]:
        # One referral at a time, with everything it adds: field by field, as DRF does.
        return serializers.ModelSerializer.to_representation(self, referral)

    def get_concern_available(self, referral: Referral) -> bool:
        return DataCategory.DISCLOSURE_NARRATIVE in self.context["categories"][referral.child_id]

    def get_available_actions(self, referral: Referral) -> list[str]:
        return self.context["available_actions"]

    def get_onward_references(self, referral: Referral) -> list[str]:
        return [onward.reference for onward in referral.onward_referrals.all()]


class ReferralCreateSerializer(serializers.Serializer):
    """A new draft: for an existing child, a new one (``new_child``), or an anonymous one
    (neither). ``parent`` makes it an onward referral about the parent's child."""

    child = serializers.PrimaryKeyRelatedField(
        queryset=Child.objects.all(), required=False, allow_null=True
    )
    new_child = ChildWriteSerializer(required=False, allow_null=True)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Referral.objects.all(), required=False, allow_null=True
    )
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.filter(is_active=True))
    pathway = serializers.PrimaryKeyRelatedField(
        queryset=Pathway.objects.all(), required=False, allow_null=True
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    need_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=NeedCategory.choices), min_length=1, max_length=16
    )
    concern = serializers.CharField(max_length=20000, help_text="The concern narrative.")
    shared_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DataCategory.choices),
        required=False,
        help_text="What the referral shares; must include the concern narrative. "
        "Default: identity and the narrative.",
    )
    purpose = serializers.ChoiceField(choices=Purpose.choices, default=Purpose.SUPPORT)
    override = serializers.PrimaryKeyRelatedField(
        queryset=OverrideAuthorisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="An authorised override to share without consent.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only what the caller may already see can be named: anything else "does not exist".
        visible = self.context.get("visible")
        if visible is not None:
            self.fields["child"].queryset = visible["child"]
            self.fields["parent"].queryset = visible["parent"]
            self.fields["override"].queryset = visible["override"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("child") and attrs.get("new_child"):
            raise serializers.ValidationError("Give an existing child or a new one, not both.")
        if attrs.get("parent") and (attrs.get("child") or attrs.get("new_child")):
            raise serializers.ValidationError(
                "An onward referral is about the same child as the referral it comes from."
            )
        return attrs


class ReferralDraftSerializer(serializers.Serializer):
    """What can change while a referral is still a draft."""

    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.filter(is_active=True), required=False
    )
    pathway = serializers.PrimaryKeyRelatedField(
        queryset=Pathway.objects.all(), required=False, allow_null=True
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    need_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=NeedCategory.choices),
        min_length=1,
        max_length=16,
        required=False,
    )
    concern = serializers.CharField(max_length=20000, required=False)
    shared_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DataCategory.choices), required=False
    )
    purpose = serializers.ChoiceField(choices=Purpose.choices, required=False)
    override = serializers.PrimaryKeyRelatedField(
        queryset=OverrideAuthorisation.objects.all(), required=False, allow_null=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visible = self.context.get("visible")
        if visible is not None:
            self.fields["override"].queryset = visible["override"]


class ReferralActionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        help_text="Required to decline, hold, fail or cancel.",
    )
    outcome = serializers.CharField(
        max_length=10000, required=False, allow_blank=True, help_text="Required to complete."
    )
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)

    def note_for(self, action: str) -> str:
        """The text the action records: its reason or outcome if it needs one, else the note."""
        return self.validated_data.get(ACTIONS[action].requires or "note", "")


class ReferralEventSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.get_full_name", read_only=True)
    by_agency = AgencySummarySerializer(read_only=True)

    class Meta:
        model = ReferralEvent
        fields = ["id", "action", "from_status", "to_status", "by", "by_agency", "at", "note"]
        read_only_fields = fields


class ConcernSerializer(serializers.Serializer):
    concern = serializers.CharField()


class StatusCountsSerializer(serializers.Serializer):
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Referrals per status in the box, plus 'overdue'.",
    )
    statuses = serializers.ListField(child=serializers.ChoiceField(choices=ReferralStatus.choices))
