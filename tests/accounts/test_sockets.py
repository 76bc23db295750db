"""Open WebSockets close when their person's sessions end, and a half-signed-in or lapsed
session cannot open one."""

import time

import pytest
from channels.db import database_sync_to_async
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client

from accounts import sessions
from notifications.consumers import UNAUTHENTICATED
from tests.accounts.conftest import LOGOUT
from tests.notifications.conftest import session_cookie, socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sockets_closed")]

# Generous: a loaded two-core machine can be slow to hand a message through the layer.
TIMEOUT = 15


async def opened(cookie: str):
    communicator = socket(cookie)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    assert await communicator.receive_nothing(timeout=0.2)
    return communicator


async def closed_with(communicator) -> int | None:
    output = await communicator.receive_output(timeout=TIMEOUT)
    return output.get("code") if output["type"] == "websocket.close" else None


def sign_out(user: object) -> int:
    client = Client()
    client.force_login(user)
    return client.post(LOGOUT).status_code


async def test_sign_out_elsewhere_closes_the_socket(social_worker, outsider):
    mine = await opened(await database_sync_to_async(session_cookie)(social_worker))
    theirs = await opened(await database_sync_to_async(session_cookie)(outsider))

    assert await database_sync_to_async(sign_out)(social_worker) == 204
    assert await closed_with(mine) == UNAUTHENTICATED
    assert await theirs.receive_nothing(timeout=0.5)
    await theirs.disconnect()


async def test_disabling_the_account_closes_the_socket(social_worker):
    mine = await opened(await database_sync_to_async(session_cookie)(social_worker))

    def disable() -> None:
        social_worker.is_active = False
        social_worker.save(update_fields=["is_active"])

    await database_sync_to_async(disable)()
    assert await closed_with(mine) == UNAUTHENTICATED


def _pending_cookie(user: object) -> str:
    client = Client()
    client.force_login(user)
    session = client.session
    session[sessions.SECOND_FACTOR_OWED] = True
    session.save()
    name = django_settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


async def test_session_owing_its_second_factor_cannot_open_a_socket(social_worker):
    communicator = socket(await database_sync_to_async(_pending_cookie)(social_worker))
    assert (await communicator.connect(timeout=TIMEOUT))[0]
    assert await closed_with(communicator) == UNAUTHENTICATED


def _lapsed_cookie(user: object) -> str:
    cookie = session_cookie(user)
    key = cookie.split("=", 1)[1]
    stored = Session.objects.get(session_key=key)
    data = stored.get_decoded()
    data[sessions.SEEN_AT] = time.time() - 3600
    Session.objects.save(key, data, stored.expire_date)
    return cookie


async def test_lapsed_session_cannot_open_a_socket(social_worker):
    communicator = socket(await database_sync_to_async(_lapsed_cookie)(social_worker))
    assert (await communicator.connect(timeout=TIMEOUT))[0]
    assert await closed_with(communicator) == UNAUTHENTICATED
