"""notify(): stored in the caller's transaction, pushed only after commit, never free text."""

import pytest
from django.db import transaction

from agencies.models import Membership, Role
from notifications import realtime
from notifications.models import TEMPLATES, Notification, NotificationKind
from notifications.services import (
    UnsafeNotification,
    mark_all_read,
    mark_read,
    notify,
    recipients_in,
    render_text,
)
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, dict]]:
    """What reached the channel layer (the push itself is tested with real sockets)."""
    sent: list[tuple[int, dict]] = []
    monkeypatch.setattr(realtime, "send_to_users", lambda messages: sent.extend(messages))
    return sent


def test_every_kind_has_a_short_template_with_the_reference() -> None:
    assert set(TEMPLATES) == set(NotificationKind.values)
    for kind in NotificationKind:
        text = render_text(kind, "R-2026-0042")
        assert "R-2026-0042" in text
        assert len(text) <= 200


def test_notify_stores_one_row_per_person_and_pushes_after_commit(
    social_services, social_worker, agency_admin, django_capture_on_commit_callbacks, pushed
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        created = notify(
            [social_worker, agency_admin, social_worker],
            NotificationKind.REFERRAL_SENT,
            obj=social_services,
            reference="R-2026-0042",
        )
        assert pushed == []  # nothing leaves before the change commits
    assert len(callbacks) == 1
    assert sorted(n.recipient_id for n in created) == sorted([social_worker.pk, agency_admin.pk])
    row = Notification.objects.get(recipient=social_worker)
    assert row.text == "New referral R-2026-0042 for your service."
    assert (row.object_type, row.object_id) == ("agencies.agency", str(social_services.pk))
    assert row.created_at.utcoffset().total_seconds() == 0
    assert {user_id for user_id, _ in pushed} == {social_worker.pk, agency_admin.pk}
    message = dict(pushed)[social_worker.pk]
    assert message == {
        "type": "notification",
        "notification": {
            "id": row.pk,
            "kind": "referral_sent",
            "reference": "R-2026-0042",
            "text": row.text,
            "created_at": row.created_at.isoformat().replace("+00:00", "Z"),
            "read_at": None,
            "object_type": "agencies.agency",
            "object_id": row.object_id,
        },
    }


def notify_then_fail(user) -> None:
    with transaction.atomic():
        notify([user], NotificationKind.REFERRAL_ACCEPTED, reference="R-2026-0001")
        raise RuntimeError("the change failed")


def test_rolled_back_change_leaves_no_row_and_no_push(
    social_worker, django_capture_on_commit_callbacks, pushed
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        notify_then_fail(social_worker)
    assert callbacks == []
    assert pushed == []
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "reference",
    ["Jane Smith", "r-2026-0042", "R-2026-0042 Jane", "R 2026", "", "R-" + "9" * 40, "{x}"],
)
def test_anything_but_a_reference_is_refused_without_echoing_it(social_worker, reference) -> None:
    with pytest.raises(UnsafeNotification) as refused:
        notify([social_worker], NotificationKind.REFERRAL_SENT, reference=reference)
    if reference:
        assert reference not in str(refused.value)
    assert not Notification.objects.exists()


def test_callers_cannot_write_their_own_text(social_worker) -> None:
    with pytest.raises(TypeError):
        notify([social_worker], NotificationKind.REFERRAL_SENT, reference="R-1", text="hi")  # type: ignore[call-arg]


def test_inactive_people_and_nobody_give_no_rows(social_worker, pushed) -> None:
    social_worker.is_active = False
    social_worker.save()
    assert notify([social_worker], NotificationKind.REVIEW_DUE, reference="CP-2026-0001") == []
    assert notify([], NotificationKind.REVIEW_DUE, reference="CP-2026-0001") == []
    assert not Notification.objects.exists()


def test_recipients_in_finds_active_role_holders_of_the_agency(
    social_services, other_agency, social_worker
) -> None:
    duty = member(social_services, Role.DUTY_MANAGER)
    ended = member(social_services, Role.DUTY_MANAGER)
    Membership.objects.filter(user=ended).update(is_active=False)
    member(other_agency, Role.DUTY_MANAGER)
    practitioner = member(social_services, Role.PRACTITIONER)
    both = member(social_services, Role.DUTY_MANAGER)
    member(social_services, Role.PRACTITIONER, username=both.username)  # a second role

    found = recipients_in(social_services, [Role.DUTY_MANAGER, Role.PRACTITIONER])
    assert sorted(u.pk for u in found) == sorted([duty.pk, both.pk, practitioner.pk])
    assert list(recipients_in([social_services.pk], [Role.SOCIAL_WORKER])) == [social_worker]


def test_mark_read_and_mark_all_read_tell_the_other_sockets(
    social_worker, agency_admin, django_capture_on_commit_callbacks, pushed
) -> None:
    first, second, third = (
        notify([social_worker], NotificationKind.REVIEW_DUE, reference=f"CP-2026-000{i}")[0]
        for i in range(3)
    )
    theirs = notify([agency_admin], NotificationKind.REVIEW_DUE, reference="CP-2026-0009")[0]
    pushed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        mark_read(first)
        mark_read(first)  # again: no second message
    assert pushed == [(social_worker.pk, {"type": "read", "ids": [first.pk]})]
    pushed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert mark_all_read(social_worker, up_to=second.pk) == 1
    assert pushed == [(social_worker.pk, {"type": "read", "ids": [second.pk]})]
    third.refresh_from_db()
    theirs.refresh_from_db()
    assert third.read_at is None
    assert theirs.read_at is None
    assert mark_all_read(social_worker) == 1
    assert mark_all_read(social_worker) == 0
