"""Who sees a referral through its grant tables (core.access): a grant to one of the person's
agency groups or to the person, looked up in one query however many groups they are in."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies import services as agency_services
from agencies.models import Role
from agencies.selectors import active_memberships
from core import access
from referrals.models import Referral
from tests.factories import member

pytestmark = pytest.mark.django_db

VIEW = "referrals.view_referral"


def visible(user) -> set:
    return set(access.visible_to(user, Referral.objects.all()).values_list("pk", flat=True))


def test_a_personal_grant_shows_one_referral_to_someone_outside_its_agencies(
    make_referral, other_agency
):
    sent, other = make_referral("sent"), make_referral("sent")
    person = member(other_agency, Role.SOCIAL_WORKER)
    assert visible(person) == set()
    assert not access.can(person, VIEW, sent)

    access.grant(["view_referral"], person, sent)
    assert visible(person) == {sent.pk}
    assert access.can(person, VIEW, sent)
    assert not access.can(person, VIEW, other)


def test_someone_in_two_agencies_sees_what_either_agency_was_granted(
    make_referral, police, other_agency
):
    sent = make_referral("sent")  # shared with the police on sending
    draft = make_referral("draft")
    access.grant(["view_referral"], other_agency, draft)
    person = member(other_agency, Role.SOCIAL_WORKER)
    assert visible(person) == {draft.pk}

    agency_services.add_membership(agency=police, user=person, role=Role.PRACTITIONER, by=None)
    assert visible(person) == {sent.pk, draft.pk}


def test_the_grants_a_person_holds_are_looked_up_in_one_query(make_referral, officer):
    sent = make_referral("sent")
    active_memberships(officer)  # fetched once a request, before any visibility look-up
    with CaptureQueriesContext(connection) as lookups:
        narrowed = access.visible_to(officer, Referral.objects.all())
    assert len(lookups.captured_queries) == 1
    assert list(narrowed.values_list("pk", flat=True)) == [sent.pk]
