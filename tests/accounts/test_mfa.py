"""A second factor (TOTP, recovery codes) for every staff sign-in outside demo mode."""

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from audit.models import AuditAction, AuditEvent
from tests.accounts.conftest import ME, code_for, enrol
from tests.factories import member

pytestmark = pytest.mark.django_db

STATUS = "/api/v1/auth/mfa/"
VERIFY = "/api/v1/auth/mfa/verify/"
TOTP_START = "/api/v1/auth/mfa/totp/"
TOTP_CONFIRM = "/api/v1/auth/mfa/totp/confirm/"
RECOVERY = "/api/v1/auth/mfa/recovery-codes/"


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED = True


def newest(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-sequence").first()


def test_first_sign_in_must_set_up_an_app_and_nothing_else_is_reachable(
    required, browser, social_worker
):
    me = browser()
    response = me.sign_in(social_worker)
    assert response.status_code == 401
    assert response.json()["code"] == "second_factor_enrolment_required"

    refused = me.get(ME)
    assert refused.status_code == 401
    assert refused.json()["code"] == "second_factor_required"
    assert me.get("/api/v1/children/").status_code == 401
    assert me.get(STATUS).json() == {
        "required": True,
        "verified": False,
        "enrolled": False,
        "recovery_codes_left": 0,
    }

    started = me.post(TOTP_START)
    assert started.status_code == 201
    uri = started.json()["otpauth_uri"]
    assert uri.startswith("otpauth://totp/")
    assert started.json()["secret"] in uri
    device = TOTPDevice.objects.get(user=social_worker)
    assert not device.confirmed

    wrong = me.post(TOTP_CONFIRM, {"otp_token": "000000" if code_for(device) != "000000" else "1"})
    assert wrong.status_code == 400
    assert me.get(ME).status_code == 401

    confirmed = me.post(TOTP_CONFIRM, {"otp_token": code_for(device)})
    assert confirmed.status_code == 200
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == services.RECOVERY_CODE_COUNT == len(set(codes))
    assert me.get(ME).status_code == 200
    assert me.get(STATUS).json()["verified"] is True


def test_sign_in_without_the_code_is_refused_until_it_is_given(required, browser, social_worker):
    device = enrol(social_worker)
    me = browser()
    response = me.sign_in(social_worker)
    assert response.status_code == 401
    assert response.json()["code"] == "second_factor_required"
    assert me.get(ME).status_code == 401
    login = newest(AuditAction.LOGIN)
    assert login.actor == social_worker
    assert login.details == {"stage": "password"}

    verified = me.post(VERIFY, {"otp_token": code_for(device)})
    assert verified.status_code == 200
    assert verified.json()["username"] == social_worker.username
    assert me.get(ME).status_code == 200
    assert newest(AuditAction.LOGIN).details == {
        "stage": "second_factor",
        "device": "otp_totp.totpdevice",
    }


def test_code_with_the_password_signs_in_at_once(required, browser, social_worker):
    device = enrol(social_worker)
    me = browser()
    response = me.sign_in(social_worker, otp_token=code_for(device))
    assert response.status_code == 200
    assert me.get(ME).status_code == 200


def test_wrong_code_is_refused_and_makes_no_session(required, browser, social_worker):
    device = enrol(social_worker)
    good = code_for(device)
    me = browser()
    response = me.sign_in(social_worker, otp_token=str((int(good) + 1) % 10**6).zfill(6))
    assert response.status_code == 401
    assert response.json()["code"] == "second_factor_invalid"
    assert me.get(ME).status_code == 401
    assert me.get(STATUS).status_code == 401, "no session, not even a pending one"
    failed = newest(AuditAction.LOGIN_FAILED)
    assert failed.actor == social_worker
    assert failed.details["reason"] == "wrong_second_factor"


def test_a_wrong_code_at_the_second_step_keeps_the_session_pending(
    required, browser, social_worker
):
    device = enrol(social_worker)
    me = browser()
    me.sign_in(social_worker)
    good = code_for(device)
    refused = me.post(VERIFY, {"otp_token": str((int(good) + 1) % 10**6).zfill(6)})
    assert refused.status_code == 401
    assert refused.json()["code"] == "second_factor_invalid"
    assert me.get(ME).status_code == 401
    assert me.post(VERIFY, {"otp_token": good}).status_code == 200


def test_recovery_code_works_once(required, browser, social_worker):
    enrol(social_worker)
    codes = services.replace_recovery_codes(social_worker, request=None)

    first = browser()
    assert first.sign_in(social_worker, otp_token=codes[0].upper()).status_code == 200
    assert first.get(ME).status_code == 200
    assert services.recovery_codes_left(social_worker) == len(codes) - 1

    again = browser()
    response = again.sign_in(social_worker, otp_token=codes[0])
    assert response.status_code == 401
    assert response.json()["code"] == "second_factor_invalid"

    pending = browser()
    pending.sign_in(social_worker)
    assert pending.post(VERIFY, {"otp_token": codes[1]}).status_code == 200
    assert pending.get(ME).status_code == 200


def test_password_alone_cannot_replace_the_app_or_the_recovery_codes(
    required, browser, social_worker
):
    device = enrol(social_worker)
    services.replace_recovery_codes(social_worker, request=None)
    before = set(StaticToken.objects.values_list("token", flat=True))
    me = browser()
    me.sign_in(social_worker)
    assert me.post(TOTP_START).status_code == 403
    assert me.post(TOTP_CONFIRM, {"otp_token": "123456"}).status_code == 403
    assert me.post(RECOVERY).status_code == 403
    assert list(TOTPDevice.objects.filter(user=social_worker)) == [device]
    assert set(StaticToken.objects.values_list("token", flat=True)) == before


def test_signed_in_person_replaces_app_and_codes(required, browser, social_worker):
    old = enrol(social_worker)
    old_codes = services.replace_recovery_codes(social_worker, request=None)
    me = browser()
    me.sign_in(social_worker, otp_token=code_for(old))

    new_codes = me.post(RECOVERY).json()["recovery_codes"]
    assert not set(new_codes) & set(old_codes)
    assert services.recovery_codes_left(social_worker) == len(new_codes)

    me.post(TOTP_START)
    new = TOTPDevice.objects.get(user=social_worker, confirmed=False)
    assert me.post(TOTP_CONFIRM, {"otp_token": code_for(new)}).status_code == 200
    assert list(TOTPDevice.objects.filter(user=social_worker)) == [new]
    assert me.get(ME).status_code == 200, "the session is verified by the new app"


def test_confirming_without_starting_is_a_conflict(browser, social_worker):
    me = browser()
    me.sign_in(social_worker)
    assert me.post(TOTP_CONFIRM, {"otp_token": "123456"}).status_code == 409
    assert me.post(RECOVERY).status_code == 409


def test_demo_mode_signs_in_with_the_password_alone(settings, browser, social_worker):
    settings.MFA_REQUIRED = False
    me = browser()
    assert me.sign_in(social_worker).status_code == 200
    assert me.get(STATUS).json()["required"] is False


def test_someone_who_set_up_an_app_is_asked_for_it_even_in_demo_mode(
    settings, browser, social_worker
):
    settings.MFA_REQUIRED = False
    device = enrol(social_worker)
    me = browser()
    assert me.sign_in(social_worker).json()["code"] == "second_factor_required"
    assert me.get(ME).status_code == 401
    assert me.post(VERIFY, {"otp_token": code_for(device)}).status_code == 200
    assert me.get(ME).status_code == 200


def test_api_tokens_are_not_asked_for_a_second_factor(required, social_worker):
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    _, token = AuthToken.objects.create(social_worker)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(ME).status_code == 200
    assert client.get(STATUS).status_code == 401, "second-factor endpoints are for sessions"


def test_other_people_are_unaffected_by_one_persons_enrolment(required, browser, social_services):
    first, second = member(social_services), member(social_services)
    enrol(first)
    me = browser()
    assert me.sign_in(second).json()["code"] == "second_factor_enrolment_required"


def test_giving_the_second_factor_changes_the_session_key(required, browser, social_worker):
    from django.contrib.sessions.models import Session

    from accounts.models import UserSession

    device = enrol(social_worker)
    me = browser()
    me.sign_in(social_worker)
    pending_key = me.client.cookies["sessionid"].value
    assert me.post(VERIFY, {"otp_token": code_for(device)}).status_code == 200
    verified_key = me.client.cookies["sessionid"].value
    assert verified_key != pending_key
    assert not Session.objects.filter(session_key=pending_key).exists()
    assert UserSession.objects.filter(user=social_worker).get().session_key == verified_key
