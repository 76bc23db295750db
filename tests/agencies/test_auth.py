import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from agencies.models import Role
from tests.factories import TEST_PASSWORD, AgencyFactory, member

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
ME = "/api/v1/auth/me/"
LOGOUT = "/api/v1/auth/logout/"


def csrf_client() -> tuple[APIClient, str]:
    client = APIClient(enforce_csrf_checks=True)
    token = client.get("/api/v1/auth/csrf/").json()["csrf_token"]
    return client, token


def test_login_me_logout_round_trip(social_worker):
    client, token = csrf_client()
    response = client.post(
        LOGIN,
        {"username": social_worker.username, "password": TEST_PASSWORD},
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["username"] == social_worker.username
    assert body["agencies"][0]["roles"] == [Role.SOCIAL_WORKER]
    assert "caseplans.lead" in body["permissions"]

    me = client.get(ME)
    assert me.status_code == 200
    assert me.json()["id"] == social_worker.pk

    new_token = client.cookies["csrftoken"].value
    assert client.post(LOGOUT, HTTP_X_CSRFTOKEN=new_token).status_code == 204
    assert client.get(ME).status_code in (401, 403)


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(social_worker):
    client, token = csrf_client()
    response = client.post(
        LOGIN, {"username": social_worker.username, "password": "nope"}, HTTP_X_CSRFTOKEN=token
    )
    unknown = client.post(LOGIN, {"username": "nobody", "password": "nope"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == unknown.status_code == 401
    assert response.json()["detail"] == unknown.json()["detail"]


def test_login_requires_csrf_token(social_worker):
    client = APIClient(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": social_worker.username, "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_session_writes_require_csrf(social_worker):
    client, token = csrf_client()
    client.post(
        LOGIN,
        {"username": social_worker.username, "password": TEST_PASSWORD},
        HTTP_X_CSRFTOKEN=token,
    )
    response = client.post(LOGOUT)
    assert response.status_code == 403
    assert client.get(ME).status_code == 200, "a refused write must not have signed the user out"


def test_person_without_active_membership_cannot_sign_in():
    agency = AgencyFactory()
    user = member(agency, Role.PRACTITIONER)
    user.memberships.update(is_active=False)
    client, token = csrf_client()
    response = client.post(
        LOGIN, {"username": user.username, "password": TEST_PASSWORD}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 401


def test_login_attempts_are_throttled_per_username(social_worker):
    client, token = csrf_client()
    codes = [
        client.post(
            LOGIN, {"username": social_worker.username, "password": "wrong"}, HTTP_X_CSRFTOKEN=token
        ).status_code
        for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]
    # Even the right password waits until the window has passed.
    right = client.post(
        LOGIN,
        {"username": social_worker.username, "password": TEST_PASSWORD},
        HTTP_X_CSRFTOKEN=token,
    )
    assert right.status_code == 429


def test_unauthenticated_calls_get_a_json_401():
    response = APIClient().get("/api/v1/agencies/")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_authenticated"


def test_token_authentication_works_and_tokens_are_stored_hashed_and_revocable(social_worker):
    instance, raw = AuthToken.objects.create(user=social_worker)
    assert raw not in instance.digest, "only a digest of the token may be stored"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.get(ME).status_code == 200
    instance.delete()
    assert client.get(ME).status_code == 401


def test_active_agency_switch_is_limited_to_own_agencies(social_worker, other_agency, client_for):
    second = AgencyFactory()
    from agencies import services

    services.add_membership(agency=second, user=social_worker, role=Role.PRACTITIONER, by=None)
    client = client_for(social_worker)
    switched = client.post("/api/v1/auth/active-agency/", {"agency": second.pk})
    assert switched.status_code == 200
    assert switched.json()["active_agency"] == second.pk
    assert "caseplans.lead" not in switched.json()["permissions"]
    assert (
        client.post("/api/v1/auth/active-agency/", {"agency": other_agency.pk}).status_code == 404
    )
