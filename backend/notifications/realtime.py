"""The WebSocket side of notifications: one channel-layer group per person.

Messages go through the configured channel layer (Redis when ``REDIS_URL`` is set), so a
change committed by any process reaches the sockets held by every other process.
"""

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

# The consumer method that relays a message to the socket (``type`` with "." → "_").
EVENT_TYPE = "notification.event"
# The consumer method that closes the socket: the person's sessions have been ended.
SESSION_ENDED_TYPE = "session.ended"
# Pushes in flight at once: enough to overlap the channel layer's round trips, few enough
# that a send to a large agency does not open a Redis connection per person.
CONCURRENT_PUSHES = 16


def group_for(user_id: int) -> str:
    return f"notifications.user.{user_id}"


def send_to_users(messages: Iterable[tuple[int, dict[str, Any]]]) -> None:
    """Send each ``(user_id, payload)`` to that person's open sockets, if any.

    Runs after commit. All the pushes of one event go out together, overlapped, in one pass
    through the event loop, so the last recipient does not wait for everyone before them. A
    failed push loses nothing: the row is stored and the client catches up with
    ``?after=<id>``; so a failure is logged (ids only) and never raised.
    """
    events = [
        (group_for(user_id), {"type": EVENT_TYPE, "payload": payload})
        for user_id, payload in messages
    ]
    _push(events, f"Realtime push of {len(events)} message(s) failed")


def end_sockets(user_ids: Iterable[int]) -> None:
    """Close every open socket of these people (their sessions were ended). Runs after commit;
    a failure is logged, and each socket still closes on its next message, which finds its
    session gone."""
    events = [(group_for(user_id), {"type": SESSION_ENDED_TYPE}) for user_id in user_ids]
    _push(events, f"Closing the sockets of {len(events)} person(s) failed")


def _push(events: list[tuple[str, dict[str, Any]]], failure: str) -> None:
    layer = get_channel_layer()
    if layer is None or not events:
        return
    try:
        async_to_sync(_send_all)(layer, events)
    except Exception:
        logger.warning(failure, exc_info=True)


async def _send_all(layer: Any, events: list[tuple[str, dict[str, Any]]]) -> None:
    slots = asyncio.Semaphore(CONCURRENT_PUSHES)

    async def send(group: str, message: dict[str, Any]) -> None:
        async with slots:
            await layer.group_send(group, message)

    results = await asyncio.gather(
        *(send(group, message) for group, message in events), return_exceptions=True
    )
    failures = [result for result in results if isinstance(result, BaseException)]
    if failures:
        # One failed push does not stop the others; the first failure is what gets logged.
        raise failures[0]
