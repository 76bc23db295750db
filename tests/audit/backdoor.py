"""Reaching behind the audit table's append-only triggers, as someone with database access could.

Only tests use this: to prove the hash chain catches what the triggers were bypassed for,
and to empty the table before a transactional test's flush.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.utils import CursorWrapper

from audit.models import AuditChainHead, AuditEvent

TABLE = AuditEvent._meta.db_table


@contextmanager
def triggers_suspended(using: str = DEFAULT_DB_ALIAS) -> Iterator[CursorWrapper]:
    """A cursor on a connection where the audit table's triggers are off until the block ends.

    SQLite cannot disable a trigger, so its triggers are dropped and re-created from their
    own stored definitions. PostgreSQL runs the session as a replication replica, which fires
    no ordinary trigger (foreign-key checks included); that needs a superuser, as tampering
    does. Use inside a transaction.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [TABLE],
            )
            saved = cursor.fetchall()
            assert saved, "the append-only triggers are not installed"
            for name, _ in saved:
                cursor.execute("DROP TRIGGER " + connection.ops.quote_name(name))
        else:
            cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            yield cursor
        finally:
            if connection.vendor == "sqlite":
                for _, sql in saved:
                    cursor.execute(sql)
            else:
                cursor.execute("SET LOCAL session_replication_role = origin")


def purge_audit_trail(using: str = DEFAULT_DB_ALIAS) -> None:
    """Empty the trail and its head, so a test database can be flushed (tests only)."""
    with transaction.atomic(using=using), triggers_suspended(using) as cursor:
        cursor.execute("DELETE FROM " + connections[using].ops.quote_name(TABLE))  # noqa: S608
        AuditChainHead.objects.using(using).all().delete()
