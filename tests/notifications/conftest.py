"""Fixtures for notification tests: an isolated channel layer, sockets as a given person."""

import uuid
from collections.abc import AsyncIterator

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client

from config.asgi import application

ORIGIN = b"http://127.0.0.1"

# Every socket opened through ``socket()``, for ``sockets_closed`` to disconnect.
_opened: list[WebsocketCommunicator] = []


@pytest.fixture(autouse=True)
def _own_channel_layer(settings: object) -> None:
    """A fresh channel layer per test (the configured kind: Redis when REDIS_URL is set), under
    its own prefix so parallel runs sharing a Redis database never hear each other."""
    layers = {name: dict(config) for name, config in django_settings.CHANNEL_LAYERS.items()}
    default = layers["default"]
    if "CONFIG" in default:
        default["CONFIG"] = {**default["CONFIG"], "prefix": f"test-{uuid.uuid4().hex[:12]}"}
    settings.CHANNEL_LAYERS = layers


def session_cookie(user: object) -> str:
    """A real session for ``user``, as the browser would hold after signing in."""
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


def socket(cookie: str | None = None, origin: bytes = ORIGIN) -> WebsocketCommunicator:
    """A WebSocket to /ws/notifications/ through the whole ASGI stack (origin check, session
    authentication, routing)."""
    headers = [(b"host", b"127.0.0.1"), (b"origin", origin)]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    _opened.append(communicator)
    return communicator


@pytest.fixture
async def sockets_closed() -> AsyncIterator[None]:
    """Disconnects every socket the test opened and closes the channel layer's connections
    while the test's event loop still runs: a consumer the server closed keeps waiting on the
    layer until the client disconnects, and one left waiting on Redis when the loop is torn
    down can hold that teardown for as long as its socket timeout keeps re-arming."""
    _opened.clear()
    yield
    while _opened:
        communicator = _opened.pop()
        if not communicator.future.done():
            await communicator.disconnect()
    close_pools = getattr(get_channel_layer(), "close_pools", None)
    if close_pools is not None:
        await close_pools()
