"""Shared building blocks for the bounded-context apps."""

from django.db import models, transaction
from django.utils import timezone


class ReferenceSequence(models.Model):
    """Per-prefix, per-year counters behind human references such as ``R-2026-0042``."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="reference_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_value}"


def next_reference(prefix: str) -> str:
    """The next reference for ``prefix`` this year, e.g. ``R-2026-0042``; gap-free per year.

    The counter row is locked for the rest of the surrounding transaction, so two concurrent
    creates never share a number and a rolled-back create gives its number back.
    """
    year = timezone.now().year
    with transaction.atomic():
        ReferenceSequence.objects.get_or_create(prefix=prefix, year=year)
        sequence = ReferenceSequence.objects.select_for_update().get(prefix=prefix, year=year)
        sequence.last_value = models.F("last_value") + 1
        sequence.save(update_fields=["last_value"])
        sequence.refresh_from_db(fields=["last_value"])
    return f"{prefix}-{year}-{sequence.last_value:04d}"
