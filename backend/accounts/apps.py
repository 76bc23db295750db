from django.apps import AppConfig
from django.conf import settings


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Sign-in, sessions and second factors"

    def ready(self) -> None:
        from accounts import (  # noqa: F401  (signal receivers, OpenAPI extensions)
            receivers,
            schema,
        )

        if settings.MFA_REQUIRED:
            from django.contrib import admin
            from django_otp.admin import OTPAdminSite

            # The admin signs people in through its own form: it must ask for the code too.
            admin.site.__class__ = OTPAdminSite
