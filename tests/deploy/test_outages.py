"""PostgreSQL and Redis go away and come back under a running web process.

Everything is real and throwaway: a PostgreSQL server of its own (initdb, pg_ctl), a
redis-server of its own, and the platform started through deploy/entrypoint.sh (migrate, then
web) with the production settings (DEBUG off) and JSON logs. It needs the PostgreSQL and Redis
programs, not the CI's servers, so it would run the same on both CI tiers: it runs once, on the
PostgreSQL + Redis tier (a fresh server migrated from nothing takes most of its minute).

What is decided here:

* Redis down: /readyz says so (503) and what needs Redis answers 503 (sign-in, whose throttle
  counts in the shared cache). A change that notifies is *not* refused: the notification row
  commits, the push after commit fails and is logged, and clients catch up from the API.
* PostgreSQL down: /readyz says so, every API request answers 503 in the API's error shape and
  nothing is written; /healthz still answers, so the process is not restarted for nothing.
* Either back: the same process serves again without a restart, and pushes reach sockets again.
"""

import asyncio
import json
import re
import uuid

import httpx
import psycopg
import pytest
from channels_redis.core import RedisChannelLayer

from notifications.realtime import group_for
from tests.deploy.conftest import postgres_server_url
from tests.deploy.services import (
    REDIS_SERVER,
    SERVER_BINARIES,
    free_port,
    production_secrets,
    role,
    role_environment,
    run_role,
    serving,
    throwaway_postgres,
    throwaway_redis,
    wait_until,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        postgres_server_url() is None, reason="runs once, on the PostgreSQL tier (DATABASE_URL)"
    ),
    pytest.mark.skipif(not SERVER_BINARIES, reason="needs PostgreSQL's server programs"),
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server"),
]

UNAVAILABLE = {
    "detail": "The service is briefly unavailable. Please try again in a moment.",
    "code": "service_unavailable",
}
# A small world for the server: one person with an API token and three notifications, and a
# data protection officer (with a token of their own) to verify the audit chain at the end.
SETUP = """
import json
from knox.models import AuthToken
from agencies.models import Role
from notifications.models import NotificationKind
from notifications.services import notify
from tests.factories import AgencyFactory, member
agency = AgencyFactory()
person = member(agency, Role.SOCIAL_WORKER)
ids = [
    notify([person], NotificationKind.REVIEW_DUE, reference=f"CP-2026-000{i}")[0].pk
    for i in (1, 2, 3)
]
_, token = AuthToken.objects.create(person)
_, dpo_token = AuthToken.objects.create(member(agency, Role.DPO))
world = {"person": person.pk, "token": token, "dpo_token": dpo_token, "notifications": ids}
print(json.dumps(world))
"""


async def _pushed_while(action: object, redis_url: str, prefix: str, person: int) -> dict:
    """What the server pushes to ``person``'s group while ``action`` runs, as a socket of
    theirs on any web process would receive it."""
    layer = RedisChannelLayer(hosts=[redis_url], prefix=prefix)
    channel = await layer.new_channel()
    await layer.group_add(group_for(person), channel)
    try:
        await asyncio.to_thread(action)
        return await asyncio.wait_for(layer.receive(channel), timeout=15)
    finally:
        await layer.close_pools()


def test_the_platform_answers_503_while_a_dependency_is_down_and_recovers_alone(tmp_path):
    with throwaway_postgres() as postgres, throwaway_redis() as redis:
        redis.start()
        port = free_port()
        prefix = f"outage-{uuid.uuid4().hex[:8]}"
        env = role_environment(
            DEBUG="0",
            **production_secrets(),
            DATABASE_URL=postgres.url("platform"),
            REDIS_URL=redis.url,
            CHANNELS_PREFIX=prefix,
            ALLOWED_HOSTS="127.0.0.1",
            LOG_FORMAT="json",
            HOST="127.0.0.1",
            PORT=str(port),
            DATABASE_WAIT_SECONDS="120",
        )

        # The one-shot migration starts before its database and waits for it.
        with role("migrate", env=env, log=tmp_path / "migrate.log") as migrate:
            wait_until(lambda: "Waiting for the database" in migrate.output(), "no wait")
            postgres.start()
            with psycopg.connect(postgres.url(), autocommit=True) as admin:
                admin.execute("CREATE DATABASE platform")
            assert migrate.popen.wait(timeout=300) == 0, migrate.output()[-3000:]
        assert re.search(r"The database is ready \(attempt [2-9]\d*\)", migrate.output())

        # The web process starts while the world is made (two processes loading at once).
        with role("web", env=env, log=tmp_path / "web.log") as web:
            setup = run_role("manage", "shell", "-c", SETUP, env={**env, "PYTHONPATH": "."})
            assert setup.returncode == 0, setup.stderr[-3000:]
            world = json.loads(setup.stdout.strip().splitlines()[-1])
            first, second, third = world["notifications"]
            url = f"http://127.0.0.1:{port}"
            wait_until(lambda: serving(url), "the web process did not start")
            api = httpx.Client(
                base_url=url,
                # As the proxy forwards it: the platform refuses plain HTTP with DEBUG off.
                headers={"Authorization": f"Token {world['token']}", "X-Forwarded-Proto": "https"},
                timeout=30,
            )
            assert api.get("/readyz").json()["checks"] == {"database": "ok", "redis": "ok"}

            # As production answers, over real HTTP: plain HTTP is sent to HTTPS; over HTTPS
            # (as the proxy forwards it) with HSTS, the strict policy, no caching and a
            # __Host- cookie (Secure, for path /, no domain).
            plain = httpx.get(f"{url}/api/v1/auth/csrf/", timeout=30)
            assert plain.status_code == 301
            assert plain.headers["Location"] == f"https://127.0.0.1:{port}/api/v1/auth/csrf/"
            csrf = httpx.get(
                f"{url}/api/v1/auth/csrf/", headers={"X-Forwarded-Proto": "https"}, timeout=30
            )
            assert csrf.status_code == 200
            assert csrf.headers["Strict-Transport-Security"] == (
                "max-age=31536000; includeSubDomains; preload"
            )
            assert "default-src 'self'" in csrf.headers["Content-Security-Policy"]
            assert csrf.headers["Cache-Control"] == "no-store"
            cookie = [part.strip() for part in csrf.headers["Set-Cookie"].split(";")]
            assert cookie[0].startswith("__Host-csrftoken=")
            assert {"Secure", "Path=/"} <= set(cookie)
            assert not any(part.lower().startswith("domain=") for part in cookie)
            assert api.get("/api/v1/notifications/").status_code == 200

            # Redis goes away.
            redis.stop()
            ready = api.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["checks"] == {"database": "ok", "redis": "unavailable"}
            sign_in = api.post("/api/v1/auth/login/", json={"username": "x", "password": "y"})
            assert sign_in.status_code == 503
            assert sign_in.json() == UNAVAILABLE
            read = api.post(f"/api/v1/notifications/{first}/read/")
            assert read.status_code == 200, "the change commits; only its push is lost"
            assert read.json()["read_at"] is not None

            # Redis is back: the same process uses it again, pushes included.
            redis.start()
            wait_until(lambda: api.get("/readyz").status_code == 200, "Redis not ready again")
            assert api.post("/api/v1/auth/login/", json={}).status_code == 403  # CSRF, not 503
            pushed = asyncio.run(
                _pushed_while(
                    lambda: api.post(f"/api/v1/notifications/{second}/read/").raise_for_status(),
                    redis.url,
                    prefix,
                    world["person"],
                )
            )
            assert pushed["payload"] == {"type": "read", "ids": [second]}

            # PostgreSQL goes away.
            postgres.stop()
            ready = api.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["checks"] == {"database": "unavailable", "redis": "ok"}
            assert api.get("/healthz").status_code == 200
            for response in (
                api.get("/api/v1/notifications/"),
                api.post("/api/v1/notifications/read-all/", json={}),
            ):
                assert response.status_code == 503
                assert response.json() == UNAVAILABLE
                assert response.headers["Retry-After"] == "5"

            # PostgreSQL is back: served again, and the refused change was not made.
            postgres.start()
            wait_until(lambda: api.get("/readyz").status_code == 200, "database not ready again")
            listed = api.get("/api/v1/notifications/")
            assert listed.status_code == 200
            unread = {n["id"] for n in listed.json()["results"] if n["read_at"] is None}
            assert unread == {third}
            # Nothing half-written anywhere: the audit chain verifies end to end.
            verified = api.get(
                "/api/v1/audit/verify/", headers={"Authorization": f"Token {world['dpo_token']}"}
            )
            assert verified.status_code == 200
            assert verified.json()["intact"] is True

        lines = web.json_lines()  # every line is JSON, uvicorn's own included
        messages = [line["message"] for line in lines]
        assert any(m.startswith("Realtime push of 1 message(s) failed") for m in messages)
        assert "Answered 503: database unavailable (OperationalError)" in messages
        assert "Answered 503: redis unavailable (ConnectionError)" in messages
        access = [line for line in lines if line["logger"] == "access"]
        assert {line["route"] for line in access} >= {
            "/api/v1/notifications/",
            "/api/v1/notifications/<pk>/read/",
            "/api/v1/auth/login/",
        }
        assert all(line["request_id"] != "-" for line in access)
        assert world["token"] not in web.output()
        assert world["dpo_token"] not in web.output()
