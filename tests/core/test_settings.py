"""Production configuration is refused unless secrets come from the environment, and passes
Django's deployment checklist with hardened cookies, sessions and a second factor."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from core.demo_secrets import new_field_key, new_key

BACKEND = Path(__file__).resolve().parents[2] / "backend"
GOOD_SECRET = secrets.token_urlsafe(50)
GOOD_BLIND_KEY = new_key()


def run_check(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BACKEND,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "env",
    [
        {"DEBUG": "0"},
        {
            "DEBUG": "0",
            "FIELD_ENCRYPTION_KEYS": new_field_key("k1"),
            "BLIND_INDEX_KEY": GOOD_BLIND_KEY,
        },
        {
            "DEBUG": "0",
            "SECRET_KEY": "short",
            "FIELD_ENCRYPTION_KEYS": new_field_key("k1"),
            "BLIND_INDEX_KEY": GOOD_BLIND_KEY,
        },
        {
            "DEBUG": "0",
            "SECRET_KEY": "django-insecure-" + GOOD_SECRET,
            "FIELD_ENCRYPTION_KEYS": new_field_key("k1"),
            "BLIND_INDEX_KEY": GOOD_BLIND_KEY,
        },
        {"DEBUG": "0", "SECRET_KEY": GOOD_SECRET, "BLIND_INDEX_KEY": GOOD_BLIND_KEY},
        {"DEBUG": "0", "SECRET_KEY": GOOD_SECRET, "FIELD_ENCRYPTION_KEYS": new_field_key("k1")},
        {
            "DEBUG": "0",
            "SECRET_KEY": GOOD_SECRET,
            "FIELD_ENCRYPTION_KEYS": "k1:" + new_key()[:20],
            "BLIND_INDEX_KEY": GOOD_BLIND_KEY,
        },
        {
            "DEBUG": "0",
            "SECRET_KEY": GOOD_SECRET,
            "FIELD_ENCRYPTION_KEYS": new_field_key("k1"),
            "BLIND_INDEX_KEY": "not-a-key",
        },
    ],
    ids=[
        "nothing",
        "no-secret",
        "weak-secret",
        "insecure-secret",
        "no-encryption-keys",
        "no-blind-index-key",
        "short-encryption-key",
        "malformed-blind-index-key",
    ],
)
def test_production_refuses_to_start_without_real_secrets(env):
    result = run_check(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_starts_with_real_secrets():
    result = run_check(
        DEBUG="0",
        SECRET_KEY=GOOD_SECRET,
        FIELD_ENCRYPTION_KEYS=new_field_key("k1"),
        BLIND_INDEX_KEY=GOOD_BLIND_KEY,
    )
    assert result.returncode == 0, result.stderr


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": GOOD_SECRET,
    "FIELD_ENCRYPTION_KEYS": new_field_key("k1"),
    "BLIND_INDEX_KEY": GOOD_BLIND_KEY,
    "ALLOWED_HOSTS": "example.org",
}
SEEN = """
import json, django
django.setup()
from django.conf import settings as s
from django.contrib import admin
print(json.dumps({
    "session_cookie": [s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_PATH,
                       s.SESSION_COOKIE_DOMAIN, s.SESSION_COOKIE_HTTPONLY],
    "csrf_cookie": [s.CSRF_COOKIE_NAME, s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_PATH,
                    s.CSRF_COOKIE_DOMAIN],
    "idle": s.SESSION_IDLE_TIMEOUT, "absolute": s.SESSION_ABSOLUTE_TIMEOUT,
    "cookie_age": s.SESSION_COOKIE_AGE, "mfa": s.MFA_REQUIRED,
    "admin": admin.site.__class__.__name__, "hsts": s.SECURE_HSTS_SECONDS,
}))
"""


def seen(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in {*PRODUCTION, "MFA_REQUIRED"}}
    result = subprocess.run(
        [sys.executable, "-c", SEEN],
        cwd=BACKEND,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_passes_the_deployment_checklist_without_warnings():
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BACKEND,
        env={**clean, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_sessions_and_second_factor():
    production = seen(**PRODUCTION)
    assert production["session_cookie"] == ["__Host-sessionid", True, "/", None, True]
    assert production["csrf_cookie"] == ["__Host-csrftoken", True, "/", None]
    assert production["idle"] == production["cookie_age"] == 15 * 60
    assert production["absolute"] == 12 * 3600
    assert production["mfa"] is True
    assert production["admin"] == "OTPAdminSite"
    assert production["hsts"] >= 31536000


def test_demo_mode_keeps_plain_cookies_for_http_and_no_second_factor():
    demo = seen(DEBUG="1")
    assert demo["session_cookie"][0] == "sessionid"
    assert demo["csrf_cookie"][0] == "csrftoken"
    assert demo["mfa"] is False
    assert demo["admin"] == "AdminSite"


def test_session_limits_and_second_factor_are_configurable():
    tuned = seen(
        **PRODUCTION,
        SESSION_IDLE_TIMEOUT_MINUTES="5",
        SESSION_ABSOLUTE_TIMEOUT_HOURS="8",
        MFA_REQUIRED="0",
    )
    assert tuned["idle"] == tuned["cookie_age"] == 300
    assert tuned["absolute"] == 8 * 3600
    assert tuned["mfa"] is False
