"""Break-glass: a duty manager or DPO opens a child's record outside their normal access,
only with a recorded reason, for a limited time, audited, and reviewed by a DPO."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from governance.models import BreakGlassAccess, ReviewStatus
from notifications import sweeps
from notifications.models import Notification, NotificationKind
from tests.access import Call, assert_access
from tests.factories import child_record
from tests.governance.conftest import MISSING, REASON, break_glass_url

pytestmark = pytest.mark.django_db


def child_url(child: object) -> str:
    return f"/api/v1/children/{child.pk}/"


def review_url(grant: BreakGlassAccess | str, suffix: str = "review/") -> str:
    return f"/api/v1/break-glass/{getattr(grant, 'pk', grant)}/{suffix}"


def open_glass(client_for, person, child) -> dict:
    response = client_for(person).post(break_glass_url(child), {"reason": REASON})
    assert response.status_code == 201, response.json()
    return response.json()


def test_who_may_break_the_glass(duty_manager, social_worker, bystander, south_child):
    response = assert_access(
        Call("post", break_glass_url(south_child), {"reason": REASON}, break_glass_url(MISSING)),
        allowed=duty_manager,
        outsider=bystander,
        wrong_role=_seeing_social_worker(south_child),
        allowed_status=201,
    )
    body = response.json()
    assert body["child_reference"] == south_child.reference
    assert body["review_status"] == "pending"
    assert body["reason"] == REASON


def _seeing_social_worker(child):
    """A social worker of the agency keeping the record: sees it, may not break glass."""
    from agencies.models import Role
    from tests.factories import member

    return member(child.created_by_agency, Role.SOCIAL_WORKER)


def test_a_social_worker_learns_nothing_about_records_they_cannot_see(
    client_for, social_worker, south_child
):
    client = client_for(social_worker)
    hidden = client.post(break_glass_url(south_child), {"reason": REASON})
    missing = client.post(break_glass_url(MISSING), {"reason": REASON})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert not BreakGlassAccess.objects.exists()


def test_the_record_opens_in_full_for_that_person_only(
    client_for, duty_manager, social_worker, south_child
):
    assert client_for(duty_manager).get(child_url(south_child)).status_code == 404
    open_glass(client_for, duty_manager, south_child)

    opened = client_for(duty_manager).get(child_url(south_child))
    assert opened.status_code == 200
    assert opened.json()["given_name"] == "Noor", "the whole record, not the minimised one"
    listed = client_for(duty_manager).get("/api/v1/children/").json()["results"]
    assert south_child.reference in {row["reference"] for row in listed}
    assert client_for(social_worker).get(child_url(south_child)).status_code == 404
    view = AuditEvent.objects.filter(
        action=AuditAction.VIEW, actor=duty_manager, object_id=str(south_child.pk)
    )
    assert view.exists(), "every read during the access is on the audit trail"


def test_breaking_the_glass_is_audited_and_the_dpos_are_asked_to_review(
    client_for, duty_manager, dpo, second_dpo, south_dpo, south_child
):
    body = open_glass(client_for, duty_manager, south_child)
    event = AuditEvent.objects.get(action=AuditAction.GRANT, object_id=str(south_child.pk))
    assert event.actor == duty_manager
    assert event.details["break_glass"] == body["id"]
    assert event.details["role"] == "duty_manager"
    assert REASON not in str(event.details)

    told = Notification.objects.filter(kind=NotificationKind.BREAK_GLASS_REVIEW)
    assert set(told.values_list("recipient", flat=True)) == {dpo.pk, second_dpo.pk}
    assert set(told.values_list("reference", flat=True)) == {south_child.reference}
    assert set(told.values_list("object_id", flat=True)) == {body["id"]}


def test_access_ends_at_its_instant_without_any_sweep(
    client_for, settings, duty_manager, south_child
):
    settings.BREAK_GLASS_MINUTES = 30
    body = open_glass(client_for, duty_manager, south_child)
    grant = BreakGlassAccess.objects.get(pk=body["id"])
    assert grant.expires_at - grant.granted_at == timedelta(minutes=30)

    past = timezone.now() - timedelta(seconds=1)
    BreakGlassAccess.objects.filter(pk=grant.pk).update(
        granted_at=past - timedelta(minutes=30), expires_at=past
    )
    assert client_for(duty_manager).get(child_url(south_child)).status_code == 404
    again = client_for(duty_manager).post(break_glass_url(south_child), {"reason": REASON})
    assert again.status_code == 201, "a new emergency needs a new reason and a new review"


def test_glass_is_not_broken_when_not_needed(
    client_for, duty_manager, social_services, south_child
):
    own = child_record(social_services)
    refused = client_for(duty_manager).post(break_glass_url(own), {"reason": REASON})
    assert refused.status_code == 409

    open_glass(client_for, duty_manager, south_child)
    twice = client_for(duty_manager).post(break_glass_url(south_child), {"reason": REASON})
    assert twice.status_code == 409
    assert BreakGlassAccess.objects.count() == 1


def test_nobody_breaks_the_glass_without_someone_else_to_review_it(client_for, dpo, south_child):
    """``dpo`` is their agency's only DPO: the access could never be signed off."""
    refused = client_for(dpo).post(break_glass_url(south_child), {"reason": REASON})
    assert refused.status_code == 409
    assert not BreakGlassAccess.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.GRANT).exists()
    assert not Notification.objects.exists()
    assert client_for(dpo).get(child_url(south_child)).status_code == 404


def test_a_reason_is_required(client_for, duty_manager, south_child):
    client = client_for(duty_manager)
    assert client.post(break_glass_url(south_child), {}).status_code == 400
    assert client.post(break_glass_url(south_child), {"reason": "urgent"}).status_code == 400
    assert client.post(break_glass_url(MISSING), {"reason": REASON}).status_code == 404
    assert not BreakGlassAccess.objects.exists()


def test_dpos_see_pending_reviews_of_their_agency(
    client_for, duty_manager, dpo, south_dpo, south_child
):
    body = open_glass(client_for, duty_manager, south_child)
    pending = client_for(dpo).get("/api/v1/break-glass/", {"status": "pending"}).json()
    assert [row["id"] for row in pending["results"]] == [body["id"]]
    assert pending["results"][0]["reason"] == REASON
    done = client_for(dpo).get("/api/v1/break-glass/", {"status": "appropriate"}).json()
    assert done["results"] == []
    assert client_for(south_dpo).get("/api/v1/break-glass/").json()["results"] == []
    assert client_for(duty_manager).get("/api/v1/break-glass/").status_code == 403


def test_review_signs_the_access_off_once(client_for, duty_manager, dpo, south_dpo, south_child):
    grant = open_glass(client_for, duty_manager, south_child)
    response = assert_access(
        Call(
            "post",
            review_url(grant["id"]),
            {"outcome": "appropriate", "note": "Missing-person call."},
            review_url(MISSING),
        ),
        allowed=dpo,
        outsider=south_dpo,
        wrong_role=duty_manager,
        allowed_status=200,
    )
    body = response.json()
    assert body["review_status"] == "appropriate"
    assert body["reviewed_by"]["id"] == dpo.pk
    assert body["revoked_at"] is None
    assert client_for(duty_manager).get(child_url(south_child)).status_code == 200

    again = client_for(dpo).post(review_url(grant["id"]), {"outcome": "inappropriate", "note": "x"})
    assert again.status_code == 409
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=grant["id"]).get()
    assert event.details == {
        "review": "appropriate",
        "child": str(south_child.pk),
        "revoked": False,
    }


def test_inappropriate_access_ends_at_once_and_needs_a_note(
    client_for, duty_manager, dpo, south_child
):
    grant = open_glass(client_for, duty_manager, south_child)
    client = client_for(dpo)
    assert client.post(review_url(grant["id"]), {"outcome": "inappropriate"}).status_code == 400
    assert client.post(review_url(grant["id"]), {"outcome": "pending"}).status_code == 400
    response = client.post(
        review_url(grant["id"]), {"outcome": "inappropriate", "note": "Not an emergency."}
    )
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert client_for(duty_manager).get(child_url(south_child)).status_code == 404


def test_nobody_reviews_their_own_emergency_access(client_for, dpo, second_dpo, south_child):
    grant = open_glass(client_for, dpo, south_child)
    told = Notification.objects.filter(kind=NotificationKind.BREAK_GLASS_REVIEW)
    assert list(told.values_list("recipient", flat=True)) == [second_dpo.pk]

    assert (
        client_for(dpo).post(review_url(grant["id"]), {"outcome": "appropriate"}).status_code == 403
    )
    assert BreakGlassAccess.objects.get(pk=grant["id"]).review_status == ReviewStatus.PENDING
    assert (
        client_for(second_dpo).post(review_url(grant["id"]), {"outcome": "appropriate"}).status_code
        == 200
    )


def test_reviews_left_undone_are_asked_for_again_once(client_for, duty_manager, dpo, south_child):
    grant = open_glass(client_for, duty_manager, south_child)
    Notification.objects.all().delete()
    later = timezone.now() + timedelta(days=1, minutes=1)
    assert sweeps.run("governance.break_glass_reviews", now=later) == 1
    assert sweeps.run("governance.break_glass_reviews", now=later) == 0
    reminder = Notification.objects.get()
    assert (reminder.recipient, reminder.object_id) == (dpo, grant["id"])

    client_for(dpo).post(review_url(grant["id"]), {"outcome": "appropriate"})
    assert sweeps.run("governance.break_glass_reviews", now=later + timedelta(days=1)) == 0


def test_emergency_access_is_for_reading_never_for_passing_on(
    client_for, duty_manager, social_services, south_child, other_agency
):
    from agencies.models import Role
    from consent import services as consent_services
    from tests.factories import consent_given, member

    keeper = member(other_agency, Role.SOCIAL_WORKER)
    consent_given(
        south_child, keeper, other_agency, recipient_kinds=["social_services"], purposes=["support"]
    )
    open_glass(client_for, duty_manager, south_child)
    with pytest.raises(consent_services.SharingRefused) as refused:
        consent_services.share(
            child=south_child,
            recipient=social_services,
            categories=["identity"],
            purpose="support",
            actor=duty_manager,
            agency=social_services,
        )
    assert refused.value.reason == consent_services.Reason.CHILD_NOT_VISIBLE
