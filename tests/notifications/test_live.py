"""End to end against running servers, with a real WebSocket client signed in over HTTP.

* One server in this process, on whatever channel layer is configured (in-memory on the
  embedded default): it runs on every tier.
* Two server processes sharing PostgreSQL and Redis: a change made through one reaches a
  socket held by the other. Only with REDIS_URL and PostgreSQL (CI's second tier).
"""

import json
import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from websockets.exceptions import ConnectionClosed, InvalidStatus

from notifications.consumers import UNAUTHENTICATED
from notifications.models import NotificationKind
from notifications.services import notify
from tests.factories import TEST_PASSWORD
from tests.notifications.servers import server_processes, server_thread

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 10


def receive(ws, timeout: float = WAIT) -> dict:
    return json.loads(ws.recv(timeout=timeout))


def silent(ws, timeout: float = 0.5) -> bool:
    try:
        ws.recv(timeout=timeout)
    except TimeoutError:
        return True
    return False


def test_one_server_pushes_and_catches_up_over_real_sockets(social_worker, outsider):
    with server_thread() as server:
        http = server.sign_in(social_worker.username, TEST_PASSWORD)
        other_http = server.sign_in(outsider.username, TEST_PASSWORD)
        with server.socket(http) as ws, server.socket(other_http) as other_ws:
            first = server.run_in_server(
                lambda: notify(
                    [social_worker], NotificationKind.REFERRAL_SENT, reference="R-2026-0001"
                )[0]
            )
            message = receive(ws)
            assert message["type"] == "notification"
            assert message["notification"]["id"] == first.pk
            assert silent(other_ws)

            response = server.post(http, f"/api/v1/notifications/{first.pk}/read/")
            assert response.status_code == 200
            assert receive(ws) == {"type": "read", "ids": [first.pk]}

        # Offline: the socket is closed while three more arrive; catch-up finds them all.
        missed = [
            server.run_in_server(
                lambda i=i: notify(
                    [social_worker], NotificationKind.REVIEW_DUE, reference=f"CP-2026-000{i}"
                )[0]
            )
            for i in range(3)
        ]
        with server.socket(http) as ws:
            caught_up = http.get(f"/api/v1/notifications/?after={first.pk}").json()["results"]
            assert [n["id"] for n in caught_up] == [n.pk for n in missed]
            assert silent(ws)  # nothing is replayed on connect


def test_one_server_refuses_strangers(social_worker):
    with server_thread() as server:
        http = server.sign_in(social_worker.username, TEST_PASSWORD)
        with pytest.raises(InvalidStatus) as refused:
            server.socket(http, origin="http://evil.example")
        assert refused.value.response.status_code == 403

        with server.socket(None) as anonymous, pytest.raises(ConnectionClosed) as closed:
            anonymous.recv(timeout=WAIT)
        assert closed.value.rcvd.code == UNAUTHENTICATED


def _test_database_url() -> str:
    """DATABASE_URL, pointed at the test database this test commits to."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a shared PostgreSQL")
def test_change_through_one_process_reaches_a_socket_on_another(social_worker, outsider, settings):
    # The servers only know the production hashers; scrypt is one of them, and quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.ScryptPasswordHasher"]
    for person in (social_worker, outsider):
        person.set_password(TEST_PASSWORD)
        person.save(update_fields=["password"])
    env = {
        "DEBUG": "1",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "CHANNELS_PREFIX": django_settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    with server_processes(2, env) as (a, b):
        http_a = a.sign_in(social_worker.username, TEST_PASSWORD)
        other_http = b.sign_in(outsider.username, TEST_PASSWORD)
        with b.socket(http_a) as ws_b, a.socket(http_a) as ws_a, a.socket(other_http) as other_ws:
            # Raised by a third process (here the test, as the background worker would).
            notification = notify(
                [social_worker], NotificationKind.ACKNOWLEDGEMENT_OVERDUE, reference="R-2026-0042"
            )[0]
            for ws in (ws_a, ws_b):
                assert receive(ws)["notification"]["id"] == notification.pk

            # A change made through server A reaches the socket held by server B.
            response = a.post(http_a, f"/api/v1/notifications/{notification.pk}/read/")
            assert response.status_code == 200
            assert receive(ws_b) == {"type": "read", "ids": [notification.pk]}
            assert receive(ws_a) == {"type": "read", "ids": [notification.pk]}
            assert silent(other_ws)

            listed = http_a.get(f"{b.url}/api/v1/notifications/").json()["results"]
            assert [n["id"] for n in listed] == [notification.pk]
            assert listed[0]["read_at"] is not None
