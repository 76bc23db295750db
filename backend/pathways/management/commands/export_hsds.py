"""Write the directory as Open Referral HSDS 3.0 JSON (to a file, or standard output)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from pathways import services


class Command(BaseCommand):
    help = "Export the service directory as Open Referral HSDS 3.0 JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", help="File to write; standard output if omitted.")

    def handle(self, *args: object, **options: object) -> None:
        document = services.export_directory(actor=None)
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        if options["output"]:
            Path(str(options["output"])).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {len(document['services'])} services.")
        else:
            self.stdout.write(text, ending="")
