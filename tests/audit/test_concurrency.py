"""Concurrent writers, each in its own transaction, still build one gap-free valid chain."""

import threading

import pytest
from django.db import connection, connections, transaction

from audit.models import AuditAction, AuditEvent
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
