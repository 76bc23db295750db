"""Demo-only secrets, generated once into ``var/`` so ``make run`` works on a bare machine.

Settings only ever call this when ``DEBUG`` is on; production configuration must come from
the environment and is refused otherwise (see ``config.settings``).
"""

import base64
import fcntl
import json
import os
import secrets
from pathlib import Path
from typing import TypedDict


class DemoSecrets(TypedDict):
    secret_key: str
    field_encryption_keys: str
    blind_index_key: str


def new_key() -> str:
    """A fresh 256-bit key as base64url, the format of ``BLIND_INDEX_KEY``."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def new_field_key(key_id: str) -> str:
    """A fresh 256-bit key in the ``FIELD_ENCRYPTION_KEYS`` entry format ``id:base64``."""
    return f"{key_id}:{new_key()}"


def load_or_create(var_dir: Path) -> DemoSecrets:
    """The demo secrets in ``var/``, creating the file, or adding any secret it lacks."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "demo-secrets.json"
    # Processes starting at once take turns, so they all end up with the same secrets.
    with (var_dir / "demo-secrets.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stored = json.loads(path.read_text()) if path.exists() else {}
        fresh = DemoSecrets(
            secret_key=secrets.token_urlsafe(50),
            field_encryption_keys=new_field_key("demo1"),
            blind_index_key=new_key(),
        )
        values = DemoSecrets(**{**fresh, **stored})
        if values != stored:
            staging = path.with_suffix(".tmp")
            fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump(values, handle)
            staging.replace(path)
        return values
