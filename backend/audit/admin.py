from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only, and only the platform itself appends."""

    list_display = ["sequence", "timestamp", "actor_username", "agency", "action", "object_type"]
    list_filter = ["action"]
    search_fields = ["object_type", "object_id", "request_id", "actor_username"]
    list_select_related = ["agency"]
    ordering = ["-sequence"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
