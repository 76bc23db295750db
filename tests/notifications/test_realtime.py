"""Pushes to a shared channel layer leave from one long-lived event loop per process
(``notifications.realtime``), in the order their changes committed."""

import asyncio
import os

import pytest
from channels.layers import get_channel_layer

from notifications import realtime

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")

PERSON = 42


def _push_from_a_thread_without_a_loop(count: int) -> None:
    """What a task worker or a management command does: commit, push, go on."""
    for number in range(count):
        realtime.send_to_users([(PERSON, {"type": "read", "ids": [number]})])
    realtime._outbox.drain()


async def test_pushes_from_code_without_an_event_loop_arrive_in_the_order_they_were_made():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(realtime.group_for(PERSON), channel)
    try:
        await asyncio.to_thread(_push_from_a_thread_without_a_loop, 30)
        received = [await asyncio.wait_for(layer.receive(channel), 15) for _ in range(30)]
    finally:
        await layer.close_pools()
    assert [message["payload"]["ids"] for message in received] == [[n] for n in range(30)]
    assert {message["type"] for message in received} == {realtime.EVENT_TYPE}
