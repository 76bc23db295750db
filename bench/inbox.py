"""The referral inbox: a page of 50 for a receiving practitioner, what it costs and how it grows.

Four things are timed in turn, round after round, so that load from elsewhere on the machine
falls on all of them alike:

* ``inbox``: ``GET /api/v1/referrals/?box=incoming&page_size=50``, the real endpoint;
* ``agency_fk``: the same endpoint with visibility by the referral's agency foreign keys
  instead of object permissions (``bench.variants``), the baseline for permission filtering;
* ``sql_floor``: a hand-written query (:data:`FLOOR_PAGE` and :data:`FLOOR_COUNT`) returning
  the same rows with the same columns, in the same order, and the same count, through a
  kept-open psycopg connection: what the database alone needs;
* ``ping``: the cheapest signed-in API request (``bench.variants.PingView``): what the
  HTTP/ASGI stack, the middleware, the session and DRF cost before any work.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg

from bench import stats
from bench.servers import PASSWORD, Server, sign_in

PAGE = "?box=incoming&page_size=50"
INBOX = "/api/v1/referrals/" + PAGE
AGENCY_FK = "/bench/agency-fk/referrals/" + PAGE
PING = "/bench/ping/"

# Visible: one of the caller's groups holds view_referral on the row (or the caller does,
# for someone holding personal grants of it: the OR is left out for everyone else, as the
# platform does, since it keeps the database from planning the check as a join).
_BY_GROUP = """
    EXISTS (SELECT 1 FROM referrals_referralgroupobjectpermission g
            WHERE g.content_object_id = r.id AND g.permission_id = %(permission)s
              AND g.group_id IN ({groups}))
"""
_BY_PERSON = """
    OR EXISTS (SELECT 1 FROM referrals_referraluserobjectpermission u
               WHERE u.content_object_id = r.id AND u.permission_id = %(permission)s
                 AND u.user_id = %(user)s)
"""
_PAGE = """
SELECT r.id, r.reference, r.status, r.urgency, r.need_categories, c.reference, p.reference,
       s.id, s.name, fa.id, fa.name, fa.kind, fr.id, fr.name, fr.code,
       ta.id, ta.name, ta.kind, tr.id, tr.name, tr.code,
       r.created_at, r.sent_at, r.acknowledge_by, r.respond_by, r.acknowledged_at,
       r.responded_at, r.closed_at,
       (r.status = 'sent' AND r.acknowledge_by < now())
       OR (r.status IN ('sent', 'acknowledged') AND r.respond_by < now()) AS is_overdue
FROM referrals_referral r
JOIN children_child c ON c.id = r.child_id
LEFT JOIN referrals_referral p ON p.id = r.parent_id
JOIN pathways_service s ON s.id = r.service_id
JOIN agencies_agency fa ON fa.id = r.from_agency_id
JOIN agencies_region fr ON fr.id = fa.region_id
JOIN agencies_agency ta ON ta.id = r.to_agency_id
JOIN agencies_region tr ON tr.id = ta.region_id
WHERE r.to_agency_id IN ({agencies}) AND r.status <> 'draft' AND ({visible})
ORDER BY CASE WHEN r.urgency = 'immediate' THEN 0 WHEN r.urgency = 'within_24h' THEN 1
              WHEN r.urgency = 'within_72h' THEN 2 WHEN r.urgency = 'routine' THEN 3 END,
         r.acknowledge_by, r.created_at DESC, r.id
LIMIT 50
"""
_COUNT = """
SELECT count(*) FROM referrals_referral r
WHERE r.to_agency_id IN ({agencies}) AND r.status <> 'draft' AND ({visible})
"""


def floor_parameters(db: psycopg.Connection, username: str) -> dict[str, Any]:
    """The caller's id, agencies, groups and the permission, looked up once (the platform
    looks them up per request, in small queries of their own)."""
    user, agencies = db.execute(
        """
        SELECT u.id, array_agg(DISTINCT m.agency_id) FROM auth_user u
        JOIN agencies_membership m ON m.user_id = u.id AND m.is_active
        JOIN agencies_agency a ON a.id = m.agency_id AND a.is_active
        WHERE u.username = %s GROUP BY u.id
        """,
        [username],
    ).fetchone()
    groups = [
        g for (g,) in db.execute("SELECT group_id FROM auth_user_groups WHERE user_id = %s", [user])
    ]
    permission = db.execute(
        "SELECT p.id FROM auth_permission p JOIN django_content_type t ON t.id = p.content_type_id"
        " WHERE t.app_label = 'referrals' AND p.codename = 'view_referral'"
    ).fetchone()[0]
    personal = db.execute(
        "SELECT EXISTS (SELECT 1 FROM referrals_referraluserobjectpermission"
        " WHERE user_id = %s AND permission_id = %s)",
        [user, permission],
    ).fetchone()[0]
    # Ids written into the text, as the ORM writes them: the planner then knows there is one
    # agency and reads the inbox index in order (an array parameter would hide that).
    ids = {
        "agencies": ", ".join(str(int(a)) for a in agencies),
        "groups": ", ".join(str(int(g)) for g in groups) or "NULL",
    }
    visible = (_BY_GROUP + (_BY_PERSON if personal else "")).format(**ids)
    return {
        "user": user,
        "permission": permission,
        "page_sql": _PAGE.format(visible=visible, **ids),
        "count_sql": _COUNT.format(visible=visible, **ids),
    }


def floor(db: psycopg.Connection, parameters: dict[str, Any]) -> tuple[list[str], int]:
    """The same page and count as the inbox, by hand: two statements, as the endpoint runs."""
    page = db.execute(parameters["page_sql"], parameters).fetchall()
    count = db.execute(parameters["count_sql"], parameters).fetchone()[0]
    return [str(row[0]) for row in page], count


def measure(
    server: Server, database_url: str | None, username: str, *, rounds: int, warmup: int
) -> dict[str, Any]:
    """Time the four, ``rounds`` times each after ``warmup`` untimed rounds (the SQL floor
    only with a PostgreSQL ``database_url``)."""
    client = server.client()
    sign_in(client, username, PASSWORD)
    first = client.get(INBOX)
    first.raise_for_status()
    shown = first.json()
    steps: dict[str, Any] = {}
    db = None
    if database_url is not None:
        db = psycopg.connect(database_url, autocommit=True)
        # The session the platform's own connections run with (config.settings).
        db.execute("SET max_parallel_workers_per_gather = 0")
        parameters = floor_parameters(db, username)
        ids, count = floor(db, parameters)
        if [row["id"] for row in shown["results"]] != ids or shown["count"] != count:
            raise AssertionError("the SQL floor does not return the rows the inbox shows")
        steps["sql_floor"] = lambda: floor(db, parameters)

    def http(path: str) -> None:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code}")

    steps |= {
        "inbox": lambda: http(INBOX),
        "agency_fk": lambda: http(AGENCY_FK),
        "ping": lambda: http(PING),
    }
    timings: dict[str, list[float]] = {name: [] for name in steps}
    names = list(steps)
    for round_ in range(warmup + rounds):
        # A different order each round, so no variant always follows another.
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            started = time.perf_counter()
            steps[name]()
            if round_ >= warmup:
                timings[name].append(time.perf_counter() - started)
    client.close()
    if db is not None:
        db.close()
    figures = {name: stats.summary(samples) for name, samples in timings.items()}
    inbox, fk = figures["inbox"], figures["agency_fk"]
    result = {
        "user": username,
        "visible_count": shown["count"],
        **figures,
        "inbox_vs_agency_fk": stats.ratio(inbox["median_ms"], fk["median_ms"]),
        "inbox_vs_agency_fk_p95": stats.ratio(inbox["p95_ms"], fk["p95_ms"]),
    }
    if "sql_floor" in figures:
        sql = figures["sql_floor"]
        result["inbox_vs_sql_floor"] = stats.ratio(inbox["median_ms"], sql["median_ms"])
        result["inbox_vs_sql_floor_p95"] = stats.ratio(inbox["p95_ms"], sql["p95_ms"])
    return result
