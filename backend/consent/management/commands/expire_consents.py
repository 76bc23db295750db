from django.core.management.base import BaseCommand

from consent.services import expire_consents


class Command(BaseCommand):
    help = "Mark consents past their valid-until time as expired and end what relied on them."

    def handle(self, *args: object, **options: object) -> None:
        expired = expire_consents()
        self.stdout.write(f"Consent records expired: {expired}")
