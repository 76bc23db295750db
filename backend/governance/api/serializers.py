from rest_framework import serializers

from agencies.api.serializers import StaffSerializer
from children.models import Child
from core.access import visible_to
from governance.models import BreakGlassAccess, LegalHold, ReviewStatus

REASON_HELP = "Why: kept encrypted, shown to the reviewing DPO. At least a sentence."


class BreakGlassRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=10, max_length=2000, help_text=REASON_HELP)


class BreakGlassAccessSerializer(serializers.ModelSerializer):
    child_reference = serializers.CharField(source="child.reference", read_only=True)
    user = StaffSerializer(read_only=True)
    reviewed_by = StaffSerializer(read_only=True, allow_null=True)

    class Meta:
        model = BreakGlassAccess
        fields = [
            "id",
            "child",
            "child_reference",
            "user",
            "agency",
            "role",
            "reason",
            "granted_at",
            "expires_at",
            "revoked_at",
            "review_status",
            "reviewed_by",
            "reviewed_at",
            "review_note",
        ]
        read_only_fields = fields


class BreakGlassReviewSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[ReviewStatus.APPROPRIATE, ReviewStatus.INAPPROPRIATE],
        help_text="Inappropriate ends the access at once if it is still open.",
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Required when the access was inappropriate.",
    )

    def validate(self, attrs: dict) -> dict:
        if attrs["outcome"] == ReviewStatus.INAPPROPRIATE and not attrs.get("note", "").strip():
            raise serializers.ValidationError({"note": ["Say why the access was inappropriate."]})
        return attrs


class LegalHoldSerializer(serializers.ModelSerializer):
    child_reference = serializers.CharField(source="child.reference", read_only=True)
    placed_by = StaffSerializer(read_only=True)
    released_by = StaffSerializer(read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = LegalHold
        fields = [
            "id",
            "child",
            "child_reference",
            "agency",
            "reason",
            "placed_by",
            "placed_at",
            "released_by",
            "released_at",
            "release_note",
            "is_active",
        ]
        read_only_fields = fields


class LegalHoldCreateSerializer(serializers.Serializer):
    child = serializers.PrimaryKeyRelatedField(
        queryset=Child.objects.all(), help_text="A child record I may see."
    )
    reason = serializers.CharField(min_length=10, max_length=2000, help_text=REASON_HELP)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # A record the caller may not see answers as if it did not exist.
            fields["child"].queryset = visible_to(request.user, Child.objects.all())
        return fields


class ReleaseSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
