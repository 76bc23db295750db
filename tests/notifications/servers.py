"""Real ASGI servers for the end-to-end notification tests: one in a thread of the test process,
or several as separate processes, and a browser-like client for them."""

import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from bench.servers import free_port
from channels.db import database_sync_to_async
from django.conf import settings
from websockets.sync.client import ClientConnection, connect

from config.asgi import application

BASE_DIR = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 30


@dataclass
class Server:
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def sign_in(self, username: str, password: str) -> httpx.Client:
        """An HTTP client signed in over the real login endpoint, as a browser would be."""
        client = httpx.Client(base_url=self.url, timeout=10)
        token = client.get("/api/v1/auth/csrf/").json()["csrf_token"]
        response = client.post(
            "/api/v1/auth/login/",
            json={"username": username, "password": password},
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == 200, response.status_code
        return client

    def post(self, client: httpx.Client, path: str, **kwargs: Any) -> httpx.Response:
        token = client.cookies[settings.CSRF_COOKIE_NAME]
        return client.post(path, headers={"X-CSRFToken": token}, **kwargs)

    def socket(self, client: httpx.Client | None, origin: str | None = None) -> ClientConnection:
        """A WebSocket to /ws/notifications/ carrying the client's session cookie."""
        headers = {}
        if client is not None:
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={cookie}"
        return connect(
            f"ws://127.0.0.1:{self.port}/ws/notifications/",
            origin=origin or self.url,
            additional_headers=headers,
            open_timeout=10,
        )

    def wait_until_up(self, alive: Callable[[], bool]) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            assert alive(), f"server on port {self.port} stopped while starting"
            try:
                if httpx.get(f"{self.url}/api/v1/auth/csrf/", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server on port {self.port} did not start")


@dataclass
class ThreadServer(Server):
    """The platform's ASGI application served by uvicorn in a thread of the test process."""

    loop: asyncio.AbstractEventLoop

    def run_in_server(self, func: Callable[[], Any]) -> Any:
        """Run ``func`` as the server runs a view: in a worker thread of its event loop, so
        what it commits is pushed by this server process."""
        future = asyncio.run_coroutine_threadsafe(database_sync_to_async(func)(), self.loop)
        return future.result(timeout=10)


@contextmanager
def server_thread() -> Iterator[ThreadServer]:
    port = free_port()
    config = uvicorn.Config(
        application,
        host="127.0.0.1",
        port=port,
        ws="websockets-sansio",
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(),), daemon=True)
    thread.start()
    running = ThreadServer(port=port, loop=loop)
    try:
        running.wait_until_up(thread.is_alive)
        yield running
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        if thread.is_alive():
            # On PostgreSQL + Redis uvicorn can still be waiting for a closed socket's task
            # after 10 s (seen at HEAD on a loaded machine): stop without waiting further.
            server.force_exit = True
            thread.join(timeout=10)
        loop.close()


@contextmanager
def server_processes(count: int, env: dict[str, str]) -> Iterator[list[Server]]:
    """``count`` separate uvicorn processes of the platform, sharing ``env``."""
    started: list[tuple[Server, subprocess.Popen, Any]] = []
    try:
        for _ in range(count):
            server = Server(port=free_port())
            log = tempfile.TemporaryFile()  # noqa: SIM115 (closed when the server stops)
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "config.asgi:application",
                    "--app-dir",
                    "backend",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(server.port),
                    "--ws",
                    "websockets-sansio",
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                cwd=BASE_DIR,
                # Its own cache counters: other test processes sign in on the same Redis.
                env={**os.environ, "CACHE_KEY_PREFIX": f"live-{uuid.uuid4().hex[:12]}", **env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            started.append((server, process, log))
        for server, process, log in started:
            try:
                server.wait_until_up(lambda p=process: p.poll() is None)
            except AssertionError:
                log.seek(0)
                sys.stderr.write(log.read().decode(errors="replace")[-3000:])
                raise
        yield [server for server, _, _ in started]
    finally:
        for _, process, log in started:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
