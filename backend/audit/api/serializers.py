from django.contrib.auth import get_user_model
from rest_framework import serializers

from agencies.models import Agency
from audit.models import AuditAction, AuditEvent
from audit.services import ChainProblem

User = get_user_model()


class AuditActorSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name"]
        read_only_fields = fields


class AuditAgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name"]
        read_only_fields = fields


class AuditEventSerializer(serializers.ModelSerializer):
    actor = AuditActorSerializer(read_only=True, allow_null=True)
    agency = AuditAgencySerializer(read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "sequence",
            "timestamp",
            "actor",
            "actor_username",
            "agency",
            "action",
            "object_type",
            "object_id",
            "request_id",
            "details",
            "previous_hash",
            "hash",
        ]
        read_only_fields = fields


class AuditFilterSerializer(serializers.Serializer):
    """Query parameters of the audit list; times are ISO 8601 (use ``Z`` for UTC)."""

    actor = serializers.IntegerField(required=False, min_value=1, help_text="A user id.")
    object_type = serializers.CharField(
        required=False, max_length=100, help_text="app_label.model, e.g. referrals.referral"
    )
    object_id = serializers.CharField(required=False, max_length=100)
    action = serializers.ChoiceField(required=False, choices=AuditAction.choices)
    since = serializers.DateTimeField(required=False, help_text="At or after this moment.")
    until = serializers.DateTimeField(required=False, help_text="Before this moment.")

    def validate(self, attrs: dict) -> dict:
        if "since" in attrs and "until" in attrs and attrs["since"] >= attrs["until"]:
            raise serializers.ValidationError({"until": "Must be after 'since'."})
        return attrs


class ChainVerificationSerializer(serializers.Serializer):
    intact = serializers.BooleanField()
    checked = serializers.IntegerField(help_text="Events whose hash and link were recomputed.")
    last_sequence = serializers.IntegerField(help_text="The last event found intact.")
    last_hash = serializers.CharField()
    first_broken_sequence = serializers.IntegerField(allow_null=True)
    problem = serializers.ChoiceField(choices=ChainProblem.choices, allow_null=True)
    summary = serializers.CharField()
