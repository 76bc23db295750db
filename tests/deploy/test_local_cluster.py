"""deploy/local-cluster end to end: nginx with the production proxy configuration in front of
two web processes, the task worker and the scheduler, on PostgreSQL and Redis.

A helpline worker signs in and creates and sends a referral through the one port; the police
officer it is for is told on sockets held by each web process and by the proxy, so whichever
process served the send, a socket on the *other* one heard it. The officer then works it to
completion through the proxy, and the sender hears each step, outcome included, on both web
processes. PostgreSQL + Redis tier only.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import uuid

import httpx
import pytest
from django.conf import settings as django_settings

from tests.deploy.services import ROOT, free_port, wait_until
from tests.notifications.servers import Server

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)"),
]

WAIT = 15
DEMO_PASSWORD = "demo"
OUTCOME = "Cluster test: the police saw the child and closed the loop."


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _lines_by_process(output: str) -> dict[str, list[dict]]:
    """honcho's ``HH:MM:SS web-a.1 | {json}`` lines, parsed, by process."""
    by_process: dict[str, list[dict]] = {}
    for line in output.splitlines():
        head, bar, body = line.partition(" | ")
        if not bar or not body.startswith("{"):
            continue
        by_process.setdefault(head.split()[-1], []).append(json.loads(body))
    return by_process


def _complete(output: str) -> str:
    """The whole lines of a log still being written."""
    return output[: output.rfind("\n") + 1]


def _served_by(output: str) -> set[str]:
    """The web processes (upstream addresses) the proxy has had a 200 from."""
    return {
        line["upstream"]
        for line in _lines_by_process(_complete(output)).get("proxy.1", [])
        if line.get("status") == "200"
    }


def _told(ws: object, reference: str) -> dict:
    """The next notification about ``reference`` on ``ws`` (others, such as the scheduler's
    reminders about the demo data, pass by)."""
    while True:
        message = json.loads(ws.recv(timeout=WAIT))
        if message["type"] == "notification" and message["notification"]["reference"] == reference:
            return message["notification"]


def test_a_referral_sent_through_the_cluster_reaches_the_other_web_process(
    seeded_database, tmp_path
):
    if shutil.which("nginx") is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: apt-get install -y nginx-light (.ci/run does)")
        pytest.skip("needs nginx (apt-get install -y nginx-light)")
    port, web_a, web_b = free_port(), free_port(), free_port()
    env = seeded_database.environment(
        REDIS_URL=os.environ["REDIS_URL"],
        CHANNELS_PREFIX=f"cluster-{uuid.uuid4().hex[:8]}",
        CLUSTER_PORT=str(port),
        CLUSTER_WEB_PORTS=f"{web_a},{web_b}",
        CLUSTER_SEED="0",  # seeded_database already holds the demo data
        LOG_FORMAT="json",
    )
    log = tmp_path / "cluster.log"
    with log.open("wb") as out:
        cluster = subprocess.Popen(
            [str(ROOT / "deploy" / "local-cluster")],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        balancer, worker_a, worker_b = Server(port), Server(web_a), Server(web_b)
        wait_until(
            lambda: cluster.poll() is None and all(_ready(s.url) for s in (balancer, worker_a)),
            f"the cluster did not start:\n{log.read_text()[-3000:]}",
            seconds=180,
        )
        wait_until(lambda: _ready(worker_b.url), "web-b did not start")
        # nginx set aside whichever web process refused it while starting (max_fails within
        # fail_timeout): wait until it routes to both again, as it does after fail_timeout.
        upstreams = {f"127.0.0.1:{web_a}", f"127.0.0.1:{web_b}"}
        wait_until(
            lambda: _ready(balancer.url) and upstreams <= _served_by(log.read_text()),
            "the proxy did not route to both web processes",
        )

        sender = balancer.sign_in("helpline.north", DEMO_PASSWORD)
        officer = balancer.sign_in("police.north", DEMO_PASSWORD)
        with (
            balancer.socket(officer) as through_proxy,
            worker_a.socket(officer, origin=balancer.url) as on_a,
            worker_b.socket(officer, origin=balancer.url) as on_b,
            worker_a.socket(sender, origin=balancer.url) as sender_on_a,
            worker_b.socket(sender, origin=balancer.url) as sender_on_b,
        ):
            outgoing = sender.get("/api/v1/referrals/?box=outgoing").json()
            [draft] = [r for r in outgoing["results"] if r["status"] == "draft"][:1]
            template = sender.get(f"/api/v1/referrals/{draft['id']}/").json()
            created = balancer.post(
                sender,
                "/api/v1/referrals/",
                json={
                    "child": template["child"]["id"],
                    "service": template["service"]["id"],
                    "urgency": "within_24h",
                    "need_categories": template["need_categories"],
                    "concern": "Cluster test: a concern recorded through the proxy.",
                    "purpose": template["purpose"],
                },
            )
            # Field names only: a response about a child is not for test output.
            assert created.status_code == 201, sorted(created.json().get("errors", {}))
            referral = created.json()
            sent = balancer.post(sender, f"/api/v1/referrals/{referral['id']}/send/")
            assert sent.status_code == 200, sent.json().get("code")

            reference = referral["reference"]
            heard = [_told(ws, reference) for ws in (through_proxy, on_a, on_b)]
            assert {n["kind"] for n in heard} == {"referral_sent"}
            assert len({n["id"] for n in heard}) == 1

            # The police work it to the end through the proxy; the outcome goes back to the
            # sender, who is told of each step on both web processes.
            for action, body in [
                ("acknowledge", {}),
                ("accept", {}),
                ("start", {}),
                ("complete", {"outcome": OUTCOME}),
            ]:
                done = balancer.post(
                    officer, f"/api/v1/referrals/{referral['id']}/{action}/", json=body
                )
                assert done.status_code == 200, (action, done.json().get("code"))
            for ws in (sender_on_a, sender_on_b):
                assert [_told(ws, reference)["kind"] for _ in range(3)] == [
                    "referral_acknowledged",
                    "referral_accepted",
                    "referral_completed",
                ]
            closed = sender.get(f"/api/v1/referrals/{referral['id']}/").json()
            assert (closed["status"], closed["outcome"]) == ("completed", OUTCOME)
            secrets = [
                client.cookies[django_settings.SESSION_COOKIE_NAME] for client in (sender, officer)
            ]
        # The scheduler enqueued the sweeps and the task worker ran them.
        wait_until(
            lambda: any(
                "path=notifications.tasks.run_sweep state=SUCCESSFUL" in line.get("message", "")
                for line in _lines_by_process(_complete(log.read_text())).get("worker.1", [])
            ),
            "the task worker ran no sweep",
        )
    finally:
        if cluster.poll() is None:
            os.killpg(cluster.pid, signal.SIGTERM)
        try:
            cluster.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(cluster.pid, signal.SIGKILL)
            cluster.wait()

    # Everything stopped with the script, ports included.
    for each in (port, web_a, web_b):
        assert not _listening(each), f"port {each} still open"
    # The proxy's request id is the one the serving web process logged for the send.
    lines = _lines_by_process(log.read_text())
    served_send = [
        process
        for process in ("web-a.1", "web-b.1")
        for line in lines.get(process, [])
        if line.get("logger") == "access"
        and line.get("route") == "/api/v1/referrals/<pk>/send/"
        and line.get("request_id") == sent.headers["X-Request-ID"]
    ]
    assert len(served_send) == 1, "exactly one web process served the send"
    request_id = sent.headers["X-Request-ID"]
    proxied = [line for line in lines["proxy.1"] if line.get("request_id") == request_id]
    assert [line["path"] for line in proxied] == [f"/api/v1/referrals/{referral['id']}/send/"]
    for secret in secrets:
        assert secret not in log.read_text()
