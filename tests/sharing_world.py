"""A small world for children and consent tests: a helpline that records a child, the police
and health services it may share with, and people in every role that matters.

Imported by ``tests/children/conftest.py`` and ``tests/consent/conftest.py``.
"""

from datetime import date

import pytest

from agencies.models import Agency, AgencyKind, Role
from tests.factories import AgencyFactory, child_record, member


@pytest.fixture
def helpline(north) -> Agency:
    return AgencyFactory(name="North Child Helpline", kind=AgencyKind.HELPLINE, region=north)


@pytest.fixture
def police(north) -> Agency:
    return AgencyFactory(name="North Police", kind=AgencyKind.POLICE, region=north)


@pytest.fixture
def health(north) -> Agency:
    return AgencyFactory(name="North Health", kind=AgencyKind.HEALTH, region=north)


@pytest.fixture
def helpline_worker(helpline):
    return member(helpline, Role.HELPLINE_WORKER)


@pytest.fixture
def helpline_duty_manager(helpline):
    return member(helpline, Role.DUTY_MANAGER)


@pytest.fixture
def helpline_dpo(helpline):
    return member(helpline, Role.DPO)


@pytest.fixture
def helpline_admin(helpline):
    return member(helpline, Role.AGENCY_ADMIN)


@pytest.fixture
def officer(police):
    return member(police, Role.PRACTITIONER)


@pytest.fixture
def police_duty_manager(police):
    return member(police, Role.DUTY_MANAGER)


@pytest.fixture
def south_worker(other_agency):
    """A case worker in another region: sees none of the North's children."""
    return member(other_agency, Role.SOCIAL_WORKER)


@pytest.fixture
def south_duty_manager(other_agency):
    return member(other_agency, Role.DUTY_MANAGER)


@pytest.fixture
def south_dpo(other_agency):
    return member(other_agency, Role.DPO)


@pytest.fixture
def child(helpline, helpline_worker):
    """A child recorded by the helpline, with identity and contact details."""
    return child_record(
        helpline,
        by=helpline_worker,
        given_name="Amelia",
        family_name="Stone",
        date_of_birth=date(2011, 5, 4),
        gender="female",
        phone="07700 900123",
        address="1 Example Street",
        languages=["English", "Polish"],
        guardian_contacts=[
            {"name": "Marta Stone", "relationship": "mother", "phone": "07700 900456"}
        ],
    )
