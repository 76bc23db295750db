from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from notifications import hooks, sweeps

        sweeps.autodiscover()
        hooks.connect()
