"""Generate a benchmark dataset::

    python -m bench.generate --scale 10k|100k|1m --database bench_10k [--plaintext] [--replace]

Makes a fresh database on the local PostgreSQL server (a clone of a migrated template),
creates regions, agencies, staff and the directory through the ORM, then writes children,
consents, referrals in every state with their history, shares, grants, notifications and
case plans with COPY, in chunks built by one worker process per core. Secondary indexes are
dropped while loading and rebuilt after it, then the tables are vacuumed and analysed, as a
database that has been in use would be. ``--plaintext`` makes the plain-text twin used to
measure field encryption (same seed, same rows, encrypted columns in clear).

``--database-url sqlite:///file --template sqlite:///migrated-file`` writes to SQLite instead
(INSERTs, one process): what the smoke run in ``make test`` uses at the ``tiny`` scale.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from multiprocessing import get_context
from typing import Any

from bench import database

SCALES = {"tiny": 60, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
SEED = 20260101


class Progress:
    """Prints how far along a phase is, at most every few seconds."""

    def __init__(self, label: str, total: int) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.started = time.monotonic()
        self.shown = 0.0

    def add(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self.shown >= 5 or self.done >= self.total:
            self.shown = now
            elapsed = now - self.started
            rate = self.done / elapsed if elapsed else 0
            print(
                f"  {self.label}: {self.done:,}/{self.total:,} "
                f"({100 * self.done / max(self.total, 1):.0f}%) in {elapsed:.0f}s, {rate:,.0f}/s",
                flush=True,
            )


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("--scale", required=True, help="tiny, 10k, 100k, 1m, or a number")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--database", help="database name on the local PostgreSQL server")
    target.add_argument("--database-url", help="a full URL (sqlite:///... for the smoke run)")
    parser.add_argument("--template", help="database URL to clone instead of the template")
    parser.add_argument("--plaintext", action="store_true", help="the plain-text twin")
    parser.add_argument("--replace", action="store_true", help="replace an earlier dataset")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--check", action="store_true", help="also check every foreign key")
    parser.add_argument(
        "--now", help="the dataset's present (ISO time): a plain-text twin takes its twin's"
    )
    return parser.parse_args(argv)


def referral_total(scale: str) -> int:
    if scale in SCALES:
        return SCALES[scale]
    return int(scale.replace("_", "").replace(",", ""))


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    total = referral_total(args.scale)
    url = args.database_url or database.url_for(args.database)
    started = time.monotonic()
    print(f"dataset {database.name_of(url) or url}: {total:,} referrals", flush=True)
    prepare(url, template=args.template, replace=args.replace)
    django_setup(url, plaintext=args.plaintext)
    now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC).replace(microsecond=0)
    summary = populate(
        url, total, seed=args.seed, plaintext=args.plaintext, workers=args.workers, now=now
    )
    if args.check:
        check_references(url)
    verify(url, plaintext=args.plaintext)
    summary |= {
        "scale": args.scale,
        "referrals": total,
        "seed": args.seed,
        "now": now.isoformat(),
        "plaintext": args.plaintext,
        "schema": database.migrations_hash(),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - started, 1),
        "complete": True,
    }
    database.write_manifest(url, summary)
    print(f"done in {summary['seconds']:.0f}s", flush=True)


def prepare(url: str, *, template: str | None, replace: bool) -> None:
    """A fresh, migrated, empty database at ``url``."""
    if database.exists(url):
        if not replace:
            raise SystemExit(f"{url} exists: pass --replace to generate it again.")
        database.drop(url)
    phase = time.monotonic()
    if template is None and database.is_sqlite(url):
        database.migrate(url)
        database.write_manifest(url, {"complete": False})
        return
    # The template is migrated: named by the hash of the migrations, or the smoke run's
    # test database. Cloning it is the whole schema, with nothing left to migrate.
    source = template or database.ensure_template()
    database.clone(source, url)
    database.drop_template_marker(url)
    # Marked at once, so that a run that fails half-way can be replaced by the next.
    database.write_manifest(url, {"complete": False})
    print(f"  cloned the migrated schema in {time.monotonic() - phase:.1f}s", flush=True)


def django_setup(url: str, *, plaintext: bool) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = (
        "bench.settings_plaintext" if plaintext else "bench.settings"
    )
    import django

    django.setup()


def populate(
    url: str, total: int, *, seed: int, plaintext: bool, workers: int, now: datetime
) -> dict[str, Any]:
    from django.db import connection, connections

    from bench import dataset, world

    phase = time.monotonic()
    shape = world.SHAPES["tiny" if total < 1000 else "full"]
    built = world.build(shape, now=now, seed=seed, plaintext=plaintext)
    staff = sum(len(people) for a in built.agencies for people in a.staff.values())
    print(
        f"  {len(built.agencies)} agencies in {built.regions} regions, {staff:,} staff "
        f"in {time.monotonic() - phase:.1f}s",
        flush=True,
    )
    chunks = dataset.plan_chunks(total, seed)
    tables = dataset.Tables(plaintext)
    progress = Progress("referrals", total)
    phase = time.monotonic()
    rows = 0
    if connection.vendor == "postgresql":
        dropped = drop_secondary_indexes(url, tables)
        connections.close_all()
        context = get_context("fork")
        with context.Pool(
            workers, initializer=_start_worker, initargs=(url, built, plaintext)
        ) as pool:
            # Per worker, its own CPU time and its PostgreSQL backend's, as of its last chunk.
            used: dict[int, tuple[float, float]] = {}
            for written, referrals, backend, own, server in pool.imap_unordered(
                _load_chunk, chunks
            ):
                rows += written
                used[backend] = (own, server)
                progress.add(referrals)
        generating = sum(own for own, _ in used.values())
        loading = sum(server for _, server in used.values())
        print(
            f"  {rows:,} rows in {time.monotonic() - phase:.0f}s; CPU {generating:.0f}s "
            f"building rows, {loading:.0f}s in PostgreSQL",
            flush=True,
        )
        phase = time.monotonic()
        rebuild_indexes(url, dropped)
        print(f"  {len(dropped)} indexes rebuilt in {time.monotonic() - phase:.0f}s", flush=True)
        phase = time.monotonic()
        vacuum(url)
        print(f"  vacuumed and analysed in {time.monotonic() - phase:.0f}s", flush=True)
    else:
        from django.db import transaction

        from bench.loader import InsertSink, write_all

        sink = InsertSink(connection)
        with transaction.atomic():
            for chunk in chunks:
                rows += write_all(sink, dataset.build_chunk(built, tables, chunk))
                progress.add(chunk.referrals)
    set_reference_counters(total, now.year)
    summary = {"rows": rows, "regions": built.regions, "agencies": len(built.agencies)}
    if connection.vendor == "postgresql":
        summary |= {"cpu_building": round(generating), "cpu_loading": round(loading)}
    return summary | {"staff": staff}


# --- worker processes ---------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _start_worker(url: str, built: Any, plaintext: bool) -> None:
    import psycopg

    from bench import dataset
    from bench.loader import CopySink

    connection = psycopg.connect(url)
    _worker["world"] = built
    _worker["tables"] = dataset.Tables(plaintext)
    _worker["sink"] = CopySink(connection)
    _worker["backend"] = connection.info.backend_pid


def _load_chunk(chunk: Any) -> tuple[int, int, int, float, float]:
    from bench import dataset
    from bench.loader import write_all

    sink = _worker["sink"]
    written = write_all(sink, dataset.build_chunk(_worker["world"], _worker["tables"], chunk))
    sink.close()
    backend = _worker["backend"]
    return written, chunk.referrals, backend, time.process_time(), cpu_seconds(backend)


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far (Linux /proc; 0 where it cannot be read)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- PostgreSQL housekeeping ----------------------------------------------------------------


def drop_secondary_indexes(url: str, tables: Any) -> list[str]:
    """Drop the indexes no constraint needs on the tables about to be loaded; return their
    definitions. Building them once afterwards is several times faster than keeping them up
    to date row by row."""
    import psycopg

    names = [table.name for table in tables.all()]
    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
              AND i.indexname NOT IN (SELECT conname FROM pg_constraint)
            """,
            [names],
        ).fetchall()
        for name, _ in rows:
            db.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in rows]


def rebuild_indexes(url: str, definitions: list[str]) -> None:
    import psycopg

    def build(part: list[str]) -> None:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("SET maintenance_work_mem = '256MB'")
            for definition in part:
                db.execute(definition)

    from concurrent.futures import ThreadPoolExecutor

    # Largest first, dealt out in turn, so both connections finish at about the same time.
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(build, [definitions[0::2], definitions[1::2]]))


def vacuum(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute("VACUUM (ANALYZE)")


def set_reference_counters(total: int, year: int) -> None:
    """New referrals and plans number on from the generated ones (R-/CP-<year>-<n>)."""
    from core.models import ReferenceSequence

    for prefix in ("R", "CP"):
        ReferenceSequence.objects.update_or_create(
            prefix=prefix, year=year, defaults={"last_value": total}
        )


# --- checks -------------------------------------------------------------------------------


def check_references(url: str) -> None:
    """Every foreign key points at a row (triggers were off while loading)."""
    from django.apps import apps
    from django.db import connection

    broken = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            for field in model._meta.concrete_fields:
                if not field.is_relation or field.related_model is None:
                    continue
                table = model._meta.db_table
                target = field.related_model._meta.db_table
                target_column = field.target_field.column
                # Names from the models' own metadata, never from input.
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" t LEFT JOIN "{target}" r '  # noqa: S608
                    f'ON r."{target_column}" = t."{field.column}" '
                    f'WHERE t."{field.column}" IS NOT NULL AND r."{target_column}" IS NULL'
                )
                missing = cursor.fetchone()[0]
                if missing:
                    broken.append(f"{table}.{field.column}: {missing}")
    if broken:
        raise SystemExit("dangling references: " + ", ".join(broken))
    print("  every foreign key resolves", flush=True)


def _encrypted_models() -> Iterator[tuple[Any, list[Any]]]:
    from django.apps import apps

    from core.fields import EncryptedField

    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
        if fields:
            yield model, fields


def verify(url: str, *, plaintext: bool, sample: int = 25) -> None:
    """Read a sample of every table with encrypted fields back through the ORM: each value
    decrypts (or, in the plain-text twin, parses) under the row it is stored in."""
    checked = 0
    for model, fields in _encrypted_models():
        rows = list(model._default_manager.order_by("pk")[:sample])
        for row in rows:
            for field in fields:
                getattr(row, field.attname)
                checked += 1
        raw = model._default_manager.values_list(fields[0].attname, flat=True).first()
        if raw is not None and plaintext == str(getattr(raw, "envelope", raw)).startswith("v1:"):
            wanted = "plain" if plaintext else "encrypted"
            raise SystemExit(f"{model._meta.label}: not stored as a {wanted} value")
    print(f"  {checked:,} stored values read back through the ORM", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
