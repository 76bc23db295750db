"""Sign-in, sign-out, token use, staff and agency changes, and refusals land on the trail."""

import json

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from agencies.models import Membership, Role
from audit.models import AuditAction, AuditEvent
from audit.services import verify_chain
from tests.factories import TEST_PASSWORD, member

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/auth/me/"


def csrf_client() -> tuple[APIClient, str]:
    client = APIClient(enforce_csrf_checks=True)
    token = client.get("/api/v1/auth/csrf/").json()["csrf_token"]
    return client, token


def newest(action: AuditAction | None = None) -> AuditEvent:
    events = AuditEvent.objects.select_related("actor", "agency")
    if action is not None:
        events = events.filter(action=action)
    return events.order_by("-sequence").first()


def actions_since(sequence: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(sequence__gt=sequence)
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def head() -> int:
    last = newest()
    return last.sequence if last else 0


def test_sign_in_and_sign_out_are_audited(social_worker, social_services):
    client, token = csrf_client()
    response = client.post(
        LOGIN,
        {"username": social_worker.username, "password": TEST_PASSWORD},
        HTTP_X_CSRFTOKEN=token,
        HTTP_X_REQUEST_ID="login-request-0001",
    )
    assert response.status_code == 200

    login = newest(AuditAction.LOGIN)
    assert login.actor == social_worker
    assert login.agency == social_services
    assert login.request_id == "login-request-0001"

    mark = head()
    assert (
        client.post(LOGOUT, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value).status_code == 204
    )
    assert actions_since(mark) == [AuditAction.LOGOUT]
    assert newest(AuditAction.LOGOUT).actor == social_worker


def test_failed_sign_in_names_a_real_account_once(social_worker):
    client, token = csrf_client()
    mark = head()
    response = client.post(
        LOGIN, {"username": social_worker.username, "password": "wrong"}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 401

    assert actions_since(mark) == [AuditAction.LOGIN_FAILED], "one event, not also 'denied'"
    failed = newest(AuditAction.LOGIN_FAILED)
    assert failed.actor == social_worker
    assert failed.details == {"account_known": True, "reason": "wrong_credentials"}


def test_failed_sign_in_never_stores_what_was_typed():
    typed = "Tr0ub4dor&3-typed-in-the-wrong-box"
    client, token = csrf_client()
    response = client.post(LOGIN, {"username": typed, "password": "x"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 401

    failed = newest(AuditAction.LOGIN_FAILED)
    assert failed.actor is None
    assert failed.details == {"account_known": False, "reason": "wrong_credentials"}
    stored = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert typed not in stored


def test_sign_in_without_an_active_role_is_recorded_as_such(social_services):
    person = member(social_services, Role.PRACTITIONER)
    person.memberships.update(is_active=False)
    client, token = csrf_client()
    response = client.post(
        LOGIN, {"username": person.username, "password": TEST_PASSWORD}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 401
    failed = newest(AuditAction.LOGIN_FAILED)
    assert failed.actor == person
    assert failed.details["reason"] == "no_active_membership"


def test_each_request_made_with_a_token_is_audited(social_worker):
    token, key = AuthToken.objects.create(user=social_worker)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    mark = head()

    assert client.get(ME).status_code == 200
    assert client.get(ME).status_code == 200

    uses = AuditEvent.objects.filter(sequence__gt=mark, action=AuditAction.TOKEN_USE)
    assert uses.count() == 2
    use = uses.first()
    assert use.actor == social_worker
    assert (use.object_type, use.object_id) == ("knox.authtoken", token.token_key)
    assert token.digest not in json.dumps(list(uses.values()), default=str)
    assert len({u.request_id for u in uses}) == 2, "one event per request"


def test_a_bad_token_is_a_recorded_refusal():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token-at-all")
    assert client.get(ME).status_code == 401

    denied = newest(AuditAction.DENIED)
    assert denied.actor is None
    assert denied.details["code"] == "authentication_failed"
    assert "not-a-real-token" not in json.dumps(denied.details)


def test_a_forbidden_call_is_a_recorded_refusal(social_worker, social_services, client_for):
    response = client_for(social_worker).patch(
        f"/api/v1/agencies/{social_services.pk}/", {"phone": "1"}
    )
    assert response.status_code == 403

    denied = newest(AuditAction.DENIED)
    assert denied.actor == social_worker
    assert (denied.object_type, denied.object_id) == ("agencies.agency", str(social_services.pk))
    assert denied.details["code"] == "permission_denied"
    assert denied.details["method"] == "PATCH"


def test_an_anonymous_call_is_a_recorded_refusal():
    assert APIClient().get(ME).status_code in (401, 403)
    denied = newest(AuditAction.DENIED)
    assert denied.actor is None
    assert denied.details["code"] == "not_authenticated"


def test_agency_changes_are_audited_with_field_names_only(
    agency_admin, social_services, client_for
):
    response = client_for(agency_admin).patch(
        f"/api/v1/agencies/{social_services.pk}/", {"phone": "0300 999 0000"}
    )
    assert response.status_code == 200

    update = newest(AuditAction.UPDATE)
    assert update.actor == agency_admin
    assert (update.object_type, update.object_id) == ("agencies.agency", str(social_services.pk))
    assert update.details == {"fields": ["phone"]}
    assert "0300 999 0000" not in json.dumps(update.details)


def test_staff_changes_are_audited(agency_admin, social_services, client_for):
    client = client_for(agency_admin)
    created = client.post(
        "/api/v1/memberships/",
        {
            "agency": social_services.pk,
            "username": "new.worker",
            "role": Role.SOCIAL_WORKER,
            "password": "a long enough passphrase",
        },
    )
    assert created.status_code == 201
    membership = Membership.objects.get(pk=created.json()["id"])

    account = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="auth.user")
    assert account.object_id == str(membership.user_id)
    assert account.actor == agency_admin
    role = AuditEvent.objects.get(
        action=AuditAction.CREATE,
        object_type="agencies.membership",
        object_id=str(membership.pk),
    )
    assert role.details == {
        "user": membership.user_id,
        "role": "social_worker",
        "reactivated": False,
    }

    assert client.delete(f"/api/v1/memberships/{membership.pk}/").status_code == 204
    ended = newest(AuditAction.DELETE_SOFT)
    assert (ended.object_id, ended.actor) == (str(membership.pk), agency_admin)
    assert ended.agency == social_services
    assert verify_chain().intact
