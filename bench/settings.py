"""Settings for benchmark servers and the data generator: the production settings, DEBUG off.

What differs, and why:

* the secrets are the benchmark's own, generated once into ``bench/data/`` (never committed):
  every generated dataset is encrypted under them, so the servers must use the same;
* cookies are not ``Secure`` and there is no HTTPS redirect: the benchmark client speaks
  plain HTTP on loopback, as a TLS-terminating proxy in front of the platform would;
* sign-in is not what is measured, so passwords use a cheap hasher, no second factor is
  asked and the sign-in throttles are out of the way (a thousand people sign in at once);
* the URLconf adds the bench-only variants (``bench.urls``), beside the real routes.
"""

import os
from pathlib import Path

from bench import ROOT

DATA_DIR = Path(os.environ.get("BENCH_DATA_DIR", ROOT / "bench" / "data"))

from core import demo_secrets  # noqa: E402  (backend is on the path once bench is imported)

_secrets = demo_secrets.load_or_create(DATA_DIR)
os.environ.update(
    {
        "DEBUG": "0",
        "SECRET_KEY": _secrets["secret_key"],
        "FIELD_ENCRYPTION_KEYS": _secrets["field_encryption_keys"],
        "BLIND_INDEX_KEY": _secrets["blind_index_key"],
        "MFA_REQUIRED": "0",
        "SECURE_SSL_REDIRECT": "0",
    }
)

from config.settings import *  # noqa: E402, F403

ROOT_URLCONF = "bench.urls"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],  # noqa: F405
        "login": "1000000/min",
        "login_username": "1000000/min",
    },
}
