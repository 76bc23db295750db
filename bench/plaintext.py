"""Field encryption taken out, for measuring what it costs (bench-only, never in production).

Installed through ``bench.settings_plaintext``. Every encrypted field then behaves like the
plain Django field it is built on: values are read and written as the text a plain field
would store (``to_bytes``/``from_bytes`` of the field, without AES-GCM), through Django's own
attribute descriptor, with no per-row bookkeeping. Queries, serializers and views are the
production ones. The dataset it serves is generated with ``--plaintext`` from the same seed
as its encrypted twin, so both hold the same rows and the same values.
"""

from typing import Any

from django.apps import AppConfig, apps
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init

from core import fields
from core.fields import EncryptedField


def _from_db_value(
    self: EncryptedField, value: str | None, expression: Any, connection: BaseDatabaseWrapper
) -> Any:
    return None if value is None else self.from_bytes(value.encode())


def _pre_save(self: EncryptedField, model_instance: models.Model, add: bool) -> Any:
    return super(EncryptedField, self).pre_save(model_instance, add)


def _get_db_prep_value(
    self: EncryptedField, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
) -> str | None:
    return None if value is None else self.to_bytes(self.to_python(value)).decode()


def install() -> None:
    EncryptedField.from_db_value = _from_db_value
    EncryptedField.pre_save = _pre_save
    EncryptedField.get_db_prep_value = _get_db_prep_value
    EncryptedField.get_db_prep_save = _get_db_prep_value
    for model in apps.get_models():
        encrypted = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
        if not encrypted:
            continue
        post_init.disconnect(
            fields._remember_row, sender=model, dispatch_uid="core.fields.remember_row"
        )
        for field in encrypted:
            setattr(model, field.attname, DeferredAttribute(field))


class PlaintextFieldsConfig(AppConfig):
    name = "bench.plaintext"
    label = "bench_plaintext"

    def ready(self) -> None:
        install()
