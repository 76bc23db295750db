"""Calls the real ASGI application (``config.asgi.application``) in-process, from the test's
own thread, through a ``requests`` session.

Why not a test server or schemathesis' own ASGI client: both run the application on another
thread, where Django opens another database connection that cannot see the test's
uncommitted data. Here ``async_to_sync`` runs the event loop while this thread serves the
application's synchronous parts (``thread_sensitive``), so every request shares the test's
connection and transaction, and the whole ASGI stack (protocol router, middleware, DRF)
still runs.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from asgiref.sync import async_to_sync
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from requests.adapters import HTTPAdapter
from schemathesis.python.asgi import ASGIClient

HOST = "testserver"


@contextmanager
def _keep_test_connection() -> Iterator[None]:
    """The test's connection holds its transaction: the request must not close it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


class InProcessAdapter(HTTPAdapter):
    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app = app

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        parts = urlsplit(str(request.url))
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in request.headers.items()
        ]
        if "host" not in request.headers:
            headers.append((b"host", (parts.netloc or HOST).encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": parts.scheme or "http",
            "path": requests.utils.unquote(parts.path),
            "raw_path": parts.path.encode(),
            "root_path": "",
            "query_string": parts.query.encode(),
            "headers": headers,
            "client": ["127.0.0.1", 50000],
            "server": [parts.hostname or HOST, parts.port or 80],
        }
        sent: list[dict[str, Any]] = []

        async def run() -> None:
            done = asyncio.Event()
            delivered = False

            async def receive() -> dict[str, Any]:
                nonlocal delivered
                if not delivered:
                    delivered = True
                    return {"type": "http.request", "body": body, "more_body": False}
                await done.wait()  # the client stays connected until the response is complete
                return {"type": "http.disconnect"}

            async def send(message: dict[str, Any]) -> None:
                sent.append(message)
                if message["type"] == "http.response.body" and not message.get("more_body"):
                    done.set()

            await self.app(scope, receive, send)
            done.set()

        with _keep_test_connection():
            async_to_sync(run)()
        start = next(m for m in sent if m["type"] == "http.response.start")
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(
                b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
            ),
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]],
            status=start["status"],
            version=11,
            preload_content=False,
        )
        return self.build_response(request, raw)

    def close(self) -> None:
        """Nothing to release: no sockets."""


class InProcessSession(ASGIClient):
    """A ``requests`` session whose every request goes to ``app`` in this thread.

    It is schemathesis' ASGI client type, so ``case.call(session=...)`` uses it as is.
    """

    def __init__(self, app: Any) -> None:
        super().__init__(app, base_url=f"http://{HOST}")
        adapter = InProcessAdapter(app)
        self.mount("http://", adapter)
        self.mount("https://", adapter)
