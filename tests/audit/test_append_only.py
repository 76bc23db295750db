"""The database itself refuses to change or remove audit events, whoever asks."""

import pytest
from django.db import IntegrityError, connection, transaction

from audit.models import AuditAction, AuditEvent
from audit.services import record, verify_chain
from tests.audit.backdoor import TABLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(social_worker):
    return [
        record(AuditAction.VIEW, actor=social_worker, object_type="x.y", object_id=str(n))
        for n in range(3)
    ]


def _refused(change) -> None:
    # A savepoint per attempt: on PostgreSQL a failed statement spoils the transaction.
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        change()


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_orm_cannot_update_or_delete_events(events):
    event = events[1]
    event.object_id = "changed"
    _refused(event.save)
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(action=AuditAction.EXPORT))
    _refused(event.delete)
    _refused(AuditEvent.objects.all().delete)

    assert AuditEvent.objects.get(pk=event.pk).object_id == "1"
    assert verify_chain().intact


def test_raw_sql_cannot_update_or_delete_events(events):
    target = events[0].sequence
    _refused(lambda: _raw(f"UPDATE {TABLE} SET details = '{{}}' WHERE sequence = %s", [target]))  # noqa: S608
    _refused(lambda: _raw(f"UPDATE {TABLE} SET hash = %s", ["0" * 64]))  # noqa: S608
    _refused(lambda: _raw(f"DELETE FROM {TABLE} WHERE sequence = %s", [target]))  # noqa: S608
    _refused(lambda: _raw(f"DELETE FROM {TABLE}", []))  # noqa: S608

    assert AuditEvent.objects.count() == len(events) + 1  # and the social worker's membership
    assert verify_chain().intact


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_is_refused_while_events_exist(events):
    # TRUNCATE will not run while this transaction's deferred foreign-key checks are pending.
    _raw("SET CONSTRAINTS ALL IMMEDIATE", [])
    _refused(lambda: _raw(f"TRUNCATE {TABLE} CASCADE", []))
    assert AuditEvent.objects.count() > len(events) - 1


@pytest.mark.django_db(transaction=True)
def test_refused_outside_any_transaction_too(social_worker):
    event = record(AuditAction.VIEW, actor=social_worker, object_type="x.y", object_id="1")
    assert connection.get_autocommit()

    with pytest.raises(IntegrityError, match="append-only"):
        _raw(f"UPDATE {TABLE} SET object_id = 'x' WHERE sequence = %s", [event.sequence])  # noqa: S608
    with pytest.raises(IntegrityError, match="append-only"):
        _raw(f"DELETE FROM {TABLE} WHERE sequence = %s", [event.sequence])  # noqa: S608

    assert AuditEvent.objects.get(pk=event.pk).object_id == "1"
