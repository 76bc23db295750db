"""A governance world: North Social Services with a duty manager and two DPOs, and a child
recorded in the South that nobody in the North can see."""

from datetime import date

import pytest

from agencies.models import Agency, AgencyKind, Role
from tests.factories import AgencyFactory, child_record, member

MISSING = "00000000-0000-0000-0000-000000000000"
REASON = "Police report the child missing tonight; need contacts urgently."


@pytest.fixture
def duty_manager(social_services: Agency, dpo: object) -> object:
    """Of an agency with a DPO, who reviews the duty manager's emergency accesses."""
    return member(social_services, Role.DUTY_MANAGER)


@pytest.fixture
def dpo(social_services: Agency) -> object:
    return member(social_services, Role.DPO)


@pytest.fixture
def second_dpo(social_services: Agency) -> object:
    return member(social_services, Role.DPO)


@pytest.fixture
def south_dpo(other_agency: Agency) -> object:
    return member(other_agency, Role.DPO)


@pytest.fixture
def south_child(other_agency: Agency) -> object:
    """Recorded in the South; hidden from everyone in the North."""
    return child_record(
        other_agency, given_name="Noor", family_name="Hale", date_of_birth=date(2011, 5, 6)
    )


@pytest.fixture
def bystander(north: object) -> object:
    """A practitioner in a third agency: sees neither child."""
    health = AgencyFactory(name="North Health", kind=AgencyKind.HEALTH, region=north)
    return member(health, Role.PRACTITIONER)


def break_glass_url(child: object | str) -> str:
    pk = getattr(child, "pk", child)
    return f"/api/v1/children/{pk}/break-glass/"
