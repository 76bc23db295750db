"""Demo children: some known by name, some still anonymous, recorded by the demo helplines
and social services. All names and details are invented.

Idempotent: each demo child has a fixed id, so running ``seed_demo`` again adds nothing.
One pair of records (North and South social services, same name and date of birth) raises
a duplicate check for both duty managers.
"""

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model

from agencies.demo import demo_agency
from agencies.models import AgencyKind
from children import services
from children.models import Child

User = get_user_model()
_NAMESPACE = uuid.UUID("6f0f8a3e-2f0c-4d7e-9d1c-5a1c3b0e7c11")


def demo_child_id(key: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, key)


class DemoChild(NamedTuple):
    key: str
    recorded_by: str
    region: str
    agency_kind: AgencyKind
    details: dict[str, Any]


CHILDREN = [
    DemoChild(
        "amira",
        "helpline.north",
        "north",
        AgencyKind.HELPLINE,
        {
            "given_name": "Amira",
            "family_name": "Khan",
            "date_of_birth": date(2010, 3, 14),
            "gender": "female",
            "phone": "07700 900101",
            "address": "12 Orchard Row, Northtown",
            "languages": ["English", "Urdu"],
            "guardian_contacts": [
                {"name": "Sana Khan", "relationship": "mother", "phone": "07700 900102"}
            ],
        },
    ),
    DemoChild("anonymous-caller", "helpline.north", "north", AgencyKind.HELPLINE, {}),
    DemoChild(
        "leo",
        "helpline.north",
        "north",
        AgencyKind.HELPLINE,
        {
            "given_name": "Leo",
            "family_name": "Fischer",
            "date_of_birth": date(2009, 11, 2),
            "gender": "male",
            "email": "leo.f@example.org",
            "languages": ["English", "German"],
        },
    ),
    DemoChild(
        "maya",
        "social.north",
        "north",
        AgencyKind.SOCIAL_SERVICES,
        {
            "given_name": "Maya",
            "family_name": "Okafor",
            "date_of_birth": date(2011, 7, 21),
            "gender": "female",
            "address": "4 Mill Lane, Northtown",
            "guardian_contacts": [
                {"name": "Grace Okafor", "relationship": "foster carer", "phone": "07700 900111"}
            ],
        },
    ),
    DemoChild(
        "sofia-north",
        "social.north",
        "north",
        AgencyKind.SOCIAL_SERVICES,
        {"given_name": "Sofia", "family_name": "Marsh", "date_of_birth": date(2012, 1, 9)},
    ),
    DemoChild(
        "anonymous-south", "social.south", "south", AgencyKind.SOCIAL_SERVICES, {"gender": "male"}
    ),
    DemoChild(
        "tom",
        "social.south",
        "south",
        AgencyKind.SOCIAL_SERVICES,
        {
            "given_name": "Tom",
            "family_name": "Reed",
            "date_of_birth": date(2008, 5, 30),
            "gender": "male",
            "phone": "07700 900131",
        },
    ),
    # The same child as "sofia-north", recorded again in the South: a duplicate check.
    DemoChild(
        "sofia-south",
        "social.south",
        "south",
        AgencyKind.SOCIAL_SERVICES,
        {"given_name": "sofia", "family_name": "MARSH", "date_of_birth": date(2012, 1, 9)},
    ),
]


def demo_child(key: str) -> Child:
    return Child.objects.get(pk=demo_child_id(key))


def seed(log: Callable[[str], None]) -> None:
    created = 0
    for entry in CHILDREN:
        pk = demo_child_id(entry.key)
        if Child.objects.filter(pk=pk).exists():
            continue
        services.record_child(
            actor=User.objects.get(username=entry.recorded_by),
            agency=demo_agency(entry.region, entry.agency_kind),
            pk=pk,
            **entry.details,
        )
        created += 1
    log(f"Children: {Child.objects.count()} ({created} new)")
