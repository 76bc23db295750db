"""What DRF shows for a serializer's declared fields, for serializers that build their
representation directly: the two must not drift apart."""

from typing import Any

from rest_framework import serializers


def field_by_field(serializer: serializers.Serializer, instance: object) -> dict[str, Any]:
    """``serializer``'s fields shown one by one as ``Serializer.to_representation`` shows them,
    nested serializers included (whatever their own ``to_representation`` does)."""
    shown: dict[str, Any] = {}
    for field in serializer._readable_fields:
        value = field.get_attribute(instance)
        if value is None:
            shown[field.field_name] = None
        elif isinstance(field, serializers.Serializer):
            shown[field.field_name] = field_by_field(field, value)
        else:
            shown[field.field_name] = field.to_representation(value)
    return shown
