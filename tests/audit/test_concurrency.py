"""Concurrent writers, each in its own transaction, still build one gap-free valid chain."""

import threading

import pytest
from django.db import connection, connections, transaction

from audit.models import AuditAction, AuditChainHead, AuditEvent
from audit.services import record, verify_chain

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

WRITERS = 6
EVENTS_EACH = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_build_a_gap_free_valid_chain(social_worker):
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            start.wait()
            for n in range(EVENTS_EACH):
                # Some writers batch several events in one longer transaction.
                with transaction.atomic():
                    record(
                        AuditAction.VIEW,
                        actor=social_worker,
                        object_type="tests.writer",
                        object_id=f"{writer}-{n}",
                    )
                    if writer % 2:
                        record(AuditAction.LIST, object_type="tests.writer", object_id=str(writer))
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    written = AuditEvent.objects.filter(object_type="tests.writer").count()
    assert written == WRITERS * EVENTS_EACH + (WRITERS // 2) * EVENTS_EACH
    sequences = list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, len(sequences) + 1)), "no gaps, no duplicates"
    result = verify_chain()
    assert result.intact, result.summary()
    assert result.checked == len(sequences)


@pytest.mark.django_db(transaction=True)
def test_a_first_event_committed_while_another_writer_looks_for_the_head_does_not_stop_it():
    """The trail is empty. Writer A appends the first event (creating the chain head) and
    commits just after writer B looked for the head and found none: B waits for A's head and
    appends after it, instead of taking the new head for a removed one."""
    recorded, looked, committed = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first_writer() -> None:
        try:
            with transaction.atomic():
                record(AuditAction.VIEW, object_type="tests.first")
                recorded.set()
                assert looked.wait(30)
            committed.set()
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    def commit_a_meanwhile(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if '"audit_auditchainhead"' in sql and not looked.is_set():
            looked.set()
            assert committed.wait(30)
        return result

    assert not AuditChainHead.objects.exists()
    writer = threading.Thread(target=first_writer)
    writer.start()
    assert recorded.wait(30)
    with connection.execute_wrapper(commit_a_meanwhile):
        record(AuditAction.VIEW, object_type="tests.second")
    writer.join(timeout=30)

    assert not errors, errors
    assert list(AuditEvent.objects.order_by("sequence").values_list("object_type", flat=True)) == [
        "tests.first",
        "tests.second",
    ]
    assert verify_chain().intact
