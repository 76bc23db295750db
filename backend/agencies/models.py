"""Agencies, the regions they serve, and the staff memberships that give people their roles."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    SOCIAL_SERVICES = "social_services", "Social services"
    HEALTH = "health", "Health"
    HELPLINE = "helpline", "Child helpline"
    HOTLINE = "hotline", "Reporting hotline"
    EDUCATION = "education", "Education"
    NGO = "ngo", "NGO"
    JUSTICE = "justice", "Justice"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    HELPLINE_WORKER = "helpline_worker", "Helpline worker"
    SOCIAL_WORKER = "social_worker", "Social worker"
    PRACTITIONER = "practitioner", "Practitioner"
    DUTY_MANAGER = "duty_manager", "Duty manager"
    AGENCY_ADMIN = "agency_admin", "Agency admin"
    DPO = "dpo", "Data protection officer"


class Region(models.Model):
    name = models.CharField(max_length=100, unique=True)
    code = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=AgencyKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="agencies")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    address = models.TextField(blank=True)
    website = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)
    # Object permissions are granted to this group; every active member belongs to it.
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="agency", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        if self.group_id is None:
            self.group = Group.objects.create(name=f"agency:{self.name}"[:150])
        super().save(*args, **kwargs)


class Membership(models.Model):
    """A person's role in one agency. A person may hold several, in one or more agencies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agency__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="membership_unique_role"
            ),
        ]
        indexes = [models.Index(fields=["agency", "role", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.agency}"
