"""Compare the platform's HSDS schema and export with the official HSDS schema files."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pathways import hsds_conformance, services


class Command(BaseCommand):
    help = (
        "Check hsds_schema/hsds-3.0.schema.json and the directory's HSDS export against a "
        "folder of official HSDS schema files (openreferral/specification, schema/)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("schema_dir", help="Folder holding the official schema/*.json files.")
        parser.add_argument(
            "--export", help="An export file to check; the current directory's export if omitted."
        )

    def handle(self, *args: object, **options: object) -> None:
        folder = Path(str(options["schema_dir"]))
        try:
            differences = hsds_conformance.keyword_differences(folder)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        if options["export"]:
            document = json.loads(Path(str(options["export"])).read_text(encoding="utf-8"))
        else:
            document = services.export_directory(actor=None)
        check = hsds_conformance.check_export(document, folder)
        for line in differences:
            self.stdout.write(f"schema: {line}")
        for line in check.errors:
            self.stdout.write(f"export: {line}")
        self.stdout.write(
            f"{len(differences)} keyword difference(s); {check.checked - check.invalid} of "
            f"{check.checked} exported records valid against the official schemas."
        )
        if differences or check.errors:
            raise CommandError("The platform does not match the official HSDS schemas.")
