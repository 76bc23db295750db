"""Signing in as the browser does (CSRF, session), and codes from a person's authenticator."""

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.factories import TEST_PASSWORD

# Sockets here get a fresh channel layer per test, as in the notification tests.
from tests.notifications.conftest import _own_channel_layer, sockets_closed  # noqa: F401

LOGIN = "/api/v1/auth/login/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/auth/me/"


class Browser:
    """An API client that keeps its cookies and sends the CSRF token like the web app."""

    def __init__(self) -> None:
        self.client = APIClient(enforce_csrf_checks=True)
        self.token = self.client.get("/api/v1/auth/csrf/").json()["csrf_token"]

    def refresh_csrf(self) -> None:
        self.token = self.client.get("/api/v1/auth/csrf/").json()["csrf_token"]

    def get(self, url: str, **extra: object) -> object:
        return self.client.get(url, **extra)

    def post(self, url: str, data: dict | None = None) -> object:
        response = self.client.post(url, data or {}, format="json", HTTP_X_CSRFTOKEN=self.token)
        # Django rotates the token when someone signs in.
        self.refresh_csrf()
        return response

    def sign_in(self, user: object, **extra: str) -> object:
        return self.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD, **extra})


@pytest.fixture
def browser() -> type[Browser]:
    return Browser


def code_for(device: TOTPDevice) -> str:
    """A code the device has not accepted yet: the current time step, or the next one (which
    the default tolerance of one step admits) when the current one was just used."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    step = max(totp.t(), device.last_t + 1)
    totp.time = device.t0 + (step - device.drift) * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user: object) -> TOTPDevice:
    """``user`` with a confirmed authenticator app (set up directly, not through the API)."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


@pytest.fixture(autouse=True)
def _no_device_throttle(settings: object) -> None:
    # django-otp delays a device after a wrong code; tests type a right one straight after.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
