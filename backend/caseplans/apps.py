from django.apps import AppConfig


class CasePlansConfig(AppConfig):
    name = "caseplans"
    verbose_name = "Case plans"

    def ready(self) -> None:
        from caseplans import receivers

        receivers.connect()
