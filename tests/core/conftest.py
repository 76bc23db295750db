"""Test-only models with encrypted fields, their tables, and the keys they are encrypted with.

The models are registered in the ``core`` app only while tests/core runs, and their tables
are created and dropped here, so migrations never see them (``makemigrations --check`` stays
clean) and no other package's tests find them in the app registry.
"""

import uuid
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection, models

from core.demo_secrets import new_field_key, new_key
from core.fields import (
    BlindIndexField,
    EncryptedCharField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
)


def _define_models() -> SimpleNamespace:
    class EncryptionTestPerson(models.Model):
        id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
        first_name = EncryptedCharField(max_length=100, blank=True)
        last_name = EncryptedTextField(blank=True)
        date_of_birth = EncryptedDateField(null=True, blank=True)
        details = EncryptedJSONField(null=True, blank=True)
        note = models.CharField(max_length=200, blank=True)  # plain, to prove the scans work
        name_index = BlindIndexField(sources=["first_name", "last_name"])
        identity_index = BlindIndexField(sources=["first_name", "last_name", "date_of_birth"])

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return str(self.pk)

    class EncryptionTestMemo(models.Model):
        id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
        body = EncryptedTextField()

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return str(self.pk)

    return SimpleNamespace(Person=EncryptionTestPerson, Memo=EncryptionTestMemo)


@pytest.fixture(scope="package")
def encryption_models(django_db_setup, django_db_blocker):
    defined = _define_models()
    test_models = [defined.Person, defined.Memo]
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        for model in test_models:
            editor.create_model(model)
    yield defined
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        for model in test_models:
            editor.delete_model(model)
    for model in test_models:
        del apps.all_models["core"][model._meta.model_name]
    apps.clear_cache()


@pytest.fixture
def Person(encryption_models, db):
    return encryption_models.Person


@pytest.fixture
def Memo(encryption_models, db):
    return encryption_models.Memo


@pytest.fixture
def keys(settings):
    """``keys.use("k2", "k1")`` sets the ring to those ids (first encrypts); one key per id."""
    material = {}

    def use(*key_ids: str) -> None:
        for key_id in key_ids:
            material.setdefault(key_id, new_field_key(key_id))
        settings.FIELD_ENCRYPTION_KEYS = ",".join(material[key_id] for key_id in key_ids)

    settings.BLIND_INDEX_KEY = new_key()
    use("k1")
    return TestKeys(use=use, material=material)


class TestKeys(SimpleNamespace):
    __test__ = False

    def __repr__(self) -> str:
        return "<test keys>"  # a failing test prints its fixtures; keys are not for output
