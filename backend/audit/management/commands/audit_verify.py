from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditAction, AuditEvent
from audit.services import record, verify_chain


class Command(BaseCommand):
    help = (
        "Recompute the audit trail's hash chain end to end. Exits 0 when it is intact, "
        "1 naming the first broken sequence number otherwise. The check is itself audited."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--chunk-size", type=int, default=2000, help="Events read from the database at once."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain(chunk_size=options["chunk_size"])
        record(
            AuditAction.VERIFY,
            object_type=AuditEvent._meta.label_lower,
            details={**result.as_details(), "via": "command"},
        )
        if not result.intact:
            raise CommandError(result.summary())
        self.stdout.write(result.summary())
