"""Run every benchmark and write the results (``make bench``)::

    python -m bench.run [--scales 10k,100k,1m] [--rounds 300] [--smoke]

Datasets missing from the local PostgreSQL server are generated first (``bench.generate``;
the 1m one takes minutes). Each benchmark talks to real uvicorn processes over HTTP and
WebSockets. The results go to ``bench/results/<date>.json`` and ``<date>.md`` (``<date>-2``
and so on for a later run the same day); the table is printed too. ``--smoke`` runs
everything once at a tiny scale in seconds, on PostgreSQL or SQLite (what ``make test`` does,
in ``tests/bench/test_smoke.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from bench import ROOT, caseplan, database, delivery, inbox, report, stats, throughput
from bench.servers import Group, Server, running

RECEIVER_ROLES = ("social_worker", "practitioner", "duty_manager")
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
INBOX_USER = "police-r01-practitioner-01"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--scales", default="10k,100k,1m")
    parser.add_argument("--caseplan-scale", default="100k")
    parser.add_argument("--write-scale", default="100k")
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=30, help="create+send timed window")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--servers", type=int, default=2, help="processes for the write tests")
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--transitions", type=int, default=100)
    parser.add_argument("--only", help="comma-separated: inbox, caseplan, create_send, delivery")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--smoke", action="store_true", help="everything once, tiny and quick")
    parser.add_argument("--template", help="database URL to clone datasets from (smoke)")
    args = parser.parse_args(argv)
    # Scales are named as bench.generate names them: 10k, 100k, 1m (1M is the same).
    args.scales, args.caseplan_scale, args.write_scale = (
        value.lower() for value in (args.scales, args.caseplan_scale, args.write_scale)
    )
    return args


def smoke(args: argparse.Namespace) -> None:
    """Everything once, at the tiny scale: seconds, not minutes."""
    args.scales = args.caseplan_scale = args.write_scale = "tiny"
    args.rounds, args.warmup, args.seconds = 3, 1, 1
    args.clients, args.sockets = 4, 12
    args.transitions = delivery.WARMUP_TRANSITIONS + 3


class Datasets:
    """Where the datasets live: named databases on the local server, or, for a smoke run on
    SQLite, files in a temporary directory. Smoke datasets are dropped afterwards."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.smoke = args.smoke
        self.template = args.template
        self.sqlite = bool(args.template and database.is_sqlite(args.template))
        self.tag = f"smoke_{os.getpid()}_" if args.smoke else ""
        self.directory = Path(tempfile.mkdtemp(prefix="bench-")) if self.sqlite else None
        self.made: list[str] = []

    def url(self, name: str) -> str:
        if self.directory is not None:
            return f"sqlite:///{self.directory / name}.sqlite3"
        return database.url_for(f"bench_{self.tag}{name}")

    def ensure(self, scale: str, *, twin: bool = False) -> tuple[str, str | None]:
        """The dataset at ``scale`` (and, with ``twin``, its plain-text twin, generated for
        the same instant), generating what is missing. A smoke run generates the two at
        once; a real one in turn, since each generator already uses every core."""
        url = self.url(scale)
        twin_url = self.url(f"{scale}_plain") if twin else None
        found = database.manifest(url)
        missing: list[list[str]] = []
        if not (found and found.get("complete")):
            found = None
            missing.append(["--database-url", url])
        now = found["now"] if found else datetime.now(UTC).replace(microsecond=0).isoformat()
        if twin_url:
            twin_found = database.manifest(twin_url)
            if found is None or not (
                twin_found and twin_found.get("complete") and twin_found.get("now") == now
            ):
                missing.append(["--database-url", twin_url, "--plaintext"])
        commands = []
        for target in missing:
            command = [sys.executable, "-m", "bench.generate", "--scale", scale, "--replace"]
            command += [*target, "--now", now]
            if self.template:
                command += ["--template", self.template]
            if self.smoke:
                command += ["--workers", "1", "--check"]
                self.made.append(target[1])
            commands.append(command)
        environment = {**os.environ, "PYTHONPATH": str(ROOT)}
        if self.smoke:
            started = [subprocess.Popen(c, cwd=ROOT, env=environment) for c in commands]
            if any([process.wait() for process in started]):
                raise SystemExit("generating the smoke datasets failed")
        else:
            for command in commands:
                subprocess.run(command, cwd=ROOT, check=True, env=environment)
        return url, twin_url

    def scratch(self, source: str) -> str:
        """A throw-away copy of a dataset for the tests that write."""
        url = self.url(f"scratch_{self.tag}{os.getpid()}")
        if database.exists(url):
            database.drop(url)
        database.clone(source, url)
        self.made.append(url)
        return url

    def cleanup(self) -> None:
        for url in self.made:
            database.drop(url)
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)


def connect(url: str) -> Any:
    if database.is_sqlite(url):
        import sqlite3

        return sqlite3.connect(database.sqlite_path(url))
    return psycopg.connect(url, autocommit=True)


def query(url: str, sql: str, parameters: list[Any] | tuple[Any, ...] = ()) -> list[tuple]:
    """Rows of a selection query written in the subset both databases speak."""
    with connect(url) as db:
        if database.is_sqlite(url):
            sql = sql.replace("%s", "?")
        return list(db.execute(sql, parameters).fetchall())


# --- the benchmarks -----------------------------------------------------------------------


def run_scale(
    args: argparse.Namespace, data: Datasets, logs: Path, scale: str, only: list[str]
) -> dict[str, Any]:
    """Every benchmark that runs at ``scale``, with every server process it needs started
    together: one for reading the dataset, one for its plain-text twin (case plans), and
    ``--servers`` for writing to a copy of it (create + send, delivery)."""
    inbox_here = "inbox" in only and scale in args.scales.split(",")
    plans_here = "caseplan" in only and scale == args.caseplan_scale
    writes = [name for name in ("create_send", "delivery") if name in only]
    writes_here = bool(writes) and scale == args.write_scale
    url, plain_url = data.ensure(scale, twin=plans_here)
    sqlite = database.is_sqlite(url)
    # Redis as in production; a smoke run uses it only where the tests run on it.
    redis_url = os.environ.get("REDIS_URL") or (None if args.smoke else DEFAULT_REDIS)
    if sqlite:
        redis_url = None
    reader = Group(url, redis_url=redis_url)
    writer = None
    if writes_here:
        # One process on SQLite: a second would only queue behind the one write lock.
        count = 1 if sqlite else args.servers
        # A smoke dataset is thrown away afterwards: its first writing process reads too,
        # after the reads (one process fewer to start). A real one is written to in a copy.
        target = url if args.smoke else data.scratch(url)
        writer = Group(target, count=count, redis_url=redis_url)
        if args.smoke:
            reader = writer
    groups = [reader] if inbox_here or plans_here or reader is writer else []
    if writer is not None and writer is not reader:
        groups.append(writer)
    if plans_here:
        groups.append(Group(plain_url, settings="bench.settings_plaintext", redis_url=redis_url))
    env = {"CHANNELS_PREFIX": f"bench{os.getpid()}"}
    results: dict[str, Any] = {}
    with running(groups, logs=logs, env=env) as started:
        read_server = started[0][0] if groups[0] is reader else None
        if inbox_here:
            print(f"inbox at {scale} ...", flush=True)
            # The hand-written floor is PostgreSQL's SQL; on SQLite the HTTP side runs.
            figures = inbox.measure(
                read_server,
                None if sqlite else url,
                INBOX_USER,
                rounds=args.rounds,
                warmup=args.warmup,
            )
            figures["referrals"] = database.manifest(url)["referrals"]
            results["inbox"] = {scale: figures}
        if plans_here:
            results["caseplan"] = run_caseplan(args, url, read_server, started[-1][0])
        if writer is not None:
            servers = started[groups.index(writer)]
            results |= run_writes(args, writer, servers, writes, logs, env)
    return results


def run_caseplan(
    args: argparse.Namespace, url: str, encrypted: Server, plaintext: Server
) -> dict[str, Any]:
    username, plans = _plans_to_open(url)
    print(f"case plans at {args.caseplan_scale} ...", flush=True)
    result = caseplan.measure(
        encrypted, plaintext, username, plans, rounds=args.rounds, warmup=args.warmup
    )
    return {"scale": args.caseplan_scale, **result}


def _plans_to_open(url: str) -> tuple[str, list[str]]:
    """The social worker leading the most active plans, and those plans."""
    rows = query(
        url,
        """
        SELECT u.username, p.id FROM caseplans_caseplan p JOIN auth_user u ON u.id = p.lead_id
        WHERE p.status = 'active' ORDER BY p.created_at
        """,
    )
    by_lead: dict[str, list[str]] = {}
    for username, plan_id in rows:
        by_lead.setdefault(username, []).append(str(plan_id))
    if not by_lead:
        rows = query(
            url,
            "SELECT u.username, p.id FROM caseplans_caseplan p JOIN auth_user u "
            "ON u.id = p.lead_id ORDER BY p.created_at",
        )
        for username, plan_id in rows:
            by_lead.setdefault(username, []).append(str(plan_id))
    username = max(by_lead, key=lambda name: len(by_lead[name]))
    return username, [_uuid(p) for p in by_lead[username][:20]]


def _uuid(value: str) -> str:
    """SQLite keeps UUIDs as 32 hex digits; the API speaks the dashed form."""
    import uuid

    return str(uuid.UUID(value))


def run_writes(
    args: argparse.Namespace,
    group: Group,
    servers: list[Server],
    writes: list[str],
    logs: Path,
    env: dict[str, str],
) -> dict[str, Any]:
    """Create + send, then notification delivery, on one copy of a dataset and the same
    server processes (sharing Redis when there is one)."""
    results: dict[str, Any] = {}
    url = group.database_url
    if "create_send" in writes:
        senders = _senders(url, args.clients)
        print(f"create+send: {len(senders)} clients, {len(servers)} processes ...", flush=True)
        results["create_send"] = {
            "scale": args.write_scale,
            **throughput.measure(
                servers,
                senders,
                seconds=args.seconds,
                warmup=0.5 if args.smoke else 5,
                pinging=0.5 if args.smoke else 10,
            ),
        }
    if "delivery" in writes:
        if group.redis_url is None:
            results["delivery"] = {
                "skipped": "needs PostgreSQL and Redis (REDIS_URL): two server processes "
                "share the channel layer"
            }
        else:
            results["delivery"] = run_delivery(args, url, group.redis_url, servers, env, logs)
    return results


def _senders(url: str, clients: int) -> list[throughput.Sender]:
    """Frontline staff spread over the agencies that keep children, each with the children
    their agency keeps (consent active) and the services of other agencies in their region."""
    people = query(
        url,
        """
        SELECT u.username, a.id, a.region_id FROM agencies_membership m
        JOIN auth_user u ON u.id = m.user_id JOIN agencies_agency a ON a.id = m.agency_id
        WHERE m.role IN ('helpline_worker', 'social_worker') ORDER BY u.username
        """,
    )
    by_agency: dict[int, list[tuple[str, int]]] = {}
    for username, agency, region in people:
        by_agency.setdefault(agency, []).append((username, region))
    chosen: list[tuple[str, int, int]] = []
    while len(chosen) < clients and any(by_agency.values()):
        for agency, staff in by_agency.items():
            if staff and len(chosen) < clients:
                username, region = staff.pop(0)
                chosen.append((username, agency, region))
    senders = []
    for username, agency, region in chosen:
        children = query(
            url,
            """
            SELECT c.id FROM children_child c
            JOIN consent_consentrecord k ON k.child_id = c.id AND k.status = 'active'
            WHERE c.created_by_agency_id = %s ORDER BY c.created_at LIMIT 200
            """,
            (agency,),
        )
        services = query(
            url,
            """
            SELECT s.id FROM pathways_service s JOIN agencies_agency a ON a.id = s.agency_id
            WHERE a.region_id = %s AND a.id <> %s AND s.intake_status <> 'closed'
            """,
            (region, agency),
        )
        if children and services:
            senders.append(
                throughput.Sender(
                    username, [_uuid(str(c)) for (c,) in children], [s for (s,) in services]
                )
            )
    return senders


def run_delivery(
    args: argparse.Namespace,
    url: str,
    redis_url: str,
    servers: list[Server],
    env: dict[str, str],
    logs: Path,
) -> dict[str, Any]:
    people = _socket_holders(url, args.sockets)
    listening: dict[int, int] = {}
    for _, agency, role in people:
        if role in RECEIVER_ROLES:
            listening[agency] = listening.get(agency, 0) + 1
    referrals = _referrals_to_send(url, listening, args.transitions)
    print(f"delivery: {len(people)} sockets, {len(servers)} processes ...", flush=True)
    return {
        "scale": args.write_scale,
        **delivery.measure(
            servers,
            url,
            redis_url,
            [username for username, _, _ in people],
            referrals,
            interval=0.05 if args.smoke else 0.2,
            settle=0.5 if args.smoke else 3,
            workdir=logs / "delivery",
            env=env,
        ),
    }


def _socket_holders(url: str, count: int) -> list[tuple[str, int, str]]:
    """``count`` staff in case roles, spread evenly over the agencies."""
    rows = query(
        url,
        """
        SELECT u.username, m.agency_id, m.role FROM agencies_membership m
        JOIN auth_user u ON u.id = m.user_id
        WHERE m.role IN ('helpline_worker', 'social_worker', 'practitioner', 'duty_manager')
        ORDER BY u.username
        """,
    )
    by_agency: dict[int, list[tuple[str, int, str]]] = {}
    for row in rows:
        by_agency.setdefault(row[1], []).append(row)
    chosen: list[tuple[str, int, str]] = []
    while len(chosen) < count and any(by_agency.values()):
        for staff in by_agency.values():
            if staff and len(chosen) < count:
                chosen.append(staff.pop(0))
    return chosen


def _referrals_to_send(url: str, listening: dict[int, int], count: int) -> list[dict]:
    """What the driver drafts and sends: a sender, a child their agency keeps, a service of an
    agency whose staff hold sockets; and how many sockets each send should reach."""
    plans = []
    senders = _senders(url, count)
    services = query(
        url,
        "SELECT s.id, s.agency_id FROM pathways_service s WHERE s.intake_status <> 'closed' "
        "ORDER BY s.id",
    )
    reachable = [(sid, agency) for sid, agency in services if listening.get(agency)]
    for index in range(count):
        sender = senders[index % len(senders)]
        service, agency = reachable[index % len(reachable)]
        plans.append(
            {
                "username": sender.username,
                "child": sender.children[index % len(sender.children)],
                "service": service,
                "receivers": listening[agency],
            }
        )
    return plans


BENCHMARKS = ("inbox", "caseplan", "create_send", "delivery")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse(argv)
    if args.smoke:
        smoke(args)
    only = args.only.split(",") if args.only else list(BENCHMARKS)
    unknown = set(only) - set(BENCHMARKS)
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    data = Datasets(args)
    stamp = datetime.now(UTC)
    results: dict[str, Any] = {
        "date": stamp.isoformat(timespec="seconds"),
        "machine": _machine(),
        "load_before": stats.load_average(),
        "settings": {k: v for k, v in vars(args).items() if k not in ("output", "template")},
    }
    logs = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    started = time.monotonic()
    scales = args.scales.split(",") if "inbox" in only else []
    if "caseplan" in only:
        scales.append(args.caseplan_scale)
    if {"create_send", "delivery"} & set(only):
        scales.append(args.write_scale)
    try:
        for scale in dict.fromkeys(scales):
            for name, figures in run_scale(args, data, logs, scale, only).items():
                if name == "inbox":
                    results.setdefault("inbox", {}).update(figures)
                else:
                    results[name] = figures
    finally:
        data.cleanup()
    results["load_after"] = stats.load_average()
    results["seconds"] = round(time.monotonic() - started)
    results["targets"] = report.targets(results)
    table = report.markdown(results)
    args.output.mkdir(parents=True, exist_ok=True)
    name = _free_name(args.output, stamp.strftime("%Y-%m-%d"))
    (args.output / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.output / f"{name}.md").write_text(table)
    print(table)
    shutil.rmtree(logs, ignore_errors=True)
    return results


def _free_name(folder: Path, day: str) -> str:
    """``day``, or ``day-2``, ``day-3``... for a later run the same day: none is overwritten."""
    name, n = day, 1
    while (folder / f"{name}.json").exists():
        n += 1
        name = f"{day}-{n}"
    return name


def _machine() -> dict[str, Any]:
    version = ""
    try:
        with psycopg.connect(database.url_for("postgres")) as db:
            version = db.execute("SHOW server_version").fetchone()[0]
    except psycopg.OperationalError:
        version = "unavailable"
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "postgres": version,
        "platform": platform.platform(),
    }


if __name__ == "__main__":
    main(sys.argv[1:])
