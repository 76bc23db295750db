"""Re-encrypt every encrypted value under the active key (see README "Field encryption")."""

from argparse import ArgumentTypeError

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import crypto
from core.key_rotation import rotate_all


def positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise ArgumentTypeError("must be at least 1")
    return number


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value that is not under the first key of "
        "FIELD_ENCRYPTION_KEYS. Safe to interrupt and run again; the site stays up."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=positive, default=500, help="Rows per transaction (500)."
        )
        parser.add_argument(
            "--max-batches",
            type=positive,
            default=None,
            help="Stop after this many batches in all; run again to continue.",
        )

    def handle(self, *args: object, **options: object) -> None:
        active = crypto.active_key_id()
        self.stdout.write(f"Re-encrypting under key {active!r}.")
        finished = True
        undecryptable = 0
        for result in rotate_all(
            batch_size=options["batch_size"], max_batches=options["max_batches"]
        ):
            finished = finished and result.finished
            undecryptable += len(result.undecryptable)
            self.stdout.write(
                f"{result.model}: {result.re_encrypted} value(s) re-encrypted in "
                f"{result.batches} batch(es); {result.changed_meanwhile} row(s) saved meanwhile; "
                f"{len(result.undecryptable)} value(s) could not be decrypted"
                + ("" if result.finished else "; more to do")
            )
            for field_name, row in result.undecryptable:
                self.stderr.write(f"  cannot decrypt {result.model}.{field_name} of row {row}")
        if undecryptable:
            raise CommandError(
                f"{undecryptable} value(s) could not be decrypted with the current key ring; "
                "they stay as they are. Keep their key in FIELD_ENCRYPTION_KEYS until resolved."
            )
        if finished:
            self.stdout.write(
                self.style.SUCCESS(f"Every encrypted value is now under key {active!r}.")
            )
        else:
            self.stdout.write("Stopped at --max-batches; run the command again to continue.")
