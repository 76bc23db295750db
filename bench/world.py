"""The fixed part of a benchmark dataset: regions, agencies, staff and the directory.

Built through the ORM (a few thousand rows), then described by plain, picklable data
(:class:`World`) that the chunk builders in :mod:`bench.dataset` work from, in this process or
in forked workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from agencies.models import Agency, AgencyKind, Membership, Region, Role
from bench.servers import PASSWORD
from pathways.models import Service, ServiceNeed
from pathways.vocabulary import NeedCategory, Urgency

User = get_user_model()


KINDS = (
    AgencyKind.HELPLINE,
    AgencyKind.POLICE,
    AgencyKind.SOCIAL_SERVICES,
    AgencyKind.HEALTH,
    AgencyKind.NGO,
)
RECEIVING_KINDS = (AgencyKind.POLICE, AgencyKind.SOCIAL_SERVICES, AgencyKind.HEALTH, AgencyKind.NGO)

# Staff of one agency at full size, by kind: 50 people each.
STAFF: dict[str, tuple[tuple[str, int], ...]] = {
    AgencyKind.HELPLINE: (
        (Role.HELPLINE_WORKER, 40),
        (Role.DUTY_MANAGER, 6),
        (Role.AGENCY_ADMIN, 3),
        (Role.DPO, 1),
    ),
    AgencyKind.SOCIAL_SERVICES: (
        (Role.SOCIAL_WORKER, 30),
        (Role.PRACTITIONER, 10),
        (Role.DUTY_MANAGER, 6),
        (Role.AGENCY_ADMIN, 3),
        (Role.DPO, 1),
    ),
    **{
        kind: (
            (Role.PRACTITIONER, 40),
            (Role.DUTY_MANAGER, 6),
            (Role.AGENCY_ADMIN, 3),
            (Role.DPO, 1),
        )
        for kind in (AgencyKind.POLICE, AgencyKind.HEALTH, AgencyKind.NGO)
    },
}

# Two services per receiving agency, with the needs they meet.
SERVICES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    AgencyKind.POLICE: (
        ("Child Abuse Investigation Unit", ("police_investigation", "online_content_removal")),
        ("Victim Liaison", ("police_investigation", "court_support")),
    ),
    AgencyKind.SOCIAL_SERVICES: (
        ("Children's Safeguarding Team", ("family_support", "emergency_accommodation")),
        ("Family Support Service", ("family_support", "education_support", "relocation")),
    ),
    AgencyKind.HEALTH: (
        ("Sexual Assault Referral Centre", ("medical_care", "forensic_medical_examination")),
        ("Child and Adolescent Mental Health", ("mental_health", "therapy")),
    ),
    AgencyKind.NGO: (
        ("Therapeutic Support", ("therapy", "peer_support")),
        ("Independent Advocacy", ("legal_advocacy", "court_support", "financial_assistance")),
    ),
}

GIVEN = (
    *("Alex", "Sam", "Jo", "Kai", "Noor", "Amira", "Tom", "Lena", "Mia", "Ravi"),
    *("Zoe", "Leo", "Ada", "Omar", "Isla", "Finn", "Maya", "Eli", "Nia", "Theo"),
    *("Sara", "Yusuf", "Ivy", "Jonas", "Lea", "Aron", "Cleo", "Milan", "Ines", "Hugo"),
)
FAMILY = (
    *("Adams", "Baker", "Clarke", "Diaz", "Evans", "Fischer", "Garcia", "Hughes"),
    *("Ivanova", "Jones", "Khan", "Lopez", "Murphy", "Novak", "Okafor", "Patel"),
    *("Quinn", "Rossi", "Silva", "Turner", "Usman", "Varga", "Walsh", "Young", "Zielinska"),
)


@dataclass(frozen=True)
class Shape:
    """How big the fixed part is: regions, and what share of full staffing each agency has."""

    regions: int
    staff_share: float


SHAPES = {"tiny": Shape(regions=2, staff_share=0.1), "full": Shape(regions=10, staff_share=1.0)}


@dataclass
class ServiceInfo:
    id: int
    agency_id: int
    needs: tuple[str, ...]
    ack_hours: dict[str, int]


@dataclass
class AgencyInfo:
    id: int
    group_id: int
    kind: str
    region: int
    staff: dict[str, list[int]]
    services: list[ServiceInfo] = field(default_factory=list)

    def people(self, *roles: str) -> list[int]:
        return [user for role in roles for user in self.staff.get(role, [])]


@dataclass
class World:
    """Everything a chunk builder needs to know about the fixed part, as plain data."""

    now: datetime
    seed: int
    plaintext: bool
    agencies: list[AgencyInfo]
    permissions: dict[str, int]
    content_types: dict[str, int]

    def by_kind(self, kind: str, region: int | None = None) -> list[AgencyInfo]:
        return [
            a for a in self.agencies if a.kind == kind and (region is None or a.region == region)
        ]

    @property
    def regions(self) -> int:
        return 1 + max(a.region for a in self.agencies)


def username(kind: str, region: int, role: str, number: int) -> str:
    """``police-r01-practitioner-01``: who a generated person is, readable in results."""
    return f"{kind}-r{region + 1:02d}-{role}-{number:02d}"


@transaction.atomic
def build(shape: Shape, *, now: datetime, seed: int, plaintext: bool) -> World:
    """Create regions, agencies (with their groups), staff and services; describe them."""
    password = make_password(PASSWORD)
    regions = [
        Region.objects.create(name=f"Region {i + 1:02d}", code=f"r{i + 1:02d}")
        for i in range(shape.regions)
    ]
    agencies: list[AgencyInfo] = []
    for index, region in enumerate(regions):
        for kind in KINDS:
            agency = Agency.objects.create(
                name=f"{region.name} {AgencyKind(kind).label}",
                kind=kind,
                region=region,
                email=f"{kind}.{region.code}@agencies.example",
            )
            agencies.append(
                AgencyInfo(
                    id=agency.pk, group_id=agency.group_id, kind=kind, region=index, staff={}
                )
            )
    _staff(agencies, shape, password)
    _services(agencies, regions)
    wanted = {
        "view_child",
        "change_child",
        "view_consentrecord",
        "change_consentrecord",
        "view_referral",
        "view_disclosure",
        "view_caseplan",
    }
    permissions = {p.codename: p.pk for p in Permission.objects.filter(codename__in=wanted)}
    content_types = {
        label: ContentType.objects.get_by_natural_key(*label.split(".")).pk
        for label in ("children.child", "referrals.referral", "caseplans.caseplan")
    }
    return World(
        now=now,
        seed=seed,
        plaintext=plaintext,
        agencies=agencies,
        permissions=permissions,
        content_types=content_types,
    )


def _staff(agencies: list[AgencyInfo], shape: Shape, password: str) -> None:
    plan: list[tuple[AgencyInfo, str, int]] = []
    users = []
    for agency in agencies:
        for role, full in STAFF[agency.kind]:
            for number in range(1, max(1, round(full * shape.staff_share)) + 1):
                name = username(agency.kind, agency.region, role, number)
                users.append(
                    User(
                        username=name,
                        first_name=GIVEN[len(users) % len(GIVEN)],
                        last_name=FAMILY[len(users) % len(FAMILY)],
                        email=f"{name}@staff.example",
                        password=password,
                    )
                )
                plan.append((agency, role, len(users) - 1))
    created = User.objects.bulk_create(users, batch_size=1000)
    memberships = []
    groups = []
    for agency, role, position in plan:
        user = created[position]
        agency.staff.setdefault(role, []).append(user.pk)
        memberships.append(Membership(user=user, agency_id=agency.id, role=role))
        groups.append(User.groups.through(user_id=user.pk, group_id=agency.group_id))
    Membership.objects.bulk_create(memberships, batch_size=1000)
    User.groups.through.objects.bulk_create(groups, batch_size=1000, ignore_conflicts=True)


def _services(agencies: list[AgencyInfo], regions: list[Region]) -> None:
    for agency in agencies:
        for name, needs in SERVICES.get(agency.kind, ()):
            service = Service.objects.create(
                agency_id=agency.id,
                name=name,
                description=f"{name}, for children and young people up to 18.",
                minimum_age=0,
                maximum_age=18,
                languages=["en"],
                opening_hours="Mon-Fri 09:00-17:00",
            )
            ServiceNeed.objects.bulk_create(
                ServiceNeed(service=service, category=NeedCategory(need)) for need in needs
            )
            service.service_areas.set([regions[agency.region]])
            agency.services.append(
                ServiceInfo(
                    id=service.pk,
                    agency_id=agency.id,
                    needs=needs,
                    ack_hours={u: service.acknowledgement_hours(u) for u in Urgency.values},
                )
            )
