"""The WebSocket side of notifications: one channel-layer group per person.

Messages go through the configured channel layer (Redis when ``REDIS_URL`` is set), so a
change committed by any process reaches the sockets held by every other process.
"""

import asyncio
import atexit
import logging
import os
import threading
import weakref
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import InMemoryChannelLayer, channel_layers, get_channel_layer

logger = logging.getLogger(__name__)

# The consumer method that relays a message to the socket (``type`` with "." → "_").
EVENT_TYPE = "notification.event"
# The consumer method that closes the socket: the person's sessions have been ended.
SESSION_ENDED_TYPE = "session.ended"
# Pushes in flight at once: enough to overlap the channel layer's round trips, few enough
# that a send to a large agency does not open a Redis connection per person.
CONCURRENT_PUSHES = 16
# How long a process that is exiting waits for the pushes it has queued.
DRAIN_SECONDS = 5.0

Event = tuple[str, dict[str, Any]]


def group_for(user_id: int) -> str:
    return f"notifications.user.{user_id}"


def send_to_users(messages: Iterable[tuple[int, dict[str, Any]]]) -> None:
    """Send each ``(user_id, payload)`` to that person's open sockets, if any.

    Runs after commit. All the pushes of one event go out together, overlapped, so the last
    recipient does not wait for everyone before them. A failed push loses nothing: the row
    is stored and the client catches up with ``?after=<id>``; so a failure is logged (ids
    only) and never raised.
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


def _push(events: list[Event], failure: str) -> None:
    layer = get_channel_layer()
    if layer is None or not events:
        return
    if isinstance(layer, InMemoryChannelLayer):
        # In-process queues belong to the event loop of this process's sockets, which is the
        # one async_to_sync finds from a request's (or a test's) thread: push there and wait.
        try:
            async_to_sync(_send_all)(layer, events)
        except Exception:
            logger.warning(failure, exc_info=True)
        return
    _outbox.put(layer, events, failure)


async def _send_all(layer: Any, events: list[Event]) -> None:
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


class _Outbox:
    """Pushes to a shared channel layer (Redis), from one long-lived event loop per process.

    The committing thread hands the event over and goes on: it neither waits for the round
    trips to Redis nor, in a process without an event loop of its own (the task worker, the
    scheduler, a management command), starts a loop and opens connections for every event,
    as ``async_to_sync`` would. Events go out one after another in the order they committed
    in this process (a "read" never overtakes the notification it clears), each event's
    pushes overlapped. An exiting process waits up to ``DRAIN_SECONDS`` for what it queued.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[tuple[Any, list[Event], str]] | None = None
        self._pid = 0
        # The configured layer (a new one when the settings change) → the outbox's twin.
        self._layers: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()

    def put(self, layer: Any, events: list[Event], failure: str) -> None:
        loop, queue = self._started()
        loop.call_soon_threadsafe(queue.put_nowait, (self._own(layer), events, failure))

    def _own(self, layer: Any) -> Any:
        """A layer of the outbox's own, configured as ``layer``: its connections belong to the
        outbox's loop, so whoever closes the shared layer's connections leaves these alone."""
        with self._lock:
            own = self._layers.get(layer)
            if own is None:
                own = self._layers[layer] = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
            return own

    def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        """Wait (at most ``timeout`` seconds) until every queued event has been pushed."""
        with self._lock:
            loop, queue = self._loop, self._queue
        if loop is None or queue is None or self._pid != os.getpid():
            return
        try:
            asyncio.run_coroutine_threadsafe(queue.join(), loop).result(timeout)
        except TimeoutError:
            logger.warning("Realtime pushes were still queued when the process stopped")

    def _started(self) -> tuple[asyncio.AbstractEventLoop, asyncio.Queue]:
        with self._lock:
            # A forked child inherits the attributes but not the thread: it starts its own.
            if self._loop is None or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                ready = threading.Event()
                threading.Thread(
                    target=self._run, args=(loop, ready), name="realtime-push", daemon=True
                ).start()
                ready.wait()
                self._loop, self._pid = loop, os.getpid()
            assert self._queue is not None
            return self._loop, self._queue

    def _run(self, loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
        asyncio.set_event_loop(loop)
        self._queue = asyncio.Queue()
        loop.create_task(self._deliver(self._queue))
        loop.call_soon(ready.set)
        loop.run_forever()

    @staticmethod
    async def _deliver(queue: asyncio.Queue[tuple[Any, list[Event], str]]) -> None:
        while True:
            layer, events, failure = await queue.get()
            try:
                await _send_all(layer, events)
            except Exception:
                logger.warning(failure, exc_info=True)
            finally:
                queue.task_done()


_outbox = _Outbox()
atexit.register(_outbox.drain)
