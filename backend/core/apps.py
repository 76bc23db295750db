from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core import crypto, schema  # noqa: F401  (schema registers the OpenAPI extensions)

        crypto.check_configuration()
