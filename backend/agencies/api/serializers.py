from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from rest_framework import serializers

from agencies.models import Agency, Membership, Region, Role

User = get_user_model()


# A region and an agency summary are shown in nearly every row of every list (both agencies of
# each referral in an inbox page), so they are built directly rather than field by field:
# DRF's path costs about 1.6 ms a page of 50 referrals for the same dictionaries. The declared
# fields still make the schema; tests/agencies/test_summaries.py holds the two to each other.


def _region(pk: int, name: str, code: str) -> dict[str, Any]:
    return {"id": pk, "name": name, "code": code}


def _summary(pk: int, name: str, kind: str, region: dict[str, Any]) -> dict[str, Any]:
    return {"id": pk, "name": name, "kind": kind, "region": region}


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "name", "code"]

    def to_representation(self, region: Region) -> dict[str, Any]:
        return _region(region.pk, region.name, region.code)


class AgencySummarySerializer(serializers.ModelSerializer):
    region = RegionSerializer(read_only=True)

    class Meta:
        model = Agency
        fields = ["id", "name", "kind", "region"]

    def to_representation(self, agency: Agency) -> dict[str, Any]:
        region = agency.region
        return _summary(
            agency.pk, agency.name, agency.kind, _region(region.pk, region.name, region.code)
        )


# A list query that selects columns rather than model instances (``QuerySet.values``) shows
# an agency it refers to by ``path`` (``"to_agency"``, say) from these columns.
_SUMMARY_COLUMNS = ("", "__name", "__kind", "__region", "__region__name", "__region__code")


def summary_columns(path: str) -> tuple[str, ...]:
    """The columns to select for the agency at ``path``, for :func:`summary_of_row`."""
    return tuple(path + suffix for suffix in _SUMMARY_COLUMNS)


def summary_of_row(row: Mapping[str, Any], path: str) -> dict[str, Any]:
    """The :class:`AgencySummarySerializer` representation of the agency at ``path``."""
    region = _region(
        row[f"{path}__region"], row[f"{path}__region__name"], row[f"{path}__region__code"]
    )
    return _summary(row[path], row[f"{path}__name"], row[f"{path}__kind"], region)


class AgencySerializer(serializers.ModelSerializer):
    region = RegionSerializer(read_only=True)

    class Meta:
        model = Agency
        fields = [
            "id",
            "name",
            "kind",
            "region",
            "email",
            "phone",
            "address",
            "website",
            "is_active",
        ]
        read_only_fields = ["id", "kind", "region", "is_active"]


class StaffSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    user = StaffSerializer(read_only=True)
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    username = serializers.CharField(write_only=True, max_length=150)
    first_name = serializers.CharField(write_only=True, required=False, max_length=150)
    last_name = serializers.CharField(write_only=True, required=False, max_length=150)
    email = serializers.EmailField(write_only=True, required=False)
    password = serializers.CharField(
        write_only=True,
        required=False,
        style={"input_type": "password"},
        help_text="Only for a new person: their first password.",
    )
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "agency",
            "role",
            "is_active",
            "created_at",
            "ended_at",
            "username",
            "first_name",
            "last_name",
            "email",
            "password",
        ]
        read_only_fields = ["id", "user", "is_active", "created_at", "ended_at"]

    def validate_password(self, value: str) -> str:
        validate_password(value)
        return value


class MembershipRoleSerializer(serializers.Serializer):
    agency = AgencySummarySerializer()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    agencies = MembershipRoleSerializer(many=True)
    active_agency = serializers.IntegerField(allow_null=True)
    permissions = serializers.ListField(
        child=serializers.CharField(),
        help_text="What the interface may offer, e.g. 'referrals.create', 'audit.view'.",
    )


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=4096, style={"input_type": "password"}, trim_whitespace=False
    )
    otp_token = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="The second factor in the same call: an authenticator-app code or a "
        "recovery code (otherwise give it afterwards to auth/mfa/verify/).",
    )


class ActiveAgencySerializer(serializers.Serializer):
    agency = serializers.IntegerField()


class CsrfSerializer(serializers.Serializer):
    csrf_token = serializers.CharField()
