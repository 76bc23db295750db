from django.contrib import admin

from notifications.models import Notification, SentReminder


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notifications are written by the services that raise them."""

    list_display = ["id", "recipient", "kind", "reference", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["reference"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    list_display = ["kind", "object_type", "object_id", "due_key", "recipient", "sent_at"]
    list_filter = ["kind"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
