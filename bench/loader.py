"""Rows straight into tables: COPY on PostgreSQL, batched INSERTs on SQLite.

Model ``save()`` does not run, so this module does what the fields would: every encrypted
field is encrypted with :mod:`core.crypto` under the column and row it belongs to (exactly the
associated data ``core.fields`` binds), or, for a plain-text twin, stored as the text the plain
field would hold. Column lists come from the models, so a field added later with a default is
filled in without touching the generator; one without a default stops it with its name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.fields import AutoFieldMixin
from django.db.models.fields.json import JSONField

from core import crypto
from core.fields import EncryptedField

REQUIRED = object()


class Table:
    """How one model's rows become database rows.

    ``row(values)`` takes a dict of attribute names (``child_id``, not ``child``) to Python
    values and returns the tuple for :attr:`columns`; a column without a default must be in
    it. Auto-increment primary keys are left to the database.
    """

    def __init__(self, model: type[models.Model], *, plaintext: bool = False) -> None:
        self.model = model
        self.plaintext = plaintext
        self.name = model._meta.db_table
        pk = model._meta.pk
        self.fields = [
            f
            for f in model._meta.concrete_fields
            if not (f is pk and isinstance(f, AutoFieldMixin))
        ]
        self.columns = [f.column for f in self.fields]
        self.row = self._compile(pk.attname)

    def _compile(self, pk_attname: str) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
        """A function turning a dict of attribute values into this table's row.

        Generated once per table, so that a row costs one dict lookup per column and
        nothing else: the generator writes tens of millions of them.
        """
        namespace: dict[str, Any] = {"dumps": _json}
        parts = []
        encrypted = False
        for position, field in enumerate(self.fields):
            attname = field.attname
            default = self._default(field)
            namespace[f"d{position}"] = default
            get = f"get({attname!r}, d{position})" if default is not REQUIRED else f"v[{attname!r}]"
            if isinstance(field, EncryptedField):
                encrypted = True
                namespace[f"b{position}"] = field.to_bytes
                if self.plaintext:
                    parts.append(f"_plain(b{position}, {get})")
                else:
                    parts.append(f"_sealed(b{position}, {get}, {field.encryption_label!r}, row_id)")
            elif isinstance(field, JSONField):
                parts.append(f"dumps({get})")
            else:
                parts.append(get)
        namespace["_plain"] = _plain
        namespace["_sealed"] = _sealed
        body = ["def row(v):", "    get = v.get"]
        if encrypted:
            body.append(f"    row_id = str(v[{pk_attname!r}])")
        body.append(f"    return ({', '.join(parts)},)")
        exec("\n".join(body), namespace)  # noqa: S102  (generated from model metadata only)
        return namespace["row"]

    def _default(self, field: models.Field) -> Any:
        if field.has_default():
            value = field.get_default()
            # Per-row defaults (uuid4, now) must be given explicitly; list and dict are fine.
            if callable(field.default) and field.default not in (list, dict):
                return REQUIRED
            return value
        if field.null:
            return None
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return REQUIRED
        if field.empty_strings_allowed and not field.is_relation:
            return ""
        return REQUIRED


def _sealed(to_bytes: Callable[[Any], bytes], value: Any, column: str, row: str) -> str | None:
    return None if value is None else crypto.encrypt(to_bytes(value), column=column, row=row)


def _plain(to_bytes: Callable[[Any], bytes], value: Any) -> str | None:
    return None if value is None else to_bytes(value).decode()


_JSON_CACHE: dict[tuple[str, ...], str] = {}


def _json(value: Any) -> str | None:
    """JSON text of a value; lists of strings (categories, kinds) repeat, so are cached."""
    if value is None:
        return None
    if type(value) is list and all(type(item) is str for item in value):
        key = tuple(value)
        cached = _JSON_CACHE.get(key)
        if cached is None:
            cached = _JSON_CACHE[key] = json.dumps(value)
        return cached
    return json.dumps(value)


class Sink:
    """Where rows go: a database connection, one table at a time."""

    def write(self, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Commit what was written."""


class CopySink(Sink):
    """PostgreSQL: ``COPY ... FROM STDIN`` on a psycopg connection, triggers off while loading
    (the generator writes parents and children in any order and guarantees the references)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.connection.execute("SET session_replication_role = replica")

    def write(self, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        columns = ", ".join(f'"{c}"' for c in table.columns)
        with (
            self.connection.cursor() as cursor,
            cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def close(self) -> None:
        self.connection.commit()


class InsertSink(Sink):
    """Any database Django speaks to (SQLite for the smoke run): batched INSERTs, with each
    value prepared by its field for that database."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def write(self, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        prepare = [self._preparer(f) for f in table.fields]
        quote = self.connection.ops.quote_name
        # Names from the model's metadata, values bound as parameters.
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(table.name),
            ", ".join(quote(c) for c in table.columns),
            ", ".join(["%s"] * len(table.columns)),
        )
        prepared = [tuple(p(v) for p, v in zip(prepare, row, strict=True)) for row in rows]
        with self.connection.cursor() as cursor:
            cursor.executemany(sql, prepared)

    def _preparer(self, field: models.Field) -> Callable[[Any], Any]:
        if isinstance(field, EncryptedField | JSONField):
            return lambda value: value
        connection = self.connection
        return lambda value: field.get_db_prep_value(value, connection, prepared=False)


def write_all(sink: Sink, batches: Iterable[tuple[Table, Sequence[tuple[Any, ...]]]]) -> int:
    written = 0
    for table, rows in batches:
        sink.write(table, rows)
        written += len(rows)
    return written
