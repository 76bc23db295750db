"""``manage.py purge_closed_cases``: the retention job, by hand (also a daily sweep)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from governance import retention


class Command(BaseCommand):
    help = (
        "Purge closed case plans past the retention period (RETENTION_CLOSED_CASE_DAYS), and "
        "their children's records when nothing else needs them; legal holds are respected. "
        "Prints counts only."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help="Retention period in days for this run."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the case plans due; change nothing."
        )

    def handle(self, *, days: int | None, dry_run: bool, **options: Any) -> None:
        report = retention.purge_closed_cases(days=days, dry_run=dry_run)
        if dry_run:
            self.stdout.write(
                f"{len(report.plans_purged)} case plan(s) closed on or before "
                f"{report.cutoff:%Y-%m-%d} would be purged (dry run)."
            )
            return
        self.stdout.write(report.summary())
