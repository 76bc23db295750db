"""Record every payload the notifications WebSocket sends, for tests that scan them.

    with record_ws_payloads() as sent:
        ...  # connect sockets, raise notifications
    assert all("name" not in json.dumps(p) for p in sent)

Works for sockets served in the test's own process (``WebsocketCommunicator`` or a server
thread); the ``ws_payloads`` fixture in ``tests/conftest.py`` wraps it.
"""

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from notifications.consumers import NotificationConsumer


@contextmanager
def record_ws_payloads() -> Iterator[list[dict[str, Any]]]:
    sent: list[dict[str, Any]] = []
    original = NotificationConsumer.send_json

    async def recording(self: NotificationConsumer, content: Any, close: bool = False) -> None:
        sent.append(copy.deepcopy(content))
        await original(self, content, close)

    with mock.patch.object(NotificationConsumer, "send_json", recording):
        yield sent
