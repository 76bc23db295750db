"""Load the demo world: two regions, their agencies, staff, and (per app) the case data.

Each app that has demo data provides ``<app>/demo.py`` with ``seed(log)``; they run in
``INSTALLED_APPS`` order, so directory entries exist before the referrals that use them.
Every seeder is idempotent: running the command twice leaves the same data.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction


class Command(BaseCommand):
    help = "Create or refresh the demo data (refused when DEBUG is off)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print nothing on success.")

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(
                "seed_demo only runs with DEBUG on: demo users have the password 'demo'."
            )
        log = (lambda _msg: None) if options["quiet"] else self.stdout.write
        with transaction.atomic():
            for app_config in apps.get_app_configs():
                module_name = f"{app_config.name}.demo"
                if find_spec(module_name) is None:
                    continue
                import_module(module_name).seed(log)
        log(self.style.SUCCESS("Demo data is ready. Every demo user's password is 'demo'."))
