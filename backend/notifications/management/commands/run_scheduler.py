"""``manage.py run_scheduler``: the clock that enqueues each registered sweep on its interval.

It holds no work itself: it only enqueues ``notifications.tasks.run_sweep`` for the worker
(``manage.py db_worker``), and skips a sweep whose previous run is still waiting in the
queue, so a stopped worker does not come back to a pile of identical runs. Sweeps are
idempotent, so a second scheduler (or a restart) costs a redundant run, never a duplicate
notification.
"""

import logging
import signal
import threading
from argparse import ArgumentParser
from datetime import datetime
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notifications import sweeps
from notifications.tasks import run_sweep

logger = logging.getLogger(__name__)


def waiting(name: str) -> bool:
    """Whether a run of sweep ``name`` is already queued and due."""
    return (
        DBTaskResult.objects.ready()
        .filter(task_path=run_sweep.module_path, args_kwargs__args__0=name)
        .exists()
    )


def enqueue_due(last: dict[str, datetime], now: datetime) -> list[str]:
    """Enqueue every sweep whose interval has passed since ``last[name]``; update ``last``."""
    enqueued = []
    for sweep in sweeps.registered():
        previous = last.get(sweep.name)
        if previous is not None and now - previous < sweep.every:
            continue
        last[sweep.name] = now
        if waiting(sweep.name):
            continue
        run_sweep.enqueue(sweep.name)
        enqueued.append(sweep.name)
    return enqueued


class Command(BaseCommand):
    help = "Enqueue the registered periodic sweeps (SLA clocks, reminders, expiry) on time."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--tick",
            type=float,
            default=5.0,
            help="Seconds between looks at the clock (default: %(default)s).",
        )
        parser.add_argument(
            "--once", action="store_true", help="Enqueue what is due now, then exit."
        )

    def handle(self, *, tick: float, once: bool, **options: Any) -> None:
        last: dict[str, datetime] = {}
        if once:
            self._enqueue(last)
            return
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        names = ", ".join(s.name for s in sweeps.registered()) or "none"
        logger.info("Scheduler started; sweeps: %s", names)
        while not stop.is_set():
            # A long-lived process: drop connections the database has closed meanwhile.
            close_old_connections()
            self._enqueue(last)
            stop.wait(tick)
        close_old_connections()

    def _enqueue(self, last: dict[str, datetime]) -> None:
        for name in enqueue_due(last, timezone.now()):
            logger.info("Enqueued sweep %s", name)
