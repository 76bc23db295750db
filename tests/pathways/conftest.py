"""A small directory to test with: services in two regions and a way to make pathways."""

import pytest

from agencies.models import Agency, AgencyKind, Role
from pathways import services
from pathways.models import Pathway, Service
from pathways.vocabulary import IntakeStatus, NeedCategory, Urgency
from tests.factories import AgencyFactory, member


def make_service(agency: Agency, name: str, needs: list[str], **fields: object) -> Service:
    regions = fields.pop("regions", [agency.region])
    return services.create_service(
        actor=None,
        agency=agency,
        need_categories=needs,
        service_areas=regions,
        name=name,
        **fields,
    )


def make_pathway(
    agency: Agency,
    steps: list[tuple[Service, int]],
    *,
    publish: bool = True,
    **fields: object,
) -> Pathway:
    regions = fields.pop("regions", [agency.region])
    defaults = {
        "name": "Online exploitation",
        "need_category": NeedCategory.POLICE_INVESTIGATION,
        "urgency": Urgency.IMMEDIATE,
    }
    pathway = services.create_pathway(
        actor=None,
        agency=agency,
        steps=[services.StepSpec(service, hours) for service, hours in steps],
        regions=regions,
        **{**defaults, **fields},
    )
    if publish:
        pathway = services.publish_pathway(pathway, actor=None)
    return Pathway.objects.get(pk=pathway.pk)


@pytest.fixture
def police(north) -> Agency:
    return AgencyFactory(name="North Police", kind=AgencyKind.POLICE, region=north)


@pytest.fixture
def ngo(north) -> Agency:
    return AgencyFactory(name="North NGO", kind=AgencyKind.NGO, region=north)


@pytest.fixture
def south_police(south) -> Agency:
    return AgencyFactory(name="South Police", kind=AgencyKind.POLICE, region=south)


@pytest.fixture
def police_admin(police) -> object:
    return member(police, Role.AGENCY_ADMIN)


@pytest.fixture
def investigation(police) -> Service:
    return make_service(
        police, "Child Abuse Investigation Unit", [NeedCategory.POLICE_INVESTIGATION]
    )


@pytest.fixture
def closed_service(ngo) -> Service:
    return make_service(
        ngo,
        "Closed Investigation Support",
        [NeedCategory.POLICE_INVESTIGATION],
        intake_status=IntakeStatus.CLOSED,
    )
