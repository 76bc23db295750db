"""Referral create + send, sustained, with concurrent clients.

Each client is a different helpline or social worker, signed in on one of the server
processes in turn (as a load balancer would spread them). It drafts a referral for a child
its agency keeps (``POST /api/v1/referrals/``) and sends it (``POST .../send/``), again and
again: every send checks the consent, records the share, grants the receiving agency,
writes the history and the audit trail and notifies the receiving staff, in one transaction.
Pairs completed within the timed window are counted after a warm-up.

First, for a few seconds, the same clients send the cheapest signed-in request
(``bench.variants.PingView``) as fast as the servers answer: what the HTTP/ASGI stack, the
middleware, the session and DRF allow on this machine before any work, the ceiling that a
pair of requests cannot beat (half the pings per second).
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench import stats
from bench.inbox import PING
from bench.servers import PASSWORD, Server, csrf_headers, sign_in_async


@dataclass
class Sender:
    username: str
    children: list[str]
    services: list[int]
    done: list[tuple[float, float]] = field(default_factory=list)
    pings: list[float] = field(default_factory=list)  # when each answered ping returned
    failures: int = 0


@dataclass
class Clock:
    """The timed run starts once every client has signed in: ``pinging`` seconds of pings,
    then pairs for ``length`` seconds."""

    clients: int
    pinging: float
    length: float
    signed_in: int = 0
    started: asyncio.Event = field(default_factory=asyncio.Event)
    begin: float = 0.0

    async def start(self) -> tuple[float, float]:
        """Wait for everyone to sign in; the instants the pings and the pairs stop."""
        self.signed_in += 1
        if self.signed_in == self.clients:
            self.begin = time.perf_counter()
            self.started.set()
        await self.started.wait()
        return self.begin + self.pinging, self.begin + self.pinging + self.length


async def _work(server: Server, sender: Sender, clock: Clock, seed: int, errors: list[str]) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        await sign_in_async(client, sender.username, PASSWORD)
        headers = csrf_headers(client)
        stop_pinging, stop_at = await clock.start()
        while time.perf_counter() < stop_pinging:
            if (await client.get(PING)).status_code == 200:
                sender.pings.append(time.perf_counter())
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            created = await client.post(
                "/api/v1/referrals/",
                json={
                    "child": rng.choice(sender.children),
                    "service": rng.choice(sender.services),
                    "urgency": rng.choice(["within_24h", "within_72h", "routine"]),
                    "need_categories": ["therapy"],
                    "concern": "Benchmark referral: the young person asked for support.",
                },
                headers=headers,
            )
            if created.status_code != 201:
                sender.failures += 1
                errors.append(f"create {created.status_code}: {created.text[:200]}")
                continue
            sent = await client.post(
                f"/api/v1/referrals/{created.json()['id']}/send/", json={}, headers=headers
            )
            if sent.status_code != 200:
                sender.failures += 1
                errors.append(f"send {sent.status_code}: {sent.text[:200]}")
                continue
            sender.done.append((started, time.perf_counter()))


def measure(
    servers: list[Server],
    senders: list[Sender],
    *,
    seconds: float,
    warmup: float,
    pinging: float,
) -> dict[str, Any]:
    """Ping for ``pinging`` seconds, then run every sender for ``warmup + seconds``; count
    the pairs finished in the last ``seconds``."""
    errors: list[str] = []

    async def main() -> float:
        # Nobody starts a pair after the window: the load stays the same until it ends.
        clock = Clock(len(senders), pinging, warmup + seconds)
        tasks = [
            _work(servers[i % len(servers)], sender, clock, i, errors)
            for i, sender in enumerate(senders)
        ]
        await asyncio.gather(*tasks)
        return clock.begin

    load_before = stats.load_average()
    begin = asyncio.run(main())
    pings = sum(begin <= at < begin + pinging for sender in senders for at in sender.pings)
    pings_per_second = pings / pinging
    # The window starts once everyone is signed in and warm, and ends as they stop starting.
    window_start = begin + pinging + warmup
    window_end = window_start + seconds
    finished = [
        (started, ended)
        for sender in senders
        for started, ended in sender.done
        if window_start <= ended < window_end
    ]
    if errors and not finished:
        raise RuntimeError("no referral was created and sent: " + errors[0])
    return {
        "completed_in_all": sum(len(sender.done) for sender in senders),
        "clients": len(senders),
        "servers": len(servers),
        "seconds": seconds,
        "pairs": len(finished),
        "pairs_per_second": round(len(finished) / seconds, 1),
        "pings_per_second": round(pings_per_second, 1),
        # What a pair costs, in empty signed-in requests: 2 would be a stack with no work.
        "pair_in_pings": round(pings_per_second * seconds / len(finished), 1) if finished else None,
        "pair": stats.summary([ended - started for started, ended in finished]),
        "failures": sum(sender.failures for sender in senders),
        "first_error": errors[0] if errors else None,
        "load_before": load_before,
    }
