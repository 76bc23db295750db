from rest_framework import serializers

from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    """The one wire format of a notification: REST pages and WebSocket pushes alike."""

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "reference",
            "text",
            "created_at",
            "read_at",
            "object_type",
            "object_id",
        ]
        read_only_fields = fields


class NotificationListQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(
        required=False, default=False, help_text="Only notifications not yet read."
    )
    after = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="Only notifications newer than this id, oldest first: catch-up after a "
        "reconnect, without gaps.",
    )


class ReadAllSerializer(serializers.Serializer):
    up_to = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="Mark read only up to this id (the newest one shown), so a notification "
        "that arrived meanwhile stays unread.",
    )


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class ReadAllResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked read.")
