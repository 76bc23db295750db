import re
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.api.serializers import AgencySummarySerializer, RegionSerializer, StaffSerializer
from agencies.models import Agency, AgencyKind, Region
from pathways.models import Pathway, PathwayStep, Service
from pathways.vocabulary import (
    HsdsObjectType,
    MatchReasonCode,
    MatchSource,
    NeedCategory,
    PathwayStatus,
    Urgency,
)

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


class AcknowledgementHoursSerializer(serializers.Serializer):
    """Hours within which the service acknowledges a referral, by urgency."""

    immediate = serializers.IntegerField(min_value=1, max_value=32767)
    within_24h = serializers.IntegerField(min_value=1, max_value=32767)
    within_72h = serializers.IntegerField(min_value=1, max_value=32767)
    routine = serializers.IntegerField(min_value=1, max_value=32767)


class NeedCategoriesField(serializers.ListField):
    child = serializers.ChoiceField(choices=NeedCategory.choices)


class ServiceSerializer(serializers.ModelSerializer):
    agency = AgencySummarySerializer(read_only=True)
    need_categories = NeedCategoriesField(read_only=True)
    service_areas = RegionSerializer(many=True, read_only=True)
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)
    acknowledgement_hours = serializers.SerializerMethodField()
    last_verified_by = StaffSerializer(read_only=True, allow_null=True)
    # Plain strings: an empty value is not a valid "uri"/"email" in the schema's terms.
    email = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "hsds_id",
            "agency",
            "name",
            "alternate_name",
            "description",
            "need_categories",
            "is_active",
            "intake_status",
            "minimum_age",
            "maximum_age",
            "eligibility_description",
            "service_areas",
            "languages",
            "email",
            "phone",
            "url",
            "contact_name",
            "opening_hours",
            "acknowledgement_hours",
            "last_verified_at",
            "last_verified_by",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(AcknowledgementHoursSerializer)
    def get_acknowledgement_hours(self, service: Service) -> dict[str, int]:
        return {urgency: service.acknowledgement_hours(urgency) for urgency in Urgency.values}


class ServiceWriteSerializer(serializers.ModelSerializer):
    """What an agency admin sends to create or change a service."""

    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        help_text="The owning agency; may be left out by an admin of exactly one agency.",
    )
    need_categories = NeedCategoriesField(allow_empty=False)
    service_areas = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Region.objects.all(),
        many=True,
        required=False,
        help_text="Region codes; empty means every region.",
    )
    languages = serializers.ListField(
        child=serializers.CharField(max_length=3),
        required=False,
        help_text="ISO 639-1 or 639-3 codes, e.g. ['en', 'pl'].",
    )
    acknowledgement_hours = AcknowledgementHoursSerializer(required=False)

    class Meta:
        model = Service
        fields = [
            "agency",
            "name",
            "alternate_name",
            "description",
            "need_categories",
            "is_active",
            "intake_status",
            "minimum_age",
            "maximum_age",
            "eligibility_description",
            "service_areas",
            "languages",
            "email",
            "phone",
            "url",
            "contact_name",
            "opening_hours",
            "acknowledgement_hours",
        ]

    def validate_languages(self, value: list[str]) -> list[str]:
        if any(not LANGUAGE_CODE.match(code) for code in value):
            raise serializers.ValidationError("Use ISO 639 codes such as 'en' or 'pl'.")
        return list(dict.fromkeys(value))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance
        low = attrs.get("minimum_age", getattr(instance, "minimum_age", None))
        high = attrs.get("maximum_age", getattr(instance, "maximum_age", None))
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError(
                {"maximum_age": "The maximum age must not be below the minimum age."}
            )
        hours = attrs.pop("acknowledgement_hours", None)
        if hours:
            attrs.update(
                {f"acknowledge_{urgency}_hours": value for urgency, value in hours.items()}
            )
        return attrs


class ServiceSummarySerializer(serializers.ModelSerializer):
    """A service as pathway steps and match results show it."""

    agency = AgencySummarySerializer(read_only=True)

    class Meta:
        model = Service
        fields = ["id", "name", "agency", "intake_status", "is_active"]
        read_only_fields = fields


class MatchServiceSerializer(serializers.ModelSerializer):
    agency = AgencySummarySerializer(read_only=True)
    need_categories = NeedCategoriesField(read_only=True)
    email = serializers.CharField(read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "agency",
            "need_categories",
            "intake_status",
            "minimum_age",
            "maximum_age",
            "phone",
            "email",
            "opening_hours",
        ]
        read_only_fields = fields


# --- pathways ---------------------------------------------------------------------------


class PathwayStepSerializer(serializers.ModelSerializer):
    service = ServiceSummarySerializer(read_only=True)

    class Meta:
        model = PathwayStep
        fields = ["position", "service", "response_hours", "note"]
        read_only_fields = fields


class PathwayStepWriteSerializer(serializers.Serializer):
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.filter(is_active=True))
    response_hours = serializers.IntegerField(
        min_value=1, max_value=32767, help_text="Hours within which this service should respond."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PathwaySerializer(serializers.ModelSerializer):
    agency = AgencySummarySerializer(read_only=True)
    regions = RegionSerializer(many=True, read_only=True)
    referring_agency_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=AgencyKind.choices), read_only=True
    )
    status = serializers.ChoiceField(choices=PathwayStatus.choices, read_only=True)
    steps = PathwayStepSerializer(many=True, read_only=True)

    class Meta:
        model = Pathway
        fields = [
            "id",
            "lineage",
            "version",
            "status",
            "agency",
            "name",
            "description",
            "need_category",
            "urgency",
            "minimum_age",
            "maximum_age",
            "regions",
            "referring_agency_kinds",
            "steps",
            "created_at",
            "updated_at",
            "published_at",
            "retired_at",
        ]
        read_only_fields = fields


class PathwayWriteSerializer(serializers.ModelSerializer):
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        help_text="The owning agency; may be left out by an admin of exactly one agency.",
    )
    regions = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Region.objects.all(),
        many=True,
        required=False,
        help_text="Region codes; empty means every region.",
    )
    referring_agency_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=AgencyKind.choices),
        required=False,
        help_text="Kinds of referring agency the route is for; empty means any.",
    )
    steps = PathwayStepWriteSerializer(many=True, required=False)

    class Meta:
        model = Pathway
        fields = [
            "agency",
            "name",
            "description",
            "need_category",
            "urgency",
            "minimum_age",
            "maximum_age",
            "regions",
            "referring_agency_kinds",
            "steps",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance
        low = attrs.get("minimum_age", getattr(instance, "minimum_age", None))
        high = attrs.get("maximum_age", getattr(instance, "maximum_age", None))
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError(
                {"maximum_age": "The maximum age must not be below the minimum age."}
            )
        services = [step["service"].pk for step in attrs.get("steps", [])]
        if len(services) != len(set(services)):
            raise serializers.ValidationError({"steps": "A service can appear only once."})
        return attrs


# --- matching ---------------------------------------------------------------------------


class MatchQuerySerializer(serializers.Serializer):
    need = serializers.ChoiceField(choices=NeedCategory.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    age = serializers.IntegerField(min_value=0, max_value=150, required=False)
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), required=False
    )
    referring_agency_kind = serializers.ChoiceField(
        choices=AgencyKind.choices,
        required=False,
        help_text="Defaults to the kind of the agency the caller is working for.",
    )


class MatchReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=MatchReasonCode.choices)
    detail = serializers.CharField()


class MatchPathwaySerializer(serializers.ModelSerializer):
    class Meta:
        model = Pathway
        fields = ["id", "lineage", "version", "name"]
        read_only_fields = fields


class MatchResultSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    source = serializers.ChoiceField(
        choices=MatchSource.choices,
        help_text="'pathway': a step of a published pathway; 'directory': another fitting service.",
    )
    service = MatchServiceSerializer()
    pathway = MatchPathwaySerializer(allow_null=True)
    step = serializers.IntegerField(allow_null=True, help_text="Position on the pathway.")
    response_hours = serializers.IntegerField(
        help_text="The pathway step's response time, or the service's acknowledgement time."
    )
    reasons = MatchReasonSerializer(many=True)


class MatchResponseSerializer(serializers.Serializer):
    need = serializers.ChoiceField(choices=NeedCategory.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    matches = MatchResultSerializer(many=True, help_text="Best first.")


# --- HSDS interchange -------------------------------------------------------------------


class HsdsDocumentSerializer(serializers.Serializer):
    """An Open Referral HSDS 3.0 document; each object follows the HSDS 3.0 schema."""

    hsds_version = serializers.CharField()
    organizations = serializers.ListField(child=serializers.DictField())
    services = serializers.ListField(child=serializers.DictField())
    locations = serializers.ListField(child=serializers.DictField())
    service_at_locations = serializers.ListField(child=serializers.DictField())


class ImportOutcomeSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=HsdsObjectType.choices)
    id = serializers.CharField(help_text="The record's HSDS id.")
    where = serializers.CharField(help_text="Where the record is in the file, e.g. services[2].")
    reason = serializers.CharField(help_text="Why a record was skipped; empty otherwise.")


class ImportReportSerializer(serializers.Serializer):
    created = ImportOutcomeSerializer(many=True)
    updated = ImportOutcomeSerializer(many=True)
    unchanged = ImportOutcomeSerializer(many=True)
    skipped = ImportOutcomeSerializer(many=True)


class VerifyAfterSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, required=False)
