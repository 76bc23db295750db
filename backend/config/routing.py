"""The ASGI protocol router: WebSockets are authenticated by session and origin-checked."""

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import URLPattern

from notifications.routing import websocket_urlpatterns as notification_sockets

websocket_urlpatterns: list[URLPattern] = [*notification_sockets]


def build_application(http_app: object) -> ProtocolTypeRouter:
    return ProtocolTypeRouter(
        {
            "http": http_app,
            "websocket": AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
            ),
        }
    )
