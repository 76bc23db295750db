"""Who sees a plan (the case team and the lead agency's duty managers, nobody else: 404),
what each of them sees of it, and that reads are audited at a constant cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies import services as agency_services
from agencies.models import Membership, Role
from audit.models import AuditEvent
from caseplans import services
from caseplans.selectors import leads_child
from referrals import services as referral_services
from tests.caseplans.conftest import GOALS, plan_url
from tests.factories import child_record, member

pytestmark = pytest.mark.django_db


def test_who_sees_the_plan(
    client_for,
    plan,
    lead,
    officer_member,
    duty_manager,
    colleague,
    agency_admin,
    ss_dpo,
    police,
    police_duty_manager,
    south_worker,
):
    seen = {lead: 200, officer_member.user: 200, duty_manager: 200}
    hidden = [
        colleague,  # a social worker of the lead agency, not on the team
        ss_dpo,
        agency_admin,
        member(police, Role.PRACTITIONER),  # the officer's colleague
        police_duty_manager,
        south_worker,
    ]
    missing = client_for(south_worker).get(plan_url("00000000-0000-0000-0000-000000000000"))
    for person, code in seen.items():
        assert client_for(person).get(plan_url(plan)).status_code == code
    for person in hidden:
        response = client_for(person).get(plan_url(plan))
        assert response.status_code == 404, person
        assert response.json() == missing.json()
        for part in ("team/", "actions/", "risk-assessments/", "reviews/", "timeline/"):
            assert client_for(person).get(plan_url(plan, part)).status_code == 404


def test_duty_managers_see_by_their_role_now(client_for, plan, duty_manager, social_services):
    client = client_for(duty_manager)
    assert client.get(plan_url(plan)).status_code == 200
    agency_services.end_membership(
        Membership.objects.get(user=duty_manager, role=Role.DUTY_MANAGER), by=None
    )
    agency_services.add_membership(
        agency=social_services, user=duty_manager, role=Role.PRACTITIONER, by=None
    )
    assert client_for(duty_manager).get(plan_url(plan)).status_code == 404
    newcomer = member(social_services, Role.DUTY_MANAGER)
    assert client_for(newcomer).get(plan_url(plan)).status_code == 200


def test_lists_show_only_what_each_person_sees(
    client_for, plan, lead, officer_member, duty_manager, colleague, south_worker, social_services
):
    other = services.open_plan(
        actor=colleague, agency=social_services, child=child_record(social_services, by=colleague)
    )

    def listed(person) -> set[str]:
        return {
            row["id"] for row in client_for(person).get("/api/v1/case-plans/").json()["results"]
        }

    assert listed(lead) == {str(plan.pk)}
    assert listed(colleague) == {str(other.pk)}
    assert listed(duty_manager) == {str(plan.pk), str(other.pk)}
    assert listed(officer_member.user) == {str(plan.pk)}
    assert listed(south_worker) == set()
    mine = client_for(duty_manager).get("/api/v1/case-plans/", {"mine": "true"}).json()
    assert mine["count"] == 0
    closed = client_for(lead).get("/api/v1/case-plans/", {"status": "closed"}).json()
    assert closed["count"] == 0
    event = AuditEvent.objects.filter(action="list", actor=lead).last()
    assert event.details["ids"] == [str(plan.pk)]


def test_list_needs_a_case_role(client_for, plan, agency_admin, api_client):
    assert client_for(agency_admin).get("/api/v1/case-plans/").status_code == 403
    assert api_client.get("/api/v1/case-plans/").status_code == 401


def test_a_police_member_sees_only_what_was_disclosed(client_for, plan, officer_member, lead):
    body = client_for(officer_member.user).get(plan_url(plan)).json()
    assert body["goals"] == GOALS, "the case plan category was shared"
    assert body["withheld_categories"] == ["risk_assessment"]
    assert body["can_manage"] is False
    assert body["available_transitions"] == []
    child = body["child"]
    assert "given_name" not in child, "the child's identity was not shared with the police"
    assert "phone" not in child
    assert set(child["withheld_categories"]) == {"identity", "contact"}
    lead_view = client_for(lead).get(plan_url(plan)).json()
    assert lead_view["child"]["given_name"] == "Mila"
    assert lead_view["withheld_categories"] == []


def test_plan_list_queries_do_not_grow_with_plans(client_for, lead, duty_manager, social_services):
    def add_plan() -> None:
        plan = services.open_plan(
            actor=lead, agency=social_services, child=child_record(social_services, by=lead)
        )
        services.schedule_review(plan, actor=lead, scheduled_for=plan.created_at.date())

    add_plan()
    clients = [client_for(lead), client_for(duty_manager)]
    for client in clients:
        client.get("/api/v1/case-plans/")

    def counts() -> list[int]:
        found = []
        for client in clients:
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/api/v1/case-plans/").status_code == 200
            found.append(len(queries))
        return found

    few = counts()
    for _ in range(4):
        add_plan()
    assert counts() == few


def test_the_case_lead_reads_who_knows_what_about_the_child(
    client_for, referral_to_us, lead, colleague
):
    referral_services.transition(referral_to_us, "accept", actor=lead)
    child = referral_to_us.child
    url = f"/api/v1/children/{child.pk}/disclosures/"
    assert client_for(lead).get(url).status_code == 403, "not before leading a plan"
    plan = services.open_plan(actor=lead, agency=referral_to_us.to_agency, referral=referral_to_us)
    assert leads_child(lead, child)
    response = client_for(lead).get(url)
    assert response.status_code == 200
    assert response.json()["child_reference"] == child.reference
    assert client_for(colleague).get(url).status_code == 403, "only the lead, not every colleague"
    services.transfer_lead(plan, actor=lead, to_user=colleague, note="Leave.")
    assert client_for(colleague).get(url).status_code == 200
