"""Encrypted model fields and blind indexes for personal data.

Usage::

    import uuid

    from django.db import models

    from core.fields import (
        BlindIndexField, EncryptedCharField, EncryptedDateField, EncryptedJSONField,
        EncryptedTextField, blind_lookup,
    )

    class Child(models.Model):
        # Required: the row id is part of every ciphertext, so it must exist before INSERT.
        id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
        name = EncryptedCharField(max_length=200, blank=True)
        date_of_birth = EncryptedDateField(null=True, blank=True)
        contact = EncryptedJSONField(null=True, blank=True)
        name_index = BlindIndexField(sources=["name"])
        name_dob_index = BlindIndexField(sources=["name", "date_of_birth"])

    Child.objects.filter(**blind_lookup(Child, "name_index", "Jane  DOE"))
    Child.objects.filter(**blind_lookup(Child, "name_dob_index", "jane doe", date(2012, 3, 4)))

What to know:

* Attributes hold plaintext. Values are encrypted in ``pre_save`` (``Model.save()`` and
  ``QuerySet.bulk_create()``) and decrypted on first access, then cached on the instance.
  Every save re-encrypts under the active key. See :mod:`core.crypto` for the format.
* ``None`` is stored as SQL NULL; every other value, the empty string included, is encrypted.
  AES-GCM does not hide length: a value's size shows through its ciphertext.
* The only lookup on an encrypted field is ``isnull``. Search with a :class:`BlindIndexField`
  and :func:`blind_lookup`; find duplicates by grouping on the index column. Ordering by an
  encrypted field orders by ciphertext, which means nothing.
* ``QuerySet.update()``, ``bulk_update()``, ``loaddata`` and database defaults cannot encrypt
  (they have no row) and raise instead of writing plaintext. To add an encrypted column to a
  table that already has rows, add it with ``null=True`` and fill it by saving each row.
* ``.values()`` and ``.values_list()`` return :class:`EncryptedValue` objects, never plaintext;
  ``value.decrypt(pk)`` with the row's primary key gives the value.
* A value that cannot be decrypted raises :class:`core.crypto.DecryptionError` when read.
* Renaming the model or field changes the associated data: re-encrypt in the same migration.
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from django.core import checks
from django.core.exceptions import FieldError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_save

from core import crypto

__all__ = [
    "BlindIndexField",
    "EncryptedCharField",
    "EncryptedDateField",
    "EncryptedField",
    "EncryptedJSONField",
    "EncryptedTextField",
    "EncryptedValue",
    "blind_lookup",
]

_WHITESPACE = re.compile(r"\s+")


def row_id(model: type[models.Model], pk: Any) -> str:
    """The canonical text of a primary key, as bound into every ciphertext of that row."""
    if pk is None:
        raise ValueError(
            f"{model._meta.label} has no primary key value yet; models with encrypted fields "
            "need a UUID primary key with a default."
        )
    return str(model._meta.pk.to_python(pk))


class EncryptedValue:
    """An encrypted value as stored, not yet decrypted.

    ``.values()``/``.values_list()`` return these for encrypted fields; model instances hold
    them until the attribute is first read. Its text form never shows the ciphertext.
    """

    __slots__ = ("envelope", "field", "row")

    def __init__(self, envelope: str, field: EncryptedField, row: str | None = None) -> None:
        self.envelope = envelope
        self.field = field
        self.row = row

    def decrypt(self, pk: Any) -> Any:
        """The plaintext value, given the primary key of the row it was read from."""
        return self.field.open(self.envelope, row_id(self.field.model, pk))

    def __repr__(self) -> str:
        return f"<EncryptedValue {self.field.encryption_label}>"

    __str__ = __repr__


class _EncryptedAttribute(DeferredAttribute):
    """Decrypts on first read (with the row id the value was loaded for) and caches plaintext."""

    def __get__(self, instance: models.Model | None, cls: type | None = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, EncryptedValue):
            row = value.row or row_id(type(instance), instance.pk)
            value = value.field.open(value.envelope, row)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


def _remember_row(*, sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """Note on each loaded value the row id it was encrypted for, before the pk can change."""
    row = None
    for value in instance.__dict__.values():
        if isinstance(value, EncryptedValue) and value.row is None:
            row = row or row_id(sender, instance.pk)
            value.row = row


class EncryptedField(models.Field):
    """What every encrypted field shares; the column is always text.

    A concrete field lists this class before the Django field that gives its Python type
    (validation, forms, API serializers) and says how a value becomes bytes and back.
    """

    descriptor_class = _EncryptedAttribute

    @property
    def encryption_label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def to_bytes(self, value: Any) -> bytes:
        raise NotImplementedError

    def from_bytes(self, data: bytes) -> Any:
        raise NotImplementedError

    def open(self, envelope: str, row: str) -> Any:
        try:
            plaintext = crypto.decrypt(envelope, column=self.encryption_label, row=row)
        except crypto.DecryptionError as error:
            raise crypto.DecryptionError(
                f"Cannot decrypt {self.encryption_label}: {error}"
            ) from None
        return self.from_bytes(plaintext)

    def get_internal_type(self) -> str:
        return "TextField"

    def contribute_to_class(self, cls: type[models.Model], name: str, **kwargs: Any) -> None:
        # Field's own method, not the Python type's: DateField would add get_next_by_<name>(),
        # which orders by the column and so cannot work on ciphertext.
        models.Field.contribute_to_class(self, cls, name, **kwargs)
        if not cls._meta.abstract:
            post_init.connect(_remember_row, sender=cls, dispatch_uid="core.fields.remember_row")

    def from_db_value(
        self, value: str | None, expression: Any, connection: BaseDatabaseWrapper
    ) -> EncryptedValue | None:
        return None if value is None else EncryptedValue(value, self)

    def pre_save(self, model_instance: models.Model, add: bool) -> EncryptedValue | None:
        value = super().pre_save(model_instance, add)
        if value is None:
            return None
        row = row_id(type(model_instance), model_instance.pk)
        envelope = crypto.encrypt(
            self.to_bytes(self.to_python(value)), column=self.encryption_label, row=row
        )
        return EncryptedValue(envelope, self, row)

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> str | None:
        if value is None:
            return None
        if isinstance(value, EncryptedValue):
            return value.envelope
        raise TypeError(
            f"{self.encryption_label} is encrypted and can only be written by Model.save() or "
            "QuerySet.bulk_create(); QuerySet.update(), bulk_update(), loaddata and database "
            "defaults would store it unencrypted."
        )

    def get_db_prep_save(self, value: Any, connection: BaseDatabaseWrapper) -> str | None:
        return self.get_db_prep_value(value, connection)

    def select_format(self, compiler: Any, sql: str, params: Any) -> tuple[str, Any]:
        return sql, params

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.encryption_label} is encrypted: the only lookup is 'isnull'. "
                "Search through a BlindIndexField with core.fields.blind_lookup()."
            )
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> None:
        return None

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if not _pk_known_before_insert(self.model):
            errors.append(
                checks.Error(
                    "A model with encrypted fields needs a primary key that is known before "
                    "INSERT: every ciphertext is bound to its row.",
                    hint="id = models.UUIDField(primary_key=True, default=uuid.uuid4, "
                    "editable=False)",
                    obj=self,
                    id="core.E101",
                )
            )
        if self.primary_key or self.unique or self.db_index or self.has_db_default():
            errors.append(
                checks.Error(
                    "An encrypted field cannot be a primary key, unique, indexed or have a "
                    "database default: the database only sees ciphertext.",
                    hint="Declare a BlindIndexField over it to search or enforce uniqueness.",
                    obj=self,
                    id="core.E102",
                )
            )
        return errors


def _pk_known_before_insert(model: type[models.Model]) -> bool:
    pk = model._meta.pk
    if isinstance(pk, models.OneToOneField) and pk.remote_field.parent_link:
        return _pk_known_before_insert(pk.related_model)
    return isinstance(pk, models.UUIDField) and pk.has_default()


class EncryptedTextField(EncryptedField, models.TextField):
    def to_bytes(self, value: str) -> bytes:
        return value.encode()

    def from_bytes(self, data: bytes) -> str:
        return data.decode()


class EncryptedCharField(EncryptedField, models.CharField):
    """``max_length`` limits the plaintext (validation, forms, API); the column is text."""

    def to_bytes(self, value: str) -> bytes:
        return value.encode()

    def from_bytes(self, data: bytes) -> str:
        return data.decode()


class EncryptedDateField(EncryptedField, models.DateField):
    def to_bytes(self, value: datetime.date) -> bytes:
        return value.isoformat().encode()

    def from_bytes(self, data: bytes) -> datetime.date:
        return datetime.date.fromisoformat(data.decode())


class EncryptedJSONField(EncryptedField, models.JSONField):
    """A JSON document, encrypted whole; ``None`` is SQL NULL, never JSON ``null``."""

    def to_bytes(self, value: Any) -> bytes:
        return json.dumps(value, cls=self.encoder).encode()

    def from_bytes(self, data: bytes) -> Any:
        return json.loads(data, cls=self.decoder)


def normalise(value: Any) -> str:
    """The form a blind index hashes: NFKC, case-folded, whitespace collapsed; dates in ISO."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise TypeError(f"A blind index covers text, dates and integers, not {type(value)}.")
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold())
    return _WHITESPACE.sub(" ", folded).strip()


class BlindIndexField(models.CharField):
    """A keyed hash of one or more source fields, computed on save, for exact-match search.

    Blank or missing sources give NULL, so unknown values never match one another. The index
    is independent of the encryption keys: rotating them changes no index. ``save()`` with
    ``update_fields`` must name the index whenever it names one of its sources.
    """

    def __init__(self, sources: Sequence[str] = (), **kwargs: Any) -> None:
        self.sources = tuple(sources)
        kwargs.setdefault("db_index", not kwargs.get("unique", False))
        kwargs.update(max_length=64, null=True, editable=False)
        super().__init__(**kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        for fixed in ("max_length", "null", "editable"):
            kwargs.pop(fixed, None)
        kwargs["sources"] = list(self.sources)
        return name, path, args, kwargs

    @property
    def index_label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def digest_of(self, values: Iterable[Any]) -> str | None:
        """The index value for these source values (in ``sources`` order), or None if blank."""
        values = list(values)
        if len(values) != len(self.sources):
            raise TypeError(
                f"{self.index_label} covers {len(self.sources)} value(s), got {len(values)}."
            )
        parts = []
        for source, value in zip(self.sources, values, strict=True):
            if value is None:
                return None
            part = normalise(self.model._meta.get_field(source).to_python(value))
            if not part:
                return None
            parts.append(part)
        message = json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode()
        return crypto.blind_digest(self.index_label, message)

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        digest = self.digest_of(getattr(model_instance, source) for source in self.sources)
        setattr(model_instance, self.attname, digest)
        return digest

    def contribute_to_class(self, cls: type[models.Model], name: str, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, **kwargs)
        if not cls._meta.abstract:
            pre_save.connect(self._refuse_stale_index, sender=cls)

    def _refuse_stale_index(self, *, update_fields: frozenset[str] | None, **kwargs: Any) -> None:
        if update_fields is None or self.name in update_fields:
            return
        if any(source in update_fields for source in self.sources):
            raise ValueError(
                f"save(update_fields=...) changes a source of {self.index_label} but not the "
                f"index: add {self.name!r} to update_fields."
            )

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        concrete = {field.name for field in self.model._meta.concrete_fields}
        if not self.sources or not set(self.sources) <= concrete - {self.name}:
            errors.append(
                checks.Error(
                    "A BlindIndexField needs sources: one or more other concrete fields of "
                    "its model.",
                    obj=self,
                    id="core.E103",
                )
            )
        return errors


def blind_lookup(model: type[models.Model], index: str, *values: Any) -> dict[str, Any]:
    """Filter arguments that find rows whose ``index`` sources equal ``values`` once normalised.

    ``Child.objects.filter(**blind_lookup(Child, "name_dob_index", "Jane Doe", dob))``.
    Blank values match nothing (blank sources are never indexed).
    """
    field = model._meta.get_field(index)
    if not isinstance(field, BlindIndexField):
        raise TypeError(f"{model._meta.label}.{index} is not a BlindIndexField.")
    digest = field.digest_of(values)
    return {index: digest} if digest is not None else {f"{index}__in": []}
