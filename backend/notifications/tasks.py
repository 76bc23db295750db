"""Background work on the django-tasks database backend (``manage.py db_worker`` runs it).

A task enqueued inside a transaction is a row written in that transaction: it exists only if
the change that asked for it commits.
"""

from datetime import datetime

from django_tasks import task

from notifications import sweeps


@task()
def run_sweep(name: str) -> int:
    """Run one registered sweep; idempotent, so an extra or a repeated run is harmless."""
    return sweeps.run(name)


def wake_at(name: str, *when: datetime) -> None:
    """Also run sweep ``name`` at each instant in ``when`` (e.g. a deadline just set), rather
    than at the scheduler's next tick. Call it inside the transaction that sets the deadline.
    """
    if name not in {sweep.name for sweep in sweeps.registered()}:
        raise KeyError(f"No sweep is registered as {name!r}.")
    for instant in when:
        run_sweep.using(run_after=instant).enqueue(name)
