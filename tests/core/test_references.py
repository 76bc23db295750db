import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core.models import next_reference


@pytest.mark.django_db
def test_references_count_up_per_prefix_and_rollback_returns_the_number():
    year = timezone.now().year
    assert next_reference("R") == f"R-{year}-0001"
    assert next_reference("R") == f"R-{year}-0002"
    assert next_reference("CP") == f"CP-{year}-0001"

    def create_then_fail() -> None:
        with transaction.atomic():
            next_reference("R")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        create_then_fail()
    assert next_reference("R") == f"R-{year}-0003"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_concurrent_creates_never_share_a_reference():
    results: list[str] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        try:
            for _ in range(5):
                results.append(next_reference("T"))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 40
    assert len(set(results)) == 40
