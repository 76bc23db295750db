"""The agency a caller acts for in a request (agencies.api.acting), used by every app that
records who did something on behalf of which agency."""

import pytest
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from agencies.api.acting import acting_agency
from agencies.models import Role
from agencies.selectors import ACTIVE_AGENCY_SESSION_KEY
from tests.factories import AgencyFactory, member

pytestmark = pytest.mark.django_db


def _request(user: object, chosen: int | None = None) -> Request:
    request = Request(APIRequestFactory().get("/"))
    request.user = user
    request._request.session = {ACTIVE_AGENCY_SESSION_KEY: chosen} if chosen else {}
    return request


@pytest.fixture
def second_agency(social_services):
    return AgencyFactory(name="North Youth Service", region=social_services.region)


@pytest.fixture
def worker(social_services, second_agency):
    """A social worker in both agencies, and an admin in the second only."""
    person = member(social_services, Role.SOCIAL_WORKER)
    member(second_agency, Role.SOCIAL_WORKER, username=person.username)
    member(second_agency, Role.AGENCY_ADMIN, username=person.username)
    return person


def test_the_agency_chosen_this_session_when_the_role_is_held_there(worker, second_agency):
    chosen = acting_agency(_request(worker, second_agency.pk), [Role.SOCIAL_WORKER])
    assert chosen == second_agency


def test_otherwise_the_first_agency_where_the_role_is_held(worker, social_services, second_agency):
    admin_work = acting_agency(_request(worker, social_services.pk), [Role.AGENCY_ADMIN])
    assert admin_work == second_agency


def test_nobody_acts_for_an_agency_without_the_role(worker):
    with pytest.raises(PermissionDenied):
        acting_agency(_request(worker), [Role.DPO])
