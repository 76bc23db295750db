"""``/ws/notifications/``: the signed-in person's notifications, as they are stored.

The socket only ever carries what was committed for its own user: a
``{"type": "notification", "notification": {...}}`` frame per new notification and a
``{"type": "read", "ids": [...]}`` frame when they are read elsewhere. It sends nothing on
connect; the client catches up with ``GET /api/v1/notifications/?after=<last id>``.
Origin checking and session authentication happen in front of it (``config.routing``).
"""

from importlib import import_module
from typing import Any

from channels.auth import get_user
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from accounts.sessions import still_good
from agencies.models import Membership
from notifications.realtime import group_for

# Close codes in the application range: the client should sign in again, not just retry.
UNAUTHENTICATED = 4401
NO_ACTIVE_ROLE = 4403


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self._refuse(UNAUTHENTICATED)
            return
        refusal = await self._refusal()
        if refusal is not None:
            await self._refuse(refusal)
            return
        # Join before accepting, so nothing committed after the client is told "open" is missed.
        self.group = group_for(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def _refuse(self, code: int) -> None:
        # Accept first: a close before the handshake would reach the client as a bare 403,
        # without the code that says why.
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """The socket is one-way; whatever a client sends is ignored, unparsed."""

    async def notification_event(self, event: dict[str, Any]) -> None:
        # The session may have ended or the role been taken away since the socket opened.
        refusal = await self._refusal()
        if refusal is not None:
            await self.close(code=refusal)
            return
        await self.send_json(event["payload"])

    async def session_ended(self, event: dict[str, Any]) -> None:
        """The person signed out, or their account was disabled: every session is over."""
        await self.close(code=UNAUTHENTICATED)

    async def _refusal(self) -> int | None:
        """The close code if this socket's session or role is gone, else None."""
        user = self.scope["user"]
        key = getattr(self.scope.get("session"), "session_key", None)
        if not key:
            return UNAUTHENTICATED
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
        current = await get_user({"session": store})
        if not current.is_authenticated or current.pk != user.pk:
            return UNAUTHENTICATED
        # Timed out, or still owing its second factor (accounts.sessions).
        if not await database_sync_to_async(still_good)(store, current):
            return UNAUTHENTICATED
        if not await self._has_active_membership(user.pk):
            return NO_ACTIVE_ROLE
        return None

    @database_sync_to_async
    def _has_active_membership(self, user_id: int) -> bool:
        return Membership.objects.filter(
            user_id=user_id, user__is_active=True, is_active=True, agency__is_active=True
        ).exists()
