"""Import Open Referral HSDS 3.0 JSON into the directory (every agency; operator use)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pathways import hsds, services
from pathways.services import REPORT_KEYS


class Command(BaseCommand):
    help = (
        "Import HSDS 3.0 JSON: an export, a service, an organization with its services, or a "
        "list of them. Idempotent by HSDS id; an invalid file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path of the HSDS JSON file.")

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path} is not JSON; nothing was imported.") from exc
        try:
            report = services.import_directory(document, actor=None, administered=None)
        except hsds.InvalidDocument as exc:
            for error in exc.errors:
                self.stderr.write(f"  {error}")
            raise CommandError("The file is not valid HSDS 3.0; nothing was imported.") from exc
        for outcome in report.skipped:
            self.stderr.write(
                f"  skipped {outcome.type} {outcome.id} ({outcome.where}): {outcome.reason}"
            )
        counts = ", ".join(f"{len(getattr(report, key))} {key}" for key in REPORT_KEYS)
        self.stdout.write(self.style.SUCCESS(f"Imported: {counts}."))
