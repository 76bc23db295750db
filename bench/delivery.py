"""Notification delivery: from the commit of a referral transition to its arrival on the
receiving staff's WebSockets, with many sockets held open over two server processes.

Three processes take part besides the servers, so that none slows another's clock:

* the runner signs the people in over HTTP and measures the servers' memory;
* ``python -m bench.delivery sockets`` holds one WebSocket per person (spread over the
  servers as a load balancer would) and notes when each notification arrives;
* ``python -m bench.delivery fire`` drafts referrals to the agencies whose staff hold
  sockets and sends each through ``referrals.services.transition`` (as a background worker
  or another web process would), noting the instant each send committed: a
  ``transaction.on_commit`` hook registered before the transition runs first after COMMIT,
  before the push.

Latency is arrival minus commit (one machine, one clock). Memory per idle socket is the
growth of the servers' resident memory from before the sockets opened to after, divided by
the number of sockets.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import ROOT, stats
from bench.servers import PASSWORD, SESSION_COOKIE, Server, sign_in_async

WARMUP_TRANSITIONS = 5
# How long the socket holder waits, after the last send committed, for notifications still on
# their way; a delivery later than this counts as lost.
DELIVERY_DEADLINE = 30.0


async def _sign_everyone_in(
    servers: list[Server], people: list[str], concurrency: int = 16
) -> list[tuple[str, str]]:
    import httpx

    gate = asyncio.Semaphore(concurrency)

    async def one(index: int, username: str) -> tuple[str, str]:
        server = servers[index % len(servers)]
        async with gate, httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            await sign_in_async(client, username, PASSWORD)
            return server.url, client.cookies[SESSION_COOKIE]

    return await asyncio.gather(*(one(i, name) for i, name in enumerate(people)))


def measure(
    servers: list[Server],
    database_url: str,
    redis_url: str,
    people: list[str],
    referrals: list[dict[str, Any]],
    *,
    interval: float,
    settle: float,
    workdir: Path,
    env: dict[str, str],
) -> dict[str, Any]:
    """``people`` hold a socket each. Each of ``referrals`` (``username``, ``child``,
    ``service``) is drafted, then sent: ``receivers`` of the socket holders should hear."""
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    sessions = asyncio.run(_sign_everyone_in(servers, people))
    signed_in = time.monotonic() - started
    sockets_file = workdir / "sockets.json"
    sockets_file.write_text(json.dumps(sessions))
    receipts_file = workdir / "receipts.json"
    commits_file = workdir / "commits.json"
    plans_file = workdir / "referrals.json"
    plans_file.write_text(json.dumps(referrals))
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    before = {server.pid: stats.rss_kib(server.pid) for server in servers}
    holder = subprocess.Popen(
        [sys.executable, "-m", "bench.delivery", "sockets", str(sockets_file), str(receipts_file)],
        cwd=ROOT,
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    # The driver sets Django up while the sockets connect, then waits for the word.
    driver = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.delivery",
            "fire",
            str(plans_file),
            str(commits_file),
            "--interval",
            str(interval),
        ],
        cwd=ROOT,
        env={
            **environment,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
        },
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = holder.stdout.readline().split()
        if not ready or ready[0] != "ready":
            raise RuntimeError("the socket holder did not connect its sockets")
        connected, connect_seconds = int(ready[1]), float(ready[2])
        if driver.stdout.readline().strip() != "ready":
            raise RuntimeError("the transition driver did not start")
        # Idle sockets: what the servers hold once the connection burst has settled.
        time.sleep(settle)
        after = {server.pid: stats.rss_kib(server.pid) for server in servers}
        driver.stdin.write("go\n")
        driver.stdin.close()
        if driver.wait() != 0:
            raise RuntimeError("the transition driver failed")
        # The last notifications are still on their way: the holder listens until every
        # one has arrived, or for at most DELIVERY_DEADLINE seconds more.
        commits = json.loads(commits_file.read_text())
        holder.stdin.write(f"{sum(receivers for _, receivers, _ in commits)}\n")
    finally:
        driver.kill()
        holder.stdin.close()
        holder.wait(timeout=DELIVERY_DEADLINE + 60)
    receipts = json.loads(receipts_file.read_text())
    return _figures(
        commits,
        receipts,
        connected=connected,
        connect_seconds=connect_seconds,
        signed_in=signed_in,
        rss_before=before,
        rss_after=after,
    )


def _figures(
    commits: list[list[Any]], receipts: list[list[Any]], **measured: Any
) -> dict[str, Any]:
    timed = commits[WARMUP_TRANSITIONS:]
    committed = {reference: at for reference, _, at in timed}
    expected = sum(receivers for _, receivers, _ in timed)
    latencies = [at - committed[reference] for reference, at in receipts if reference in committed]
    connected = measured["connected"]
    growth = sum(measured["rss_after"].values()) - sum(measured["rss_before"].values())
    return {
        "sockets": connected,
        "servers": len(measured["rss_before"]),
        "transitions": len(committed),
        "expected_deliveries": expected,
        "deliveries": len(latencies),
        "latency": stats.summary(latencies),
        "connect_seconds": round(measured["connect_seconds"], 1),
        "sign_in_seconds": round(measured["signed_in"], 1),
        "rss_before_kib": sum(measured["rss_before"].values()),
        "rss_after_kib": sum(measured["rss_after"].values()),
        "kib_per_idle_socket": round(growth / connected, 1) if connected else None,
    }


# --- the socket holder --------------------------------------------------------------------


async def _hold(sessions: list[list[str]], receipts: list[list[Any]]) -> None:
    from websockets.asyncio.client import connect

    gate = asyncio.Semaphore(50)
    opened: list[Any] = []
    started = time.monotonic()

    async def open_one(url: str, session: str) -> None:
        async with gate:
            socket = await connect(
                url.replace("http://", "ws://") + "/ws/notifications/",
                origin=url,
                additional_headers={"Cookie": f"{SESSION_COOKIE}={session}"},
                open_timeout=60,
                ping_interval=None,
            )
            opened.append(socket)

    await asyncio.gather(*(open_one(url, session) for url, session in sessions))

    async def listen(socket: Any) -> None:
        async for message in socket:
            arrived = time.time()
            payload = json.loads(message)
            if payload.get("type") == "notification":
                receipts.append([payload["notification"]["reference"], arrived])

    listeners = [asyncio.create_task(listen(socket)) for socket in opened]
    # A thousand open sockets are many objects: a full collection of them would pause this
    # process (the clock of every arrival), not the platform. They stay until the end anyway.
    gc.freeze()
    print(f"ready {len(opened)} {time.monotonic() - started:.2f}", flush=True)
    # The coordinator writes how many notifications were sent once the last send committed.
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    expected = int(line) if line.strip() else 0
    deadline = time.monotonic() + DELIVERY_DEADLINE
    while len(receipts) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    for task in listeners:
        task.cancel()
    await asyncio.gather(*(socket.close() for socket in opened), return_exceptions=True)


def hold_sockets(sessions_file: str, receipts_file: str) -> None:
    receipts: list[list[Any]] = []
    asyncio.run(_hold(json.loads(Path(sessions_file).read_text()), receipts))
    Path(receipts_file).write_text(json.dumps(receipts))


# --- the transition driver ----------------------------------------------------------------


def fire(plans_file: str, commits_file: str, interval: float) -> None:
    """Draft each planned referral, then send it, noting when the send committed."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from agencies.selectors import agencies_of
    from children.models import Child
    from pathways.models import Service
    from referrals import services

    users = get_user_model().objects
    commits: list[list[Any]] = []
    print("ready", flush=True)
    sys.stdin.readline()
    for plan in json.loads(Path(plans_file).read_text()):
        actor = users.get(username=plan["username"])
        referral = services.create_referral(
            actor=actor,
            agency=agencies_of(actor)[0],
            child=Child.objects.get(pk=plan["child"]),
            new_child=None,
            service=Service.objects.get(pk=plan["service"]),
            urgency="within_24h",
            need_categories=["therapy"],
            concern="Benchmark referral: the young person asked for support.",
        )

        def committed(
            reference: str = referral.reference, receivers: int = plan["receivers"]
        ) -> None:
            commits.append([reference, receivers, time.time()])

        with transaction.atomic():
            # Registered first, so it runs first once COMMIT returns, before the push.
            transaction.on_commit(committed)
            services.transition(referral, "send", actor=actor)
        time.sleep(interval)
    Path(commits_file).write_text(json.dumps(commits))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.delivery")
    commands = parser.add_subparsers(dest="command", required=True)
    sockets = commands.add_parser("sockets")
    sockets.add_argument("sessions_file")
    sockets.add_argument("receipts_file")
    driver = commands.add_parser("fire")
    driver.add_argument("plans_file")
    driver.add_argument("commits_file")
    driver.add_argument("--interval", type=float, default=0.2)
    args = parser.parse_args(argv)
    if args.command == "sockets":
        hold_sockets(args.sessions_file, args.receipts_file)
    else:
        fire(args.plans_file, args.commits_file, args.interval)


if __name__ == "__main__":
    main(sys.argv[1:])
