"""What the database really holds, read and written behind the application's back.

Also :func:`assert_same`, which compares values without ever printing them: test output must
not show plaintext or ciphertext, and a plain ``assert a == b`` would print both on failure.
"""

import uuid
from typing import Any

from django.db import connection, models


def assert_same(actual: Any, expected: Any) -> None:
    if actual != expected:
        raise AssertionError("the value differs from the one expected (values not shown)")


def _quoted(model: type[models.Model], field_name: str) -> tuple[str, str, str]:
    quote = connection.ops.quote_name
    column = model._meta.get_field(field_name).column
    return quote(model._meta.db_table), quote(column), quote(model._meta.pk.column)


def read_raw(model: type[models.Model], pk: uuid.UUID, field_name: str) -> str | None:
    """The column's stored text, read with a plain cursor."""
    table, column, pk_column = _quoted(model, field_name)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE {pk_column} = %s",  # noqa: S608  (quoted names)
            [model._meta.pk.get_db_prep_value(pk, connection)],
        )
        return cursor.fetchone()[0]


def write_raw(model: type[models.Model], pk: uuid.UUID, field_name: str, value: str) -> None:
    """Store ``value`` in the column, as someone with database access could."""
    table, column, pk_column = _quoted(model, field_name)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = %s WHERE {pk_column} = %s",  # noqa: S608
            [value, model._meta.pk.get_db_prep_value(pk, connection)],
        )


def database_bytes() -> bytes:
    """Everything the database holds: the SQLite file image, or a COPY of every PostgreSQL
    table in the schema."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        return connection.connection.serialize()
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            with cursor.copy(f"COPY {connection.ops.quote_name(table)} TO STDOUT") as copy:
                chunks.extend(bytes(block) for block in copy)
    return b"".join(chunks)
