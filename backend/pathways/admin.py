from django.contrib import admin

from pathways.models import Location, Pathway, PathwayStep, Service


class PathwayStepInline(admin.TabularInline):
    model = PathwayStep
    extra = 0
    raw_id_fields = ["service"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "intake_status", "is_active", "last_verified_at"]
    list_filter = ["intake_status", "is_active", "agency__region"]
    search_fields = ["name"]
    readonly_fields = ["hsds_id", "last_verified_at", "last_verified_by"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "location_type"]
    readonly_fields = ["hsds_id"]


@admin.register(Pathway)
class PathwayAdmin(admin.ModelAdmin):
    """Read-only here: versions change only through the API's publish and retire actions."""

    list_display = ["name", "version", "status", "agency", "need_category", "urgency"]
    list_filter = ["status", "need_category", "urgency"]
    inlines = [PathwayStepInline]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
