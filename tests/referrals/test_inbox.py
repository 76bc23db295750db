"""Inbox and outbox: filters, work order, counts, a fixed number of queries per page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from referrals.models import Referral

pytestmark = pytest.mark.django_db


def ids(response) -> list[str]:
    return [row["id"] for row in response.json()["results"]]


def test_boxes_split_incoming_from_outgoing(make_referral, client_for, helpline_worker, officer):
    draft = make_referral("draft")
    sent = make_referral("sent")
    assert set(ids(client_for(helpline_worker).get("/api/v1/referrals/?box=outgoing"))) == {
        str(draft.pk),
        str(sent.pk),
    }
    assert ids(client_for(helpline_worker).get("/api/v1/referrals/?box=incoming")) == []
    assert ids(client_for(officer).get("/api/v1/referrals/?box=incoming")) == [str(sent.pk)]
    assert ids(client_for(officer).get("/api/v1/referrals/?box=outgoing")) == []


def test_inbox_is_ordered_by_urgency_then_due_time(make_referral, client_for, officer):
    routine = make_referral("sent", urgency="routine")
    urgent_later = make_referral("sent", urgency="immediate")
    urgent_sooner = make_referral("sent", urgency="immediate")
    Referral.objects.filter(pk=urgent_sooner.pk).update(
        acknowledge_by=timezone.now() - timedelta(minutes=5)
    )
    order = ids(client_for(officer).get("/api/v1/referrals/?box=incoming"))
    assert order == [str(urgent_sooner.pk), str(urgent_later.pk), str(routine.pk)]


def test_overdue_filter_and_clocks_stop_at_the_right_transitions(
    make_referral, client_for, officer
):
    late = make_referral("sent")
    acknowledged_late = make_referral("acknowledged")
    accepted = make_referral("accepted")
    past = timezone.now() - timedelta(hours=1)
    Referral.objects.filter(pk__in=[late.pk, acknowledged_late.pk, accepted.pk]).update(
        acknowledge_by=past
    )
    client = client_for(officer)
    overdue = ids(client.get("/api/v1/referrals/?box=incoming&overdue=true"))
    assert overdue == [str(late.pk)], "acknowledging stops the acknowledgement clock"
    Referral.objects.filter(pk__in=[acknowledged_late.pk, accepted.pk]).update(respond_by=past)
    overdue = set(ids(client.get("/api/v1/referrals/?box=incoming&overdue=true")))
    assert overdue == {str(late.pk), str(acknowledged_late.pk)}, (
        "accepting stops the response clock"
    )
    row = next(
        r for r in client.get("/api/v1/referrals/").json()["results"] if r["id"] == str(late.pk)
    )
    assert row["is_overdue"] is True


def test_status_and_urgency_filters(make_referral, client_for, officer):
    sent = make_referral("sent")
    make_referral("accepted", urgency="immediate")
    client = client_for(officer)
    assert ids(client.get("/api/v1/referrals/?box=incoming&status=sent")) == [str(sent.pk)]
    assert len(ids(client.get("/api/v1/referrals/?urgency=immediate"))) == 1


def test_counts_per_status(make_referral, client_for, officer):
    make_referral("sent")
    make_referral("sent")
    make_referral("completed")
    counts = client_for(officer).get("/api/v1/referrals/counts/?box=incoming").json()["counts"]
    assert counts["sent"] == 2
    assert counts["completed"] == 1
    assert counts["overdue"] == 0


def test_list_query_count_does_not_grow_with_the_page(make_referral, client_for, officer):
    client = client_for(officer)
    make_referral("sent")
    client.get("/api/v1/referrals/?box=incoming")  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as small:
        assert len(ids(client.get("/api/v1/referrals/?box=incoming"))) == 1
    for _ in range(6):
        make_referral("sent")
    with CaptureQueriesContext(connection) as large:
        assert len(ids(client.get("/api/v1/referrals/?box=incoming&page_size=50"))) == 7
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_count_joins_nothing_the_rows_show(make_referral, client_for, officer):
    make_referral("sent")
    with CaptureQueriesContext(connection) as page:
        assert len(ids(client_for(officer).get("/api/v1/referrals/?box=incoming"))) == 1
    statements = [query["sql"] for query in page.captured_queries]
    rows = next(sql for sql in statements if '"children_child"."reference"' in sql)
    assert "JOIN" in rows
    count = next(sql for sql in statements if sql.startswith("SELECT COUNT(*)"))
    assert "JOIN" not in count


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="join planning is PostgreSQL's (bench/README.md)"
)


@postgresql_only
def test_list_page_plans_joins_as_written_and_only_there(make_referral, client_for, officer):
    make_referral("sent")
    with CaptureQueriesContext(connection) as page:
        assert len(ids(client_for(officer).get("/api/v1/referrals/?box=incoming"))) == 1
    statements = [query["sql"] for query in page.captured_queries]
    limit = statements.index("SET LOCAL join_collapse_limit = 1")
    assert any('FROM "referrals_referral"' in sql for sql in statements[limit + 1 :])
    # SET LOCAL ends with the page's transaction: the connection plans as usual afterwards.
    with connection.cursor() as cursor:
        cursor.execute("SHOW join_collapse_limit")
        assert cursor.fetchone() == ("8",)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_page_read_on_its_own_leaves_join_planning_to_its_commit(
    make_referral, client_for, officer
):
    make_referral("sent")
    with CaptureQueriesContext(connection) as page:
        assert len(ids(client_for(officer).get("/api/v1/referrals/?box=incoming"))) == 1
    statements = [query["sql"] for query in page.captured_queries]
    assert "SET LOCAL join_collapse_limit = 1" in statements
    assert "RESET join_collapse_limit" not in statements
    with connection.cursor() as cursor:
        cursor.execute("SHOW join_collapse_limit")
        assert cursor.fetchone() == ("8",)
