"""Throwaway PostgreSQL and Redis servers that a test can stop and start, and the platform's
processes started through deploy/entrypoint.sh, for the deployment tests.

PostgreSQL comes from the Debian package on this machine (``/usr/lib/postgresql/*/bin``); as
root, its server runs as ``nobody`` because initdb refuses root. Each server lives in a temporary
folder on a free port and is removed afterwards.
"""

import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from bench.servers import free_port

from core.demo_secrets import new_field_key, new_key

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"
SERVER_BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
REDIS_SERVER = shutil.which("redis-server")
STARTUP_SECONDS = 60


def wait_until(check: Callable[[], bool], what: str, seconds: float = STARTUP_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} within {seconds}s")


def production_secrets() -> dict[str, str]:
    """Fresh production secrets: the settings refuse to start with DEBUG off without them."""
    return {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "FIELD_ENCRYPTION_KEYS": new_field_key("k1"),
        "BLIND_INDEX_KEY": new_key(),
    }


@dataclass
class Postgres:
    """A PostgreSQL server of its own, trust authentication on 127.0.0.1 only."""

    folder: Path
    port: int = field(default_factory=free_port)

    @property
    def bin(self) -> Path:
        return Path(SERVER_BINARIES[-1]).parent

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            timeout=120,
            user="nobody" if os.geteuid() == 0 else None,
        )

    def create(self) -> None:
        self.folder.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.folder, user="nobody")
        self._run("initdb", "-D", str(self.folder / "data"), "-U", "postgres", "-A", "trust")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        log = str(self.folder / "server.log")
        self._run(
            "pg_ctl", "-D", str(self.folder / "data"), "-o", options, "-l", log, "-w", "start"
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")

    def kill(self) -> None:
        if (self.folder / "data" / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")


@contextmanager
def throwaway_postgres() -> Iterator[Postgres]:
    """Initialised but not started: the test decides when it runs."""
    parent = Path(tempfile.mkdtemp(prefix="platform-pg-"))
    if os.geteuid() == 0:
        # The server runs as nobody, which must reach its own folder inside this one.
        os.chmod(parent, 0o711)  # noqa: S103 (traverse only, nothing listed or written)
    server = Postgres(folder=parent / "cluster")
    try:
        server.create()
        yield server
    finally:
        server.kill()
        shutil.rmtree(parent, ignore_errors=True)


@dataclass
class Redis:
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert REDIS_SERVER is not None
        self.process = subprocess.Popen(
            [
                *(REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, "Redis did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@contextmanager
def throwaway_redis() -> Iterator[Redis]:
    with tempfile.TemporaryDirectory(prefix="platform-redis-") as folder:
        server = Redis(folder=Path(folder))
        try:
            yield server
        finally:
            server.stop()


def role_environment(**env: str) -> dict[str, str]:
    """The environment a platform process gets: this machine's, less anything that configures
    the platform, plus ``env``."""
    platform_variables = {
        "DEBUG",
        "SECRET_KEY",
        "FIELD_ENCRYPTION_KEYS",
        "BLIND_INDEX_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "CHANNELS_PREFIX",
    }
    clean = {k: v for k, v in os.environ.items() if k not in platform_variables}
    return {**clean, "PYTHON": sys.executable, **env}


def run_role(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(ENTRYPOINT), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass
class Process:
    """A platform process started through the entrypoint, its output in a file."""

    popen: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def json_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.output().splitlines() if line.strip()]

    def stop(self) -> None:
        """Stops the process and anything it started (its own process group)."""
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()


@contextmanager
def role(name: str, *, env: dict[str, str], log: Path) -> Iterator[Process]:
    with log.open("ab") as out:
        popen = subprocess.Popen(
            ["bash", str(ENTRYPOINT), name],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    process = Process(popen=popen, log=log)
    try:
        yield process
    finally:
        process.stop()


def serving(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False
