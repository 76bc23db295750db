"""``/ws/notifications/``: the signed-in person's notifications, as they are stored.

The socket only ever carries what was committed for its own user: a
``{"type": "notification", "notification": {...}}`` frame per new notification and a
``{"type": "read", "ids": [...]}`` frame when they are read elsewhere. It sends nothing on
connect; the client catches up with ``GET /api/v1/notifications/?after=<last id>``.
Origin checking and session authentication happen in front of it (``config.routing``).
"""

import asyncio
import weakref
from importlib import import_module
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.sessions import still_good
from agencies.models import Membership
from notifications.realtime import group_for

User = get_user_model()

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
        key = getattr(self.scope.get("session"), "session_key", None)
        if not key:
            return UNAUTHENTICATED
        return await _rechecks_of(asyncio.get_running_loop()).refusal(self.scope["user"].pk, key)


Socket = tuple[int, str]  # (user id, session key)


class _Rechecks:
    """The re-checks of one process's sockets, coalesced: a notification to an agency reaches
    many of them at once, and each must know its session and role still hold. Sockets that
    ask while a check runs wait for the next one, which answers them all with two queries
    (their sessions, their people) instead of three each, in one trip to the database thread.
    Alone, a socket is checked at once."""

    def __init__(self) -> None:
        self._waiting: dict[Socket, list[asyncio.Future[int | None]]] = {}
        self._running: asyncio.Task[None] | None = None

    async def refusal(self, user_id: int, session_key: str) -> int | None:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[int | None] = loop.create_future()
        self._waiting.setdefault((user_id, session_key), []).append(answer)
        if self._running is None:
            self._running = loop.create_task(self._run())
        return await answer

    async def _run(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, {}
                try:
                    verdicts = await database_sync_to_async(refusals)(list(batch))
                except Exception as error:  # every socket in the batch gets the error
                    for answers in batch.values():
                        for answer in answers:
                            answer.set_exception(error)
                    continue
                for socket, answers in batch.items():
                    for answer in answers:
                        answer.set_result(verdicts[socket])
        finally:
            self._running = None


# One per event loop (a server process has one; tests start several).
_rechecks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Rechecks] = (
    weakref.WeakKeyDictionary()
)


def _rechecks_of(loop: asyncio.AbstractEventLoop) -> _Rechecks:
    rechecks = _rechecks.get(loop)
    if rechecks is None:
        rechecks = _rechecks[loop] = _Rechecks()
    return rechecks


def refusals(sockets: list[Socket]) -> dict[Socket, int | None]:
    """For each socket (its user id and session key), the close code if it must close now, else
    None: the session has ended, timed out or still owes its second factor, it now belongs to
    someone else, or the person holds no active role in an active agency.

    What ``django.contrib.auth.get_user`` decides for a request (the session names this person
    and a configured backend, the person may still sign in, the session's password hash still
    matches), for many sessions at once.
    """
    sessions = _sessions({key for _, key in sockets})
    ids = {user_id for user_id, _ in sockets}
    active_role = Membership.objects.filter(
        user=OuterRef("pk"), is_active=True, agency__is_active=True
    )
    people = {
        user.pk: user
        for user in User.objects.filter(pk__in=ids, is_active=True).annotate(
            active_role=Exists(active_role)
        )
    }
    return {
        (user_id, key): _verdict(sessions.get(key), people.get(user_id)) for user_id, key in sockets
    }


def _verdict(session: SessionBase | None, user: AbstractBaseUser | None) -> int | None:
    if session is None or user is None or not _names(session, user):
        return UNAUTHENTICATED
    # Timed out, or still owing its second factor (accounts.sessions).
    if not still_good(session, user):
        return UNAUTHENTICATED
    return None if user.active_role else NO_ACTIVE_ROLE


def _sessions(keys: set[str]) -> dict[str, SessionBase]:
    """The live sessions among ``keys``, read in one query from the configured (database)
    session store."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    stored = store.get_model_class().objects.filter(
        session_key__in=keys, expire_date__gt=timezone.now()
    )
    sessions = {}
    for key, data in stored.values_list("session_key", "session_data"):
        session = store()
        session.update(session.decode(data))
        sessions[key] = session
    return sessions


def _names(session: SessionBase, user: AbstractBaseUser) -> bool:
    """Whether ``session`` is signed in as ``user`` through a configured backend, with the
    hash of the password it was signed in with."""
    if session.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
        return False
    if str(session.get(SESSION_KEY)) != str(user.pk):
        return False
    signed = session.get(HASH_SESSION_KEY)
    if not signed:
        return False
    # As Django does for a request: the current secret, or one being rotated out.
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return any(constant_time_compare(signed, expected) for expected in hashes)
