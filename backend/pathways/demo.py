"""Demo directory: services of every demo agency in North and South, and published pathways.

Idempotent: services are found by agency and name, pathways by agency and name (any
version), so running ``seed_demo`` again adds nothing.
"""

from collections.abc import Callable
from typing import NamedTuple

from django.contrib.auth import get_user_model

from agencies.demo import REGIONS, demo_agency
from agencies.models import AgencyKind, Region
from pathways import services
from pathways.models import Location, Pathway, Service, ServiceAtLocation
from pathways.vocabulary import IntakeStatus, NeedCategory, Urgency

User = get_user_model()


class DemoService(NamedTuple):
    kind: AgencyKind
    name: str
    needs: tuple[NeedCategory, ...]
    description: str
    hours: str
    ages: tuple[int | None, int | None] = (None, 17)
    acknowledge: tuple[int, int, int, int] = (1, 4, 24, 72)
    languages: tuple[str, ...] = ("en",)


N = NeedCategory
SERVICES = [
    DemoService(
        AgencyKind.POLICE,
        "Child Abuse Investigation Unit",
        (N.POLICE_INVESTIGATION,),
        "Specialist officers investigate sexual abuse and exploitation of children, "
        "including online offending, and take part in joint strategy meetings.",
        "24 hours, every day",
        acknowledge=(1, 2, 12, 48),
    ),
    DemoService(
        AgencyKind.SOCIAL_SERVICES,
        "Family Support Service",
        (N.FAMILY_SUPPORT,),
        "Child protection social work: assessment, safety planning and support for the "
        "child and their family.",
        "Mon-Fri 08:30-17:00; out-of-hours duty team at other times",
        ages=(None, 18),
    ),
    DemoService(
        AgencyKind.SOCIAL_SERVICES,
        "Emergency Accommodation for Young People",
        (N.EMERGENCY_ACCOMMODATION,),
        "Same-day safe placements for children and young people who cannot stay at home.",
        "24 hours, every day",
        ages=(10, 18),
        acknowledge=(1, 2, 24, 72),
    ),
    DemoService(
        AgencyKind.SOCIAL_SERVICES,
        "Safe Relocation Service",
        (N.RELOCATION,),
        "Planned moves for a child and family away from an exploiter's reach.",
        "Mon-Fri 09:00-17:00",
        ages=(None, 18),
        acknowledge=(2, 8, 48, 120),
    ),
    DemoService(
        AgencyKind.SOCIAL_SERVICES,
        "Crisis Financial Assistance",
        (N.FINANCIAL_ASSISTANCE,),
        "Emergency grants for travel, food and essentials while a child is kept safe.",
        "Mon-Fri 09:00-17:00",
        ages=(None, 25),
        acknowledge=(4, 8, 48, 120),
    ),
    DemoService(
        AgencyKind.HEALTH,
        "Sexual Assault Referral Centre",
        (N.FORENSIC_MEDICAL_EXAMINATION, N.MEDICAL_CARE),
        "Forensic medical examination by paediatric forensic physicians, with emergency "
        "contraception and follow-up care.",
        "24 hours, every day (examinations by appointment within 72 hours)",
    ),
    DemoService(
        AgencyKind.HEALTH,
        "Young People's Sexual Health Clinic",
        (N.SEXUAL_HEALTH,),
        "Confidential testing, treatment and advice for young people.",
        "Mon-Sat 10:00-19:00",
        ages=(13, 24),
        acknowledge=(2, 8, 24, 96),
    ),
    DemoService(
        AgencyKind.HEALTH,
        "Child and Adolescent Mental Health Service",
        (N.MENTAL_HEALTH,),
        "Assessment and treatment for children and young people after abuse, with a crisis "
        "line for urgent risk.",
        "Mon-Fri 09:00-17:00; crisis line 24 hours",
        acknowledge=(1, 8, 48, 168),
    ),
    DemoService(
        AgencyKind.HEALTH,
        "Paediatric Urgent Care",
        (N.MEDICAL_CARE,),
        "Urgent medical assessment and treatment of injuries and illness.",
        "24 hours, every day",
        ages=(None, 16),
    ),
    DemoService(
        AgencyKind.NGO,
        "Therapeutic Recovery Programme",
        (N.THERAPY,),
        "Trauma-focused therapy for children and young people who have been sexually abused "
        "or exploited, including online.",
        "Mon-Fri 09:00-20:00",
        ages=(4, 18),
        acknowledge=(4, 24, 72, 168),
    ),
    DemoService(
        AgencyKind.NGO,
        "Independent Legal Advocacy for Children",
        (N.LEGAL_ADVOCACY,),
        "Independent advocates explain the child's rights and speak up for them with police, "
        "courts and services.",
        "Mon-Fri 09:00-17:00",
        ages=(None, 18),
        acknowledge=(4, 24, 48, 120),
    ),
    DemoService(
        AgencyKind.NGO,
        "Court Companion Service",
        (N.COURT_SUPPORT,),
        "Pre-trial visits, special measures planning and a companion on the day.",
        "Mon-Fri 09:00-17:00",
        ages=(None, 18),
        acknowledge=(8, 24, 72, 168),
    ),
    DemoService(
        AgencyKind.NGO,
        "Peer Support Groups",
        (N.PEER_SUPPORT,),
        "Facilitated groups where young survivors support each other.",
        "Weekly evening groups",
        ages=(12, 21),
        acknowledge=(24, 48, 72, 168),
    ),
    DemoService(
        AgencyKind.NGO,
        "Online Image Removal Support",
        (N.ONLINE_CONTENT_REMOVAL,),
        "Helps young people report and remove sexual images of themselves from platforms "
        "and hash lists.",
        "Mon-Fri 09:00-18:00",
        ages=(None, 18),
        acknowledge=(2, 8, 24, 72),
    ),
    DemoService(
        AgencyKind.HELPLINE,
        "Child Helpline",
        (N.HELPLINE_SUPPORT,),
        "Free, confidential phone and chat support for children and young people.",
        "24 hours, every day",
        ages=(None, 18),
        acknowledge=(1, 1, 4, 24),
    ),
]

# The South's services differ a little, so the directory shows every intake status.
SOUTH_INTAKE = {
    "Therapeutic Recovery Programme": IntakeStatus.WAITLIST,
    "Peer Support Groups": IntakeStatus.CLOSED,
}
SECOND_LANGUAGE = {"north": "pl", "south": "cy"}


class DemoPathway(NamedTuple):
    name: str
    description: str
    need: NeedCategory
    urgency: Urgency
    steps: tuple[tuple[str, int], ...]


PATHWAYS = [
    DemoPathway(
        "Online sexual exploitation — immediate risk",
        "A child is being groomed or exploited online and may meet the offender or be harmed soon.",
        N.POLICE_INVESTIGATION,
        Urgency.IMMEDIATE,
        (
            ("Child Abuse Investigation Unit", 1),
            ("Family Support Service", 2),
            ("Online Image Removal Support", 24),
            ("Child and Adolescent Mental Health Service", 48),
        ),
    ),
    DemoPathway(
        "Disclosure of abuse — within 24h",
        "A child has disclosed sexual abuse and is safe for now.",
        N.FAMILY_SUPPORT,
        Urgency.WITHIN_24H,
        (
            ("Family Support Service", 24),
            ("Child Abuse Investigation Unit", 24),
            ("Sexual Assault Referral Centre", 24),
            ("Therapeutic Recovery Programme", 168),
        ),
    ),
    DemoPathway(
        "Recent sexual assault — forensic examination",
        "A sexual assault happened in the last seven days: preserve evidence and give care.",
        N.FORENSIC_MEDICAL_EXAMINATION,
        Urgency.IMMEDIATE,
        (
            ("Sexual Assault Referral Centre", 1),
            ("Child Abuse Investigation Unit", 1),
            ("Independent Legal Advocacy for Children", 72),
        ),
    ),
]


def _seed_region(code: str, region: Region) -> tuple[int, int]:
    admin = User.objects.filter(username=f"admin.{code}").first()
    created_services = 0
    by_name: dict[str, Service] = {}
    for spec in SERVICES:
        agency = demo_agency(code, spec.kind)
        service = Service.objects.filter(agency=agency, name=spec.name).first()
        if service is None:
            low, high = spec.ages
            service = services.create_service(
                actor=None,
                agency=agency,
                need_categories=[need.value for need in spec.needs],
                service_areas=[region],
                name=spec.name,
                description=spec.description,
                opening_hours=spec.hours,
                minimum_age=low,
                maximum_age=high,
                languages=[*spec.languages, SECOND_LANGUAGE[code]],
                intake_status=SOUTH_INTAKE.get(spec.name, IntakeStatus.ACCEPTING)
                if code == "south"
                else IntakeStatus.ACCEPTING,
                email=agency.email,
                phone=agency.phone,
                **{
                    f"acknowledge_{urgency}_hours": hours
                    for urgency, hours in zip(Urgency.values, spec.acknowledge, strict=True)
                },
            )
            if admin is not None and spec.kind == AgencyKind.SOCIAL_SERVICES:
                services.verify_service(service, actor=admin)
            created_services += 1
        by_name[spec.name] = service
        office, _ = Location.objects.get_or_create(
            agency=agency,
            name=f"{agency.name} office",
            defaults={
                "address_1": "1 Civic Square",
                "city": f"{region.name}ton",
                "state_province": region.name,
                "postal_code": "AB1 2CD",
                "country": "GB",
            },
        )
        ServiceAtLocation.objects.get_or_create(service=service, location=office)
    owner = demo_agency(code, AgencyKind.SOCIAL_SERVICES)
    created_pathways = 0
    for spec in PATHWAYS:
        if Pathway.objects.filter(agency=owner, name=spec.name).exists():
            continue
        pathway = services.create_pathway(
            actor=admin,
            agency=owner,
            steps=[services.StepSpec(by_name[name], hours) for name, hours in spec.steps],
            regions=[region],
            name=spec.name,
            description=spec.description,
            need_category=spec.need,
            urgency=spec.urgency,
            maximum_age=17,
        )
        services.publish_pathway(pathway, actor=admin)
        created_pathways += 1
    return created_services, created_pathways


def seed(log: Callable[[str], None]) -> None:
    added_services = added_pathways = 0
    for code in REGIONS:
        region = Region.objects.get(code=code)
        new_services, new_pathways = _seed_region(code, region)
        added_services += new_services
        added_pathways += new_pathways
    log(
        f"Directory: {Service.objects.count()} services ({added_services} new), "
        f"{Pathway.objects.count()} pathway versions ({added_pathways} new)"
    )
