"""REST: the caller's own notifications only, catch-up without gaps, N+1-free."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification, NotificationKind
from notifications.services import notify
from tests.access import Call, assert_access
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"


def tell(user, count: int = 1, kind: str = NotificationKind.REVIEW_DUE) -> list[Notification]:
    return [notify([user], kind, reference=f"CP-2026-{i:04d}")[0] for i in range(count)]


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


def test_list_shows_only_my_notifications_newest_first(social_worker, outsider, client_for):
    mine = tell(social_worker, 3)
    tell(outsider, 2)
    response = client_for(social_worker).get(LIST)
    assert response.status_code == 200
    assert ids(response) == [n.pk for n in reversed(mine)]
    first = response.json()["results"][0]
    assert set(first) == {
        "id",
        "kind",
        "reference",
        "text",
        "created_at",
        "read_at",
        "object_type",
        "object_id",
    }


def test_unread_filter(social_worker, client_for):
    read, unread = tell(social_worker, 2)
    client = client_for(social_worker)
    assert client.post(f"{LIST}{read.pk}/read/").status_code == 200
    assert ids(client.get(LIST, {"unread": "true"})) == [unread.pk]
    assert ids(client.get(LIST, {"unread": "false"})) == [unread.pk, read.pk]


def test_catch_up_after_an_id_loses_nothing_across_pages(social_worker, outsider, client_for):
    seen = tell(social_worker, 2)
    missed = tell(social_worker, 5)  # arrived while the socket was down
    tell(outsider, 3)
    client = client_for(social_worker)
    fetched, url = [], f"{LIST}?after={seen[-1].pk}&page_size=2"
    while url:
        page = client.get(url).json()
        fetched += [item["id"] for item in page["results"]]
        if len(fetched) == 2:
            missed += tell(social_worker, 1)  # and one more lands mid catch-up
        url = page["next"]
    assert fetched == [n.pk for n in missed]


@pytest.mark.parametrize("query", ["after=abc", "after=-1", "unread=maybe"])
def test_bad_filters_are_a_400(social_worker, client_for, query):
    response = client_for(social_worker).get(f"{LIST}?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_unread_count(social_worker, outsider, client_for):
    tell(social_worker, 3)
    tell(outsider, 4)
    client = client_for(social_worker)
    assert client.get(f"{LIST}unread-count/").json() == {"unread": 3}
    client.post(f"{LIST}read-all/")
    assert client.get(f"{LIST}unread-count/").json() == {"unread": 0}


def test_read_is_mine_only(social_worker, outsider):
    notification = tell(social_worker)[0]
    response = assert_access(
        Call("post", f"{LIST}{notification.pk}/read/", missing_url=f"{LIST}999999/read/"),
        allowed=social_worker,
        outsider=outsider,
        unchanged=lambda: Notification.objects.values().get(pk=notification.pk),
    )
    assert response.json()["id"] == notification.pk
    assert response.json()["read_at"] is not None
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_read_all_marks_only_mine_and_only_up_to_the_given_id(social_worker, outsider, client_for):
    shown = tell(social_worker, 2)
    arrived_meanwhile = tell(social_worker)[0]
    theirs = tell(outsider)[0]
    client = client_for(social_worker)
    response = client.post(f"{LIST}read-all/", {"up_to": shown[-1].pk}, format="json")
    assert response.json() == {"marked": 2}
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    assert set(Notification.objects.filter(read_at__isnull=True)) == {arrived_meanwhile, theirs}
    assert client.post(f"{LIST}read-all/").json() == {"marked": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_signed_out_and_roleless_callers_are_refused(social_worker, api_client, client_for):
    notification = tell(social_worker)[0]
    for method, url in [
        ("get", LIST),
        ("get", f"{LIST}unread-count/"),
        ("post", f"{LIST}{notification.pk}/read/"),
        ("post", f"{LIST}read-all/"),
    ]:
        assert getattr(api_client, method)(url).status_code == 401
    roleless = UserFactory()
    notify([roleless], NotificationKind.REVIEW_DUE, reference="CP-2026-0001")
    assert client_for(roleless).get(LIST).status_code == 403
    assert client_for(roleless).post(f"{LIST}read-all/").status_code == 403
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize("query", ["", "?unread=true", "?after=0"])
def test_list_query_count_does_not_grow_with_rows(social_worker, client_for, query):
    client = client_for(social_worker)
    tell(social_worker, 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{LIST}{query}").status_code == 200
    tell(social_worker, 20)
    with CaptureQueriesContext(connection) as many:
        assert len(ids(client.get(f"{LIST}{query}"))) == 21
    assert len(many) == len(few)
