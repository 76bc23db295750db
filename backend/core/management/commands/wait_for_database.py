"""``manage.py wait_for_database``: block until the database accepts connections.

Containers start in any order and a database restarts slower than the processes using it: every
role in ``deploy/entrypoint.sh`` waits here first instead of failing at its first query.
"""

import logging
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper

# Logged rather than printed: in production every line a process writes is a JSON log line.
logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Wait until the database accepts connections; exit 1 after --timeout seconds."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--timeout", type=float, default=60.0, help="Seconds to wait at most.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between two attempts."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        deadline = time.monotonic() + options["timeout"]
        probe = _unpooled(connections[DEFAULT_DB_ALIAS])
        attempts = 0
        while True:
            attempts += 1
            try:
                probe.ensure_connection()
            except OperationalError as exc:
                probe.close()
                if attempts == 1:
                    logger.info("Waiting for the database...")
                if time.monotonic() + options["interval"] > deadline:
                    # The error text can name hosts and users; its class is enough here.
                    raise CommandError(
                        f"The database did not answer within {options['timeout']:g}s "
                        f"({attempts} attempts, last: {type(exc).__name__})."
                    ) from None
                time.sleep(options["interval"])
                continue
            probe.close()
            logger.info("The database is ready (attempt %d).", attempts)
            return


def _unpooled(wrapper: BaseDatabaseWrapper) -> BaseDatabaseWrapper:
    """The same database without the connection pool: one attempt is one connection (bounded by
    ``connect_timeout``), not a wait on the pool's own retries, and nothing lingers in the
    background once the command is done."""
    options = {k: v for k, v in wrapper.settings_dict.get("OPTIONS", {}).items() if k != "pool"}
    return type(wrapper)({**wrapper.settings_dict, "OPTIONS": options}, wrapper.alias)
