"""Read queries for referrals: inbox, outbox, dashboard counts. Visibility is applied by the
caller (the API views go through core.access) — these only narrow and order."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import connections, router, transaction
from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from agencies.selectors import agencies_of
from referrals.models import AWAITING_ACKNOWLEDGEMENT, AWAITING_RESPONSE, Referral, urgency_rank


class Box:
    INCOMING = "incoming"
    OUTGOING = "outgoing"
    CHOICES = (INCOMING, OUTGOING)


def overdue_q(now: datetime) -> Q:
    """Referrals whose acknowledgement or response clock has run out while still running."""
    return Q(status__in=AWAITING_ACKNOWLEDGEMENT, acknowledge_by__lt=now) | Q(
        status__in=AWAITING_RESPONSE, respond_by__lt=now
    )


def in_box(queryset: QuerySet[Referral], user: AbstractBaseUser, box: str) -> QuerySet[Referral]:
    mine = [agency.pk for agency in agencies_of(user)]
    if box == Box.INCOMING:
        return queryset.filter(to_agency__in=mine).exclude(status="draft")
    return queryset.filter(from_agency__in=mine)


def with_clocks(queryset: QuerySet[Referral], now: datetime | None = None) -> QuerySet[Referral]:
    """Annotate urgency rank and overdue flags, for ordering by urgency then due time."""
    now = now or timezone.now()
    return queryset.annotate(
        urgency_rank=urgency_rank(),
        is_overdue=Case(
            When(overdue_q(now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def ordered_for_work(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    """Most urgent first, then whatever is due soonest, then the newest."""
    return queryset.order_by("urgency_rank", "acknowledge_by", "-created_at", "id")


def status_counts(queryset: QuerySet[Referral], now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    counts = dict(
        queryset.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    counts["overdue"] = queryset.filter(overdue_q(now)).count()
    return counts


@contextmanager
def planned_as_written() -> Iterator[None]:
    """Run the queries inside in one transaction that, on PostgreSQL, joins in written order.

    A list page joins the referral to its child, parent, service, both agencies and their
    regions. PostgreSQL would search every join order for it on each request (Django binds
    parameters client-side, so no plan is reused): 23-32 ms of planning for about 1 ms of
    execution at 100k referrals (bench/README.md). The written order, referral first off its
    inbox index, is already the right one, so the search is switched off for this transaction
    only (``SET LOCAL``, which ends with it; reset on the way out only when an outer
    transaction goes on).
    """
    alias = router.db_for_read(Referral)
    connection = connections[alias]
    outer = connection.in_atomic_block
    with transaction.atomic(using=alias):
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL join_collapse_limit = 1")
        yield
        if outer:
            with connection.cursor() as cursor:
                cursor.execute("RESET join_collapse_limit")
