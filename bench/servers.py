"""The platform as it runs in production, for the benchmarks to talk to: uvicorn processes
(one per core, as ``deploy/entrypoint.sh`` runs them), and browser-like clients signed in
through the real login endpoint."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import ROOT

STARTUP_SECONDS = 90
# The one password of every generated person (the benchmark signs them in; data is fake).
PASSWORD = "bench-password-not-secret"  # noqa: S105
SESSION_COOKIE = "sessionid"  # bench.settings: plain names over plain HTTP on loopback
CSRF_COOKIE = "csrftoken"


def free_port() -> int:
    """A port free now, below the kernel's range for outgoing connections: a port the kernel
    hands out itself (``bind`` to 0) can be taken by a connection to PostgreSQL or Redis in the
    moment before the server binds it (seen once: "address already in use")."""
    for port in random.sample(range(10_000, _first_outgoing_port()), 100):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the outgoing range")


def _first_outgoing_port() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def client(self) -> httpx.Client:
        """A keep-alive HTTP client, not signed in."""
        return httpx.Client(base_url=self.url, timeout=60)


@dataclass(frozen=True, eq=False)
class Group:
    """Server processes of the platform against one database.

    With ``redis_url`` they share its channel layer and cache (a WebSocket on one process
    gets what another commits); without, each has its own in-memory layer.
    """

    database_url: str
    count: int = 1
    settings: str = "bench.settings"
    redis_url: str | None = None


@contextmanager
def running(
    groups: list[Group], *, logs: Path, env: dict[str, str] | None = None
) -> Iterator[list[list[Server]]]:
    """The uvicorn processes of every group, started together (they start in parallel, which
    is most of what a benchmark run waits for), stopped on leaving; one list per group."""
    logs.mkdir(parents=True, exist_ok=True)
    started: list[list[Server]] = []
    try:
        for group in groups:
            started.append([_start(group, logs, env or {}) for _ in range(group.count)])
        for servers in started:
            for server in servers:
                _wait_until_up(server)
        yield started
    finally:
        everyone = [server for servers in started for server in servers]
        for server in everyone:
            server.process.terminate()
        for server in everyone:
            try:
                server.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()


def _start(group: Group, logs: Path, env: dict[str, str]) -> Server:
    environment = {
        **os.environ,
        "DATABASE_URL": group.database_url,
        "DJANGO_SETTINGS_MODULE": group.settings,
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
        # Its own cache counters: tests running beside a smoke run sign in on the same Redis.
        "CACHE_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:12]}",
        **env,
    }
    environment.pop("REDIS_URL", None)
    if group.redis_url:
        environment["REDIS_URL"] = group.redis_url
    port = free_port()
    log = logs / f"server-{port}.log"
    with log.open("wb") as output:
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
                str(port),
                "--ws",
                "websockets-sansio",
                "--no-server-header",
                "--no-access-log",
                "--lifespan",
                "off",
            ],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return Server(port=port, process=process, log=log)


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = server.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"server on port {server.port} stopped while starting:\n{tail}")
        try:
            if httpx.get(f"{server.url}/api/v1/auth/csrf/", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on port {server.port} did not start in {STARTUP_SECONDS}s")


def sign_in(client: httpx.Client, username: str, password: str) -> None:
    """Sign ``client`` in through the real endpoints (CSRF token, then login), as the web app
    does; the session and CSRF cookies stay on the client."""
    token = client.get("/api/v1/auth/csrf/").json()["csrf_token"]
    response = client.post(
        "/api/v1/auth/login/",
        json={"username": username, "password": password},
        headers={"X-CSRFToken": token},
    )
    if response.status_code != 200:
        raise RuntimeError(f"sign-in of {username} failed: {response.status_code}")


async def sign_in_async(client: httpx.AsyncClient, username: str, password: str) -> None:
    token = (await client.get("/api/v1/auth/csrf/")).json()["csrf_token"]
    response = await client.post(
        "/api/v1/auth/login/",
        json={"username": username, "password": password},
        headers={"X-CSRFToken": token},
    )
    if response.status_code != 200:
        raise RuntimeError(f"sign-in of {username} failed: {response.status_code}")


def csrf_headers(client: httpx.Client | httpx.AsyncClient) -> dict[str, str]:
    return {"X-CSRFToken": client.cookies[CSRF_COOKIE]}
