"""Child records in and out, minimised to what each viewer's agency has been told.

A field of a withheld category is left out of the response altogether (never blanked or
faked), and ``withheld_categories`` names the categories left out. A field that is present
but empty or null is simply not known.
"""

from typing import Any

from rest_framework import serializers

from agencies.models import Agency
from children.models import CHILD_CATEGORIES, FIELDS_BY_CATEGORY, Child, DuplicateCheck
from consent.models import DataCategory

MINIMISED_FIELDS = frozenset(name for names in FIELDS_BY_CATEGORY.values() for name in names)


class AgencyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "kind"]
        read_only_fields = fields


class GuardianContactSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    relationship = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)


class ChildFieldsMixin(serializers.Serializer):
    """The personal fields, shared by what comes in and what goes out."""

    given_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    preferred_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    gender = serializers.CharField(max_length=100, required=False, allow_blank=True)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=20
    )
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    guardian_contacts = GuardianContactSerializer(many=True, required=False, max_length=10)


class ChildWriteSerializer(ChildFieldsMixin):
    """Create (possibly with no details at all: an anonymous child) or complete a record."""

    def validate_date_of_birth(self, value: Any) -> Any:
        from django.utils import timezone

        if value is not None and value > timezone.localdate():
            raise serializers.ValidationError("The date of birth is in the future.")
        return value


class ChildSerializer(ChildFieldsMixin):
    """A child as one viewer may see it. Personal fields appear only for disclosed categories."""

    id = serializers.UUIDField(read_only=True)
    reference = serializers.CharField(read_only=True)
    is_anonymous = serializers.BooleanField(read_only=True)
    record_keeper = AgencyRefSerializer(source="created_by_agency", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    disclosed_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DataCategory.choices),
        read_only=True,
        help_text="Every category the viewer's agency may see about this child.",
    )
    withheld_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DataCategory.choices),
        read_only=True,
        help_text="Categories held in this record but not disclosed to the viewer's agency: "
        "their fields are left out of this response.",
    )

    def _visible_categories(self, instance: Child) -> set[str]:
        """Views pass the categories of a whole page at once (``context["categories"]``);
        otherwise they are worked out for this child and the requesting user, and without a
        request nothing personal is shown."""
        if "categories" in self.context:
            return self.context["categories"][instance.pk]
        request = self.context.get("request")
        if request is None:
            return set()
        from consent.services import categories_disclosed_to  # consent builds on children

        return categories_disclosed_to(request.user, instance)

    def to_representation(self, instance: Child) -> dict[str, Any]:
        visible = self._visible_categories(instance)
        instance.disclosed_categories = sorted(visible)
        instance.withheld_categories = [c for c in CHILD_CATEGORIES if c not in visible]
        shown = {
            name
            for category in CHILD_CATEGORIES
            if category in visible
            for name in FIELDS_BY_CATEGORY[category]
        }
        data = super().to_representation(instance)
        for name in MINIMISED_FIELDS - shown:
            data.pop(name, None)
        return data


class PossibleDuplicateSerializer(serializers.Serializer):
    references = serializers.ListField(
        child=serializers.CharField(),
        help_text="Earlier records with the same name and date of birth that you can see.",
    )
    duty_manager_asked = serializers.BooleanField(
        help_text="There are matches you cannot see: your duty manager has been asked to check."
    )
    message = serializers.CharField()


class ChildSavedSerializer(ChildSerializer):
    possible_duplicate = PossibleDuplicateSerializer(
        allow_null=True,
        help_text="Set when an earlier record has the same name and date of birth.",
    )


class AuditAccessSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    timestamp = serializers.DateTimeField()
    action = serializers.CharField()
    actor_username = serializers.CharField()
    agency = serializers.CharField(source="agency.name", allow_null=True, default=None)
    object_type = serializers.CharField()
    object_id = serializers.CharField()


class DuplicateCheckSerializer(serializers.ModelSerializer):
    # Each side sees the reference of its own record only: the check tells the two duty
    # managers to talk, not each other's case references.
    new_child_reference = serializers.SerializerMethodField(
        help_text="Shown to the duty managers of the agency that made the new record."
    )
    existing_child_reference = serializers.SerializerMethodField(
        help_text="Shown to the duty managers of the agency that holds the earlier record."
    )
    raising_agency = AgencyRefSerializer(read_only=True)
    holding_agency = AgencyRefSerializer(read_only=True)

    class Meta:
        model = DuplicateCheck
        fields = [
            "id",
            "new_child_reference",
            "existing_child_reference",
            "raising_agency",
            "holding_agency",
            "raised_at",
            "status",
            "resolved_at",
        ]
        read_only_fields = fields

    def get_new_child_reference(self, check: DuplicateCheck) -> str | None:
        if check.raising_agency_id in self.context["viewer_agency_ids"]:
            return check.new_child.reference
        return None

    def get_existing_child_reference(self, check: DuplicateCheck) -> str | None:
        if check.holding_agency_id in self.context["viewer_agency_ids"]:
            return check.existing_child.reference
        return None


class DuplicateResolutionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["same_child", "different_child"])
