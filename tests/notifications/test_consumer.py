"""/ws/notifications/ through the whole ASGI stack, with Channels' WebsocketCommunicator and the
configured channel layer (in-memory, or Redis when REDIS_URL is set)."""

import asyncio
import json
import os

import pytest
from channels.db import database_sync_to_async
from channels_redis.core import RedisChannelLayer
from django.contrib.sessions.models import Session
from django.test import Client

from agencies.models import Membership, Role
from notifications.consumers import NO_ACTIVE_ROLE, UNAUTHENTICATED
from notifications.models import NotificationKind
from notifications.services import mark_read, notify
from tests.factories import UserFactory, member
from tests.notifications.conftest import session_cookie, socket
from tests.notifications.test_services import notify_then_fail

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sockets_closed")]

# Generous: a loaded two-core machine (CI runs four test processes) can be slow to hand a
# message through the layer. Only waits for what must arrive use it.
TIMEOUT = 15


@database_sync_to_async
def tell(user, reference: str = "R-2026-0042", kind: str = NotificationKind.REFERRAL_SENT):
    return notify([user], kind, reference=reference)[0]


async def opened(cookie: str):
    communicator = socket(cookie)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    return communicator


async def test_each_person_receives_their_own_notifications_only(social_worker, outsider):
    mine = await opened(await database_sync_to_async(session_cookie)(social_worker))
    theirs = await opened(await database_sync_to_async(session_cookie)(outsider))
    assert await mine.receive_nothing()  # nothing is sent on connect

    notification = await tell(social_worker)
    message = await mine.receive_json_from(timeout=TIMEOUT)
    assert message["type"] == "notification"
    assert message["notification"]["id"] == notification.pk
    assert message["notification"]["reference"] == "R-2026-0042"
    assert await theirs.receive_nothing(timeout=0.5)

    other = await tell(outsider, "R-2026-0043")
    assert (await theirs.receive_json_from(timeout=TIMEOUT))["notification"]["id"] == other.pk
    assert await mine.receive_nothing(timeout=0.5)
    await mine.disconnect()
    await theirs.disconnect()


async def test_pushed_notification_is_exactly_what_rest_returns(social_worker):
    cookie = await database_sync_to_async(session_cookie)(social_worker)
    communicator = await opened(cookie)
    await tell(social_worker)
    pushed = (await communicator.receive_json_from(timeout=TIMEOUT))["notification"]

    def listed() -> dict:
        client = Client()
        client.force_login(social_worker)
        return client.get("/api/v1/notifications/").json()["results"][0]

    assert pushed == await database_sync_to_async(listed)()
    await communicator.disconnect()


async def test_unauthenticated_socket_is_closed_with_4401():
    communicator = socket(cookie=None)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected  # accepted only so that the close code reaches the client
    assert await communicator.receive_output(timeout=TIMEOUT) == {
        "type": "websocket.close",
        "code": UNAUTHENTICATED,
    }


async def test_forged_session_cookie_is_unauthenticated():
    communicator = socket(cookie="sessionid=not-a-real-session-key")
    assert (await communicator.connect(timeout=TIMEOUT))[0]
    output = await communicator.receive_output(timeout=TIMEOUT)
    assert output["code"] == UNAUTHENTICATED


async def test_person_without_an_active_role_is_refused():
    roleless = await database_sync_to_async(UserFactory)()
    communicator = socket(await database_sync_to_async(session_cookie)(roleless))
    assert (await communicator.connect(timeout=TIMEOUT))[0]
    output = await communicator.receive_output(timeout=TIMEOUT)
    assert output == {"type": "websocket.close", "code": NO_ACTIVE_ROLE}


@pytest.mark.parametrize(
    "origin", [b"http://evil.example", b"null", b"http://127.0.0.1.evil.example"]
)
async def test_foreign_origin_is_refused_before_the_handshake(social_worker, origin):
    cookie = await database_sync_to_async(session_cookie)(social_worker)
    communicator = socket(cookie, origin=origin)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert not connected
    await tell(social_worker)
    assert await communicator.receive_nothing(timeout=0.3)


async def test_rolled_back_change_pushes_nothing(social_worker):
    communicator = await opened(await database_sync_to_async(session_cookie)(social_worker))

    with pytest.raises(RuntimeError):
        await database_sync_to_async(notify_then_fail)(social_worker)
    assert await communicator.receive_nothing(timeout=0.5)
    kept = await tell(social_worker, "R-2026-0002")
    assert (await communicator.receive_json_from(timeout=TIMEOUT))["notification"]["id"] == kept.pk
    await communicator.disconnect()


async def test_reading_elsewhere_clears_it_on_every_socket(social_worker):
    cookie = await database_sync_to_async(session_cookie)(social_worker)
    tab, phone = await opened(cookie), await opened(cookie)
    notification = await tell(social_worker)
    for communicator in (tab, phone):
        assert (await communicator.receive_json_from(timeout=TIMEOUT))["type"] == "notification"
    await database_sync_to_async(mark_read)(notification)
    for communicator in (tab, phone):
        assert await communicator.receive_json_from(timeout=TIMEOUT) == {
            "type": "read",
            "ids": [notification.pk],
        }
        await communicator.disconnect()


async def test_what_clients_send_is_ignored(social_worker):
    communicator = await opened(await database_sync_to_async(session_cookie)(social_worker))
    await communicator.send_to(text_data="{not json")
    await communicator.send_to(text_data=json.dumps({"type": "notification.event", "payload": {}}))
    await communicator.send_to(bytes_data=b"\x00\x01")
    assert await communicator.receive_nothing(timeout=0.3)
    notification = await tell(social_worker)
    assert (await communicator.receive_json_from(timeout=TIMEOUT))["notification"]["id"] == (
        notification.pk
    )
    await communicator.disconnect()


async def test_signing_out_stops_the_socket(social_worker):
    cookie = await database_sync_to_async(session_cookie)(social_worker)
    communicator = await opened(cookie)
    await database_sync_to_async(Session.objects.all().delete)()
    await tell(social_worker)
    assert await communicator.receive_output(timeout=TIMEOUT) == {
        "type": "websocket.close",
        "code": UNAUTHENTICATED,
    }


async def test_losing_the_last_role_stops_the_socket(social_services):
    worker = await database_sync_to_async(member)(social_services, Role.SOCIAL_WORKER)
    communicator = await opened(await database_sync_to_async(session_cookie)(worker))
    await database_sync_to_async(Membership.objects.filter(user=worker).update)(is_active=False)
    await tell(worker)
    output = await communicator.receive_output(timeout=TIMEOUT)
    assert output == {"type": "websocket.close", "code": NO_ACTIVE_ROLE}


async def test_payloads_hold_references_never_names(social_services, ws_payloads):
    person = await database_sync_to_async(member)(
        social_services, Role.SOCIAL_WORKER, first_name="Ottoline", last_name="Quarrington"
    )
    communicator = await opened(await database_sync_to_async(session_cookie)(person))
    for kind in (NotificationKind.REFERRAL_SENT, NotificationKind.CONSENT_WITHDRAWN):
        await tell(person, "C-7K3F9Q", kind)
        await communicator.receive_json_from(timeout=TIMEOUT)
    notification = await tell(person, "R-2026-0007")
    await communicator.receive_json_from(timeout=TIMEOUT)
    await database_sync_to_async(mark_read)(notification)
    await communicator.receive_json_from(timeout=TIMEOUT)
    await communicator.disconnect()

    assert [p["type"] for p in ws_payloads] == ["notification"] * 3 + ["read"]
    wire = json.dumps(ws_payloads)
    for personal in ("Ottoline", "Quarrington", person.username, person.email or "@"):
        assert personal not in wire


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="the Redis layer's blocking reads")
async def test_an_idle_socket_outlives_the_layers_blocking_reads(social_worker):
    communicator = await opened(await database_sync_to_async(session_cookie)(social_worker))
    await asyncio.sleep(RedisChannelLayer.brpop_timeout + 2)
    notification = await tell(social_worker)
    message = await communicator.receive_json_from(timeout=TIMEOUT)
    assert message["notification"]["id"] == notification.pk
    await communicator.disconnect()
