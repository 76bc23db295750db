"""A real platform and a real browser for the end-to-end tests, once per test session.

The platform runs as ``make run`` does (uvicorn, ASGI, the built web app) in a subprocess,
on a free port, against a throwaway database that is migrated and seeded with the demo data:
a temporary SQLite file, or, when ``DATABASE_URL`` points at PostgreSQL (CI's second tier),
a fresh database of its own on that server, dropped afterwards. ``REDIS_URL`` is passed on.

The browser is Debian's Chromium (``apt-get install chromium``) driven by Playwright.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BUILT_APP = ROOT / "frontend" / "dist" / "index.html"
STARTUP_SECONDS = 60


@dataclass(frozen=True)
class LiveApp:
    url: str
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def _server_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'platform.sqlite3'}"
        return
    parts = urlsplit(configured)
    name = f"e2e_{uuid.uuid4().hex[:12]}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def live_app(_server_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    if not BUILT_APP.exists():
        pytest.fail("The web app is not built: run `make frontend` (make test does it).")
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": _server_database,
        # The suite signs the same demo people in many times a minute.
        "LOGIN_THROTTLE_RATE": "10000/min",
        "LOGIN_USERNAME_THROTTLE_RATE": "10000/min",
        # Its own counters: other test processes sign in on the same Redis at the same time.
        "CACHE_KEY_PREFIX": f"e2e-{uuid.uuid4().hex[:12]}",
        "LOG_LEVEL": "WARNING",
    }
    log = tmp_path_factory.mktemp("e2e-server") / "server.log"
    manage = [sys.executable, str(ROOT / "backend" / "manage.py")]
    with log.open("ab") as out:
        for command in (["migrate", "--noinput"], ["seed_demo", "--quiet"]):
            subprocess.run(
                [*manage, *command], env=env, cwd=ROOT, stdout=out, stderr=out, check=True
            )
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "config.asgi:application"),
                *("--app-dir", "backend", "--host", "127.0.0.1", "--port", str(port)),
                *("--ws", "websockets", "--no-server-header", "--log-level", "warning"),
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=out,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url, server, log)
        yield LiveApp(url=url, log=log)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"The platform stopped while starting:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/api/v1/auth/csrf/", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"The platform did not start in {STARTUP_SECONDS}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Chromium, for the browser tests only: Playwright's sync API keeps an event loop on the
    main thread while it is open, and Django refuses to set up the test database inside a
    running loop, so it must not stay open into the tests that run after these."""
    if not CHROMIUM.exists():
        message = "Chromium is missing: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Browser, live_app: LiveApp) -> Iterator[Callable[[], Page]]:
    """``new_page()``: a page in a browser context of its own (its own cookies: one person).

    Any script error or Content-Security-Policy refusal in a page fails the test.
    """
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def make() -> Page:
        context = browser.new_context(
            base_url=live_app.url,
            locale="en-GB",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(f"CSP: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert problems == [], "\n".join(problems)


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()
