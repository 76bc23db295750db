"""Sessions end by themselves (idle, absolute) and all at once (sign-out, account disabled)."""

import time

import pytest
from django.contrib.sessions.models import Session
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import sessions
from accounts.models import UserSession
from agencies import services as agency_services
from agencies.models import Membership, Role
from audit.models import AuditAction, AuditEvent
from tests.accounts.conftest import LOGOUT, ME
from tests.factories import member

pytestmark = pytest.mark.django_db


def signed_in(user: object) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def restamp(client: APIClient, **stamps: float) -> None:
    session = client.session
    for key, value in stamps.items():
        session[key] = value
    session.save()


def test_idle_session_ends_and_is_recorded(social_worker):
    client = signed_in(social_worker)
    assert client.get(ME).status_code == 200
    key = client.session.session_key
    restamp(client, **{sessions.SEEN_AT: time.time() - 15 * 60 - 1})

    assert client.get(ME).status_code == 401
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    event = AuditEvent.objects.filter(action=AuditAction.LOGOUT).order_by("-sequence").first()
    assert event.actor == social_worker
    assert event.details == {"reason": "idle"}


def test_busy_session_still_ends_at_the_absolute_limit(social_worker):
    client = signed_in(social_worker)
    now = time.time()
    restamp(client, **{sessions.STARTED_AT: now - 12 * 3600 - 1, sessions.SEEN_AT: now})
    response = client.get(ME)
    assert response.status_code == 401
    event = AuditEvent.objects.filter(action=AuditAction.LOGOUT).order_by("-sequence").first()
    assert event.details == {"reason": "absolute"}


def test_limits_come_from_settings(settings, social_worker):
    settings.SESSION_IDLE_TIMEOUT = 60
    client = signed_in(social_worker)
    restamp(client, **{sessions.SEEN_AT: time.time() - 61})
    assert client.get(ME).status_code == 401

    settings.SESSION_IDLE_TIMEOUT = 15 * 60
    settings.SESSION_ABSOLUTE_TIMEOUT = 3600
    client = signed_in(social_worker)
    restamp(client, **{sessions.STARTED_AT: time.time() - 3601})
    assert client.get(ME).status_code == 401


def test_activity_keeps_the_session_and_is_stamped_at_most_once_a_minute(social_worker):
    client = signed_in(social_worker)
    recent = int(time.time()) - 30
    restamp(client, **{sessions.SEEN_AT: recent})
    assert client.get(ME).status_code == 200
    assert client.session[sessions.SEEN_AT] == recent, "not rewritten within the minute"

    restamp(client, **{sessions.SEEN_AT: time.time() - 14 * 60})
    assert client.get(ME).status_code == 200
    assert time.time() - client.session[sessions.SEEN_AT] < 5


def test_session_without_stamps_counts_as_ended(social_worker):
    client = signed_in(social_worker)
    session = client.session
    del session[sessions.STARTED_AT]
    session.save()
    assert client.get(ME).status_code == 401


def test_sign_out_ends_every_session_of_that_person_only(social_worker, outsider):
    laptop, phone, other = signed_in(social_worker), signed_in(social_worker), signed_in(outsider)
    AuthToken.objects.create(social_worker)

    assert laptop.post(LOGOUT).status_code == 204
    assert laptop.get(ME).status_code == 401
    assert phone.get(ME).status_code == 401
    assert other.get(ME).status_code == 200
    assert not UserSession.objects.filter(user=social_worker).exists()
    assert UserSession.objects.filter(user=outsider).count() == 1
    assert AuthToken.objects.filter(user=social_worker).exists(), "tokens stay on sign-out"
    logout = AuditEvent.objects.filter(action=AuditAction.LOGOUT).order_by("-sequence").first()
    assert logout.details == {"sessions": 2}


def test_disabling_an_account_ends_its_sessions_and_revokes_its_tokens(social_worker, outsider):
    client, other = signed_in(social_worker), signed_in(outsider)
    AuthToken.objects.create(social_worker)
    AuthToken.objects.create(outsider)
    tokens = APIClient()
    tokens.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(social_worker)[1]}")

    social_worker.is_active = False
    social_worker.save()

    assert client.get(ME).status_code == 401
    assert tokens.get(ME).status_code == 401
    assert not AuthToken.objects.filter(user=social_worker).exists()
    assert AuthToken.objects.filter(user=outsider).count() == 1
    assert other.get(ME).status_code == 200
    event = AuditEvent.objects.filter(action=AuditAction.REVOKE).order_by("-sequence").first()
    assert event.object_id == str(social_worker.pk)
    assert event.details == {"reason": "account_disabled", "sessions": 1, "tokens": 2}


def test_ending_the_last_role_ends_sessions_and_tokens(social_services, other_agency, agency_admin):
    person = member(social_services, Role.PRACTITIONER)
    agency_services.add_membership(
        agency=other_agency, user=person, role=Role.PRACTITIONER, by=None
    )
    client = signed_in(person)
    AuthToken.objects.create(person)

    first, second = Membership.objects.filter(user=person).order_by("pk")
    agency_services.end_membership(first, by=agency_admin)
    assert client.get(ME).status_code == 200, "another role remains"
    assert AuthToken.objects.filter(user=person).exists()

    agency_services.end_membership(second, by=agency_admin)
    assert client.get(ME).status_code in (401, 403)
    assert not UserSession.objects.filter(user=person).exists()
    assert not AuthToken.objects.filter(user=person).exists()


def test_sign_in_forgets_sessions_that_have_gone(social_worker):
    old = signed_in(social_worker)
    old_key = old.session.session_key
    Session.objects.filter(session_key=old_key).delete()
    signed_in(social_worker)
    keys = set(UserSession.objects.filter(user=social_worker).values_list("session_key", flat=True))
    assert old_key not in keys
    assert len(keys) == 1
