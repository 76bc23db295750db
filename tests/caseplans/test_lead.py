"""Handing the lead over: one lead at every moment, history kept, access follows the team."""

import itertools
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.models import Role
from caseplans.models import CasePlan, LeadAssignment, PlanEvent, TeamMember
from notifications.models import Notification
from tests.access import Call, assert_access
from tests.caseplans.conftest import MISSING, plan_url
from tests.factories import member

pytestmark = pytest.mark.django_db


def transfer(client, plan, to_user, **extra):
    return client.post(
        plan_url(plan, "transfer-lead/"),
        {"to_user": to_user.pk, "note": "Hand-over note: she trusts her teacher.", **extra},
    )


def test_transfer_lead_keeps_history_and_tells_both(client_for, plan, lead, colleague):
    response = transfer(client_for(lead), plan, colleague)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["lead"]["id"] == colleague.pk
    assert [entry["lead"]["id"] for entry in body["lead_history"]] == [lead.pk, colleague.pk]
    first, second = LeadAssignment.objects.filter(plan=plan).order_by("since")
    assert first.until == second.since
    assert second.until is None
    assert second.note == "Hand-over note: she trusts her teacher."
    assert CasePlan.objects.get(pk=plan.pk).lead == colleague
    assert TeamMember.objects.get(plan=plan, role="lead", ended_at__isnull=True).user == colleague
    assert Notification.objects.filter(recipient=colleague, kind="case_lead_assigned").exists()
    assert Notification.objects.filter(recipient=lead, kind="case_lead_transferred").exists()
    event = PlanEvent.objects.get(plan=plan, kind="lead_transferred")
    assert (event.person, event.by) == (colleague, lead)


def test_the_former_lead_loses_access_unless_kept_on_the_team(client_for, plan, lead, colleague):
    transfer(client_for(lead), plan, colleague)
    assert client_for(lead).get(plan_url(plan)).status_code == 404
    transfer(client_for(colleague), plan, lead, keep_on_team=True)
    assert client_for(colleague).get(plan_url(plan)).status_code == 200
    kept = TeamMember.objects.get(plan=plan, user=colleague, ended_at__isnull=True)
    assert kept.role == "social_worker"


def test_a_duty_manager_reassigns_the_lead(client_for, plan, duty_manager, colleague):
    assert transfer(client_for(duty_manager), plan, colleague).status_code == 200


def test_the_new_lead_must_be_an_active_social_worker_of_the_lead_agency(
    client_for, plan, lead, officer, duty_manager, social_services
):
    client = client_for(lead)
    for ineligible in (officer, duty_manager, member(social_services, Role.AGENCY_ADMIN)):
        response = transfer(client, plan, ineligible)
        assert response.status_code == 400
        assert "to_user" in response.json()["errors"]
    assert transfer(client, plan, lead).status_code == 409, "already the lead"
    assert client.post(plan_url(plan, "transfer-lead/"), {"to_user": lead.pk}).status_code == 400
    assert LeadAssignment.objects.filter(plan=plan).count() == 1


def test_transfer_access(plan, lead, colleague, south_worker, officer_member):
    assert_access(
        Call(
            "post",
            plan_url(plan, "transfer-lead/"),
            {"to_user": colleague.pk, "note": "Going on leave."},
            missing_url=plan_url(MISSING, "transfer-lead/"),
        ),
        allowed=lead,
        outsider=south_worker,
        wrong_role=officer_member.user,
        unchanged=lambda: CasePlan.objects.values("lead").get(pk=plan.pk),
    )
    assert CasePlan.objects.get(pk=plan.pk).lead == colleague


def test_the_database_keeps_one_current_assignment_and_one_lead_member(plan, lead, colleague):
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadAssignment.objects.create(
            plan=plan, lead=colleague, since=timezone.now(), assigned_by=lead
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamMember.objects.create(
            plan=plan,
            user=colleague,
            agency=plan.lead_agency,
            role="lead",
            started_at=timezone.now(),
            added_by=lead,
        )


# --- under concurrency (PostgreSQL row locks) ----------------------------------------------


def _race(plan: CasePlan, people: list, targets: list) -> list[int]:
    barrier = threading.Barrier(len(people))
    codes: list[int] = []
    lock = threading.Lock()

    def press(person: object, target: object) -> None:
        try:
            client = APIClient()
            client.force_login(person)
            barrier.wait(timeout=60)
            response = transfer(client, plan, target)
            with lock:
                codes.append(response.status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=press, args=pair) for pair in zip(people, targets, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def _assert_one_lead_at_every_moment(plan: CasePlan) -> None:
    assignments = list(LeadAssignment.objects.filter(plan=plan).order_by("since", "id"))
    assert sum(a.until is None for a in assignments) == 1
    for earlier, later in itertools.pairwise(assignments):
        assert earlier.until == later.since, "no gap and no overlap between leads"
    current = assignments[-1]
    assert CasePlan.objects.get(pk=plan.pk).lead_id == current.lead_id
    leads = TeamMember.objects.filter(plan=plan, role="lead", ended_at__isnull=True)
    assert list(leads.values_list("user_id", flat=True)) == [current.lead_id]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_concurrent_transfers_to_different_people_leave_one_lead(plan, social_services):
    managers = [member(social_services, Role.DUTY_MANAGER) for _ in range(8)]
    targets = [member(social_services, Role.SOCIAL_WORKER) for _ in range(8)]
    codes = _race(plan, managers, targets)
    assert codes == [200] * 8, "each hand-over waits its turn, none is lost"
    assert LeadAssignment.objects.filter(plan=plan).count() == 9
    _assert_one_lead_at_every_moment(plan)
    assert PlanEvent.objects.filter(plan=plan, kind="lead_transferred").count() == 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_concurrent_identical_transfers_one_wins(plan, social_services, colleague):
    managers = [member(social_services, Role.DUTY_MANAGER) for _ in range(10)]
    codes = _race(plan, managers, [colleague] * 10)
    assert sorted(codes) == [200] + [409] * 9
    assert LeadAssignment.objects.filter(plan=plan).count() == 2
    _assert_one_lead_at_every_moment(plan)
    assert CasePlan.objects.get(pk=plan.pk).lead == colleague
