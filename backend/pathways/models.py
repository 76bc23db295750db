"""The referral pathway directory: services (Open Referral HSDS 3.0 aligned) and pathways.

HSDS mapping: the agency is the HSDS ``organization`` (its HSDS id and any HSDS fields the
platform does not use live in :class:`OrganizationRecord`), :class:`Service` is ``service``,
:class:`Location` is ``location`` and :class:`ServiceAtLocation` is ``service_at_location``.
Every entry keeps its HSDS id for idempotent import and stable export, and ``hsds_extra``
keeps the HSDS fields the platform does not use so that they survive an export.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from agencies.models import Agency, AgencyKind, Region
from pathways.vocabulary import (
    IntakeStatus,
    LocationType,
    NeedCategory,
    PathwayStatus,
    Urgency,
)


class OrganizationRecord(models.Model):
    """An agency seen as an HSDS organization: its HSDS id and the HSDS fields kept for it."""

    agency = models.OneToOneField(Agency, on_delete=models.PROTECT, related_name="hsds_record")
    hsds_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    description = models.TextField(blank=True)
    hsds_extra = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"HSDS organization {self.hsds_id}"


class Location(models.Model):
    """Where an agency delivers services (HSDS ``location``), physical or virtual."""

    hsds_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    location_type = models.CharField(
        max_length=16, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    url = models.URLField(blank=True)
    address_1 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state_province = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code.")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    hsds_extra = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agency__name", "name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A directory entry that staff refer to (HSDS ``service``). Never deleted; deactivated."""

    hsds_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    alternate_name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    intake_status = models.CharField(
        max_length=16, choices=IntakeStatus.choices, default=IntakeStatus.ACCEPTING
    )
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    eligibility_description = models.TextField(blank=True)
    service_areas = models.ManyToManyField(
        Region, related_name="directory_services", blank=True, help_text="Empty: every region."
    )
    languages = models.JSONField(
        default=list, blank=True, help_text="ISO 639-1 or 639-3 codes, e.g. ['en', 'pl']."
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    url = models.URLField(blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    opening_hours = models.TextField(blank=True, help_text="e.g. 'Mon-Fri 09:00-17:00'.")
    # Hours within which the service acknowledges a referral of each urgency (referral SLAs).
    acknowledge_immediate_hours = models.PositiveSmallIntegerField(default=1)
    acknowledge_within_24h_hours = models.PositiveSmallIntegerField(default=4)
    acknowledge_within_72h_hours = models.PositiveSmallIntegerField(default=24)
    acknowledge_routine_hours = models.PositiveSmallIntegerField(default=72)
    last_verified_at = models.DateTimeField(null=True, blank=True)
    last_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    locations = models.ManyToManyField(
        Location, through="ServiceAtLocation", related_name="services", blank=True
    )
    hsds_extra = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agency__name", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(minimum_age__lte=models.F("maximum_age")),
                name="service_age_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(acknowledge_immediate_hours__gte=1)
                & Q(acknowledge_within_24h_hours__gte=1)
                & Q(acknowledge_within_72h_hours__gte=1)
                & Q(acknowledge_routine_hours__gte=1),
                name="service_acknowledgement_hours_positive",
            ),
            models.CheckConstraint(
                condition=Q(intake_status__in=IntakeStatus.values),
                name="service_intake_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["is_active", "intake_status"])]

    def __str__(self) -> str:
        return self.name

    def acknowledgement_hours(self, urgency: Urgency | str) -> int:
        """Hours this service gives itself to acknowledge a referral of ``urgency``."""
        return getattr(self, f"acknowledge_{Urgency(urgency).value}_hours")

    @property
    def need_categories(self) -> list[str]:
        """The service's need categories, in vocabulary order (uses prefetched rows)."""
        held = {need.category for need in self.needs.all()}
        return [value for value in NeedCategory.values if value in held]

    def serves_age(self, age: int) -> bool:
        return (self.minimum_age is None or self.minimum_age <= age) and (
            self.maximum_age is None or age <= self.maximum_age
        )


class ServiceNeed(models.Model):
    """One need category a service meets (a row each, so matching filters in the database)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="needs")
    category = models.CharField(max_length=40, choices=NeedCategory.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "category"], name="service_need_unique"),
            models.CheckConstraint(
                condition=Q(category__in=NeedCategory.values), name="service_need_in_vocabulary"
            ),
        ]
        indexes = [models.Index(fields=["category", "service"])]

    def __str__(self) -> str:
        return self.category


class ServiceAtLocation(models.Model):
    """A service delivered at a location (HSDS ``service_at_location``)."""

    hsds_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="at_services")
    description = models.TextField(blank=True)
    hsds_extra = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "location"], name="service_at_location_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}@{self.location_id}"


class Pathway(ConcurrentTransitionMixin, models.Model):
    """One version of a maintained route from a situation to an ordered list of services.

    Versions of the same pathway share ``lineage``; ``version`` counts them from 1. A draft
    is edited in place; editing a published version creates the next draft version, and
    publishing it retires the version it replaces, so each lineage has at most one published
    and one draft version at any moment (enforced by the database). Referrals record the
    version (this row) they followed.
    """

    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="pathways")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    need_category = models.CharField(max_length=40, choices=NeedCategory.choices)
    urgency = models.CharField(max_length=16, choices=Urgency.choices)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    regions = models.ManyToManyField(
        Region, related_name="pathways", blank=True, help_text="Empty: every region."
    )
    referring_agency_kinds = models.JSONField(
        default=list, blank=True, help_text="Agency kinds this route is for; empty: any."
    )
    status = FSMField(
        max_length=16, choices=PathwayStatus.choices, default=PathwayStatus.DRAFT, protected=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="pathway_version_unique"),
            models.UniqueConstraint(
                fields=["lineage"],
                condition=Q(status=PathwayStatus.PUBLISHED),
                name="pathway_one_published_version",
            ),
            models.UniqueConstraint(
                fields=["lineage"],
                condition=Q(status=PathwayStatus.DRAFT),
                name="pathway_one_draft_version",
            ),
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(minimum_age__lte=models.F("maximum_age")),
                name="pathway_age_range_ordered",
            ),
        ]
        indexes = [models.Index(fields=["status", "need_category"])]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @transition(field=status, source=PathwayStatus.DRAFT, target=PathwayStatus.PUBLISHED)
    def publish(self) -> None:
        """Make this version the one staff follow (see ``services.publish_pathway``)."""

    @transition(
        field=status,
        source=[PathwayStatus.DRAFT, PathwayStatus.PUBLISHED],
        target=PathwayStatus.RETIRED,
    )
    def retire(self) -> None:
        """Stop offering this version; it stays readable for the referrals that followed it."""

    def fits_age(self, age: int) -> bool:
        return (self.minimum_age is None or self.minimum_age <= age) and (
            self.maximum_age is None or age <= self.maximum_age
        )

    def fits_referrer(self, kind: AgencyKind | str | None) -> bool:
        return (
            not self.referring_agency_kinds or kind is None or kind in self.referring_agency_kinds
        )


class PathwayStep(models.Model):
    """One service on a pathway, in order, with the time within which it should respond."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="pathway_steps")
    response_hours = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["pathway", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "position"], name="pathway_step_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(response_hours__gte=1), name="pathway_step_response_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pathway_id} step {self.position}"
