"""Re-encrypt stored values under the active key, so a retired key can leave the ring.

The application keeps serving throughout: it reads every key in the ring and writes under the
active one, and rotation only touches values still under another key. Each batch is its own
transaction; its rows are locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's write lock
does the same), and each row is rewritten only if it still holds the value that was read, so
a concurrent save is never overwritten. An interrupted run loses at most its current batch and
the next run carries on, since finished values no longer match.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast
from django.db.models.lookups import Exact

from core import crypto
from core.fields import EncryptedField, EncryptedValue, row_id


@dataclass
class RotationResult:
    """What one model's rotation did: counts and row ids only, never values."""

    model: str
    batches: int = 0
    re_encrypted: int = 0
    changed_meanwhile: int = 0
    undecryptable: list[tuple[str, str]] = field(default_factory=list)  # (field, row id)
    finished: bool = True


def encrypted_models() -> Iterator[tuple[type[models.Model], list[EncryptedField]]]:
    """Every concrete model with encrypted columns of its own, and those fields."""
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        fields = [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedField)]
        if fields:
            yield model, fields


def rotate_model(
    model: type[models.Model],
    fields: list[EncryptedField],
    *,
    batch_size: int,
    max_batches: int | None = None,
) -> RotationResult:
    """Re-encrypt ``model``'s values that are not under the active key, ``batch_size`` rows
    per transaction, stopping after ``max_batches`` batches if given."""
    result = RotationResult(model=model._meta.label)
    prefix = crypto.envelope_prefix(crypto.active_key_id())
    stored = {f"_stored_{i}": Cast(f.attname, models.TextField()) for i, f in enumerate(fields)}
    stale = models.Q()
    for alias in stored:
        stale |= models.Q(**{f"{alias}__isnull": False}) & ~models.Q(
            **{f"{alias}__startswith": prefix}
        )
    after = None
    while max_batches is None or result.batches < max_batches:
        with transaction.atomic():
            query = model._base_manager.annotate(**stored).filter(stale).order_by("pk")
            if after is not None:
                query = query.filter(pk__gt=after)
            rows = list(query.select_for_update().values_list("pk", *stored)[:batch_size])
            if not rows:
                # A row saved meanwhile may have kept other values under the old key.
                result.finished = result.changed_meanwhile == 0
                return result
            for pk, *envelopes in rows:
                _rotate_row(model, fields, pk, envelopes, prefix, result)
            after = rows[-1][0]
        result.batches += 1
    result.finished = not _has_stale_rows(model, stored, stale, after)
    return result


def _rotate_row(
    model: type[models.Model],
    fields: list[EncryptedField],
    pk: Any,
    envelopes: list[str | None],
    prefix: str,
    result: RotationResult,
) -> None:
    row = row_id(model, pk)
    changes: dict[str, EncryptedValue] = {}
    unchanged_since_read = []
    for encrypted_field, envelope in zip(fields, envelopes, strict=True):
        if envelope is None or envelope.startswith(prefix):
            continue
        column = encrypted_field.encryption_label
        try:
            plaintext = crypto.decrypt(envelope, column=column, row=row)
        except crypto.DecryptionError:
            result.undecryptable.append((encrypted_field.name, row))
            continue
        new = crypto.encrypt(plaintext, column=column, row=row)
        changes[encrypted_field.attname] = EncryptedValue(new, encrypted_field, row)
        unchanged_since_read.append(
            Exact(Cast(encrypted_field.attname, models.TextField()), envelope)
        )
    if not changes:
        return
    updated = model._base_manager.filter(*unchanged_since_read, pk=pk).update(**changes)
    if updated:
        result.re_encrypted += len(changes)
    else:
        result.changed_meanwhile += 1


def _has_stale_rows(
    model: type[models.Model], stored: dict[str, Cast], stale: models.Q, after: Any
) -> bool:
    query = model._base_manager.annotate(**stored).filter(stale)
    if after is not None:
        query = query.filter(pk__gt=after)
    return query.exists()


def rotate_all(*, batch_size: int, max_batches: int | None = None) -> Iterator[RotationResult]:
    """Rotate every model in turn, yielding each result; ``max_batches`` covers the whole run."""
    remaining = max_batches
    for model, fields in encrypted_models():
        result = rotate_model(model, fields, batch_size=batch_size, max_batches=remaining)
        if remaining is not None:
            remaining -= result.batches
        yield result
