"""A case plan opened by its lead: the plan with its team, actions and risk assessments (the
current one and those it superseded), with and without field encryption.

The method: two datasets generated from the same seed, one encrypted as in production and
its plain-text twin (``generate --plaintext``), each served by its own server process; the
twin's server runs ``bench.settings_plaintext``, where the encrypted fields behave as the
plain Django fields they are built on. Queries, views and serializers are the same code, the
rows and values are the same, so the difference is what encryption costs: AES-GCM, the
envelope, and the fields' lazy decryption. One "open" is the four requests the plan screen
needs, timed together and one by one, alternating between the two servers round by round.
"""

from __future__ import annotations

import time
from typing import Any

from bench import stats
from bench.servers import PASSWORD, Server, sign_in

PARTS = ("plan", "team", "actions", "risk_assessments")


def paths(plan_id: str) -> dict[str, str]:
    base = f"/api/v1/case-plans/{plan_id}/"
    return {
        "plan": base,
        "team": base + "team/",
        "actions": base + "actions/",
        "risk_assessments": base + "risk-assessments/",
    }


def measure(
    encrypted: Server,
    plaintext: Server,
    username: str,
    plan_ids: list[str],
    *,
    rounds: int,
    warmup: int,
) -> dict[str, Any]:
    clients = {"encrypted": encrypted.client(), "plaintext": plaintext.client()}
    for client in clients.values():
        sign_in(client, username, PASSWORD)
    bodies = {}
    for name, client in clients.items():
        bodies[name] = {part: client.get(path).json() for part, path in paths(plan_ids[0]).items()}
    if bodies["encrypted"] != bodies["plaintext"]:
        raise AssertionError("the plain-text twin does not answer what the encrypted one does")
    timings: dict[str, dict[str, list[float]]] = {
        name: {part: [] for part in (*PARTS, "open")} for name in clients
    }
    names = list(clients)
    for round_ in range(warmup + rounds):
        plan = paths(plan_ids[round_ % len(plan_ids)])
        for name in names if round_ % 2 == 0 else reversed(names):
            client = clients[name]
            opened = time.perf_counter()
            for part in PARTS:
                started = time.perf_counter()
                response = client.get(plan[part])
                if response.status_code != 200:
                    raise RuntimeError(f"GET {plan[part]}: {response.status_code}")
                if round_ >= warmup:
                    timings[name][part].append(time.perf_counter() - started)
            if round_ >= warmup:
                timings[name]["open"].append(time.perf_counter() - opened)
    for client in clients.values():
        client.close()
    figures = {
        name: {part: stats.summary(samples) for part, samples in parts.items()}
        for name, parts in timings.items()
    }
    enc, plain = figures["encrypted"]["open"], figures["plaintext"]["open"]
    return {
        "user": username,
        "plans": len(plan_ids),
        **figures,
        "encrypted_vs_plaintext": stats.ratio(enc["median_ms"], plain["median_ms"]),
        "encrypted_vs_plaintext_p95": stats.ratio(enc["p95_ms"], plain["p95_ms"]),
    }
