"""Demo regions, agencies and staff (DESIGN.md §5). Password for everyone: ``demo``."""

from collections.abc import Callable
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from agencies import services
from agencies.models import Agency, AgencyKind, Region, Role

User = get_user_model()
DEMO_PASSWORD = "demo"  # noqa: S105  (demo data only; seed_demo refuses when DEBUG is off)

REGIONS = {"north": "North", "south": "South"}

AGENCIES: dict[AgencyKind, str] = {
    AgencyKind.HELPLINE: "{region} Child Helpline",
    AgencyKind.POLICE: "{region} Police",
    AgencyKind.SOCIAL_SERVICES: "{region} Social Services",
    AgencyKind.HEALTH: "{region} Health",
    AgencyKind.NGO: "{region} NGO",
}


class DemoUser(NamedTuple):
    username: str
    first_name: str
    last_name: str
    region: str
    agency_kind: AgencyKind
    role: Role


USERS = [
    DemoUser("helpline.north", "Hana", "Hill", "north", AgencyKind.HELPLINE, Role.HELPLINE_WORKER),
    DemoUser(
        "social.north", "Sam", "North", "north", AgencyKind.SOCIAL_SERVICES, Role.SOCIAL_WORKER
    ),
    DemoUser("duty.north", "Dara", "Dunn", "north", AgencyKind.SOCIAL_SERVICES, Role.DUTY_MANAGER),
    DemoUser("police.north", "Pat", "Price", "north", AgencyKind.POLICE, Role.PRACTITIONER),
    DemoUser("health.north", "Harper", "Hale", "north", AgencyKind.HEALTH, Role.PRACTITIONER),
    DemoUser("ngo.north", "Noor", "Nash", "north", AgencyKind.NGO, Role.PRACTITIONER),
    DemoUser("admin.north", "Ari", "Adams", "north", AgencyKind.SOCIAL_SERVICES, Role.AGENCY_ADMIN),
    DemoUser("dpo.north", "Dee", "Palmer", "north", AgencyKind.SOCIAL_SERVICES, Role.DPO),
    DemoUser("helpline.south", "Hugo", "Shaw", "south", AgencyKind.HELPLINE, Role.HELPLINE_WORKER),
    DemoUser(
        "social.south", "Sasha", "South", "south", AgencyKind.SOCIAL_SERVICES, Role.SOCIAL_WORKER
    ),
    DemoUser("duty.south", "Devi", "Stone", "south", AgencyKind.SOCIAL_SERVICES, Role.DUTY_MANAGER),
    DemoUser("police.south", "Perry", "Stokes", "south", AgencyKind.POLICE, Role.PRACTITIONER),
    DemoUser(
        "admin.south", "Alex", "Sloane", "south", AgencyKind.SOCIAL_SERVICES, Role.AGENCY_ADMIN
    ),
]


def demo_agency(region_code: str, kind: AgencyKind) -> Agency:
    return Agency.objects.get(name=AGENCIES[kind].format(region=REGIONS[region_code]))


def seed(log: Callable[[str], None]) -> None:
    for code, name in REGIONS.items():
        region, _ = Region.objects.get_or_create(code=code, defaults={"name": name})
        for kind, pattern in AGENCIES.items():
            agency_name = pattern.format(region=name)
            domain = agency_name.lower().replace(" ", "-")
            Agency.objects.get_or_create(
                name=agency_name,
                defaults={
                    "kind": kind,
                    "region": region,
                    "email": f"duty@{domain}.example",
                    "phone": "0300 000 0000",
                },
            )
    # One hash of the public demo password for every demo person: each hash is deliberately
    # slow to compute, and a salt of their own would protect no secret here.
    demo_password = make_password(DEMO_PASSWORD)
    for person in USERS:
        user, created = User.objects.get_or_create(
            username=person.username,
            defaults={"first_name": person.first_name, "last_name": person.last_name},
        )
        if created:
            user.password = demo_password
            user.save(update_fields=["password"])
        services.add_membership(
            agency=demo_agency(person.region, person.agency_kind),
            user=user,
            role=person.role,
            by=None,
        )
    log(f"Agencies: {Agency.objects.count()}, demo staff: {len(USERS)}")
