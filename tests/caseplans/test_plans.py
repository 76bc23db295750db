"""Opening a case plan (directly or from an accepted referral), its lead, phase and status."""

import pytest
from django.db import IntegrityError, connection, transaction

from agencies import services as agency_services
from agencies.models import Membership, Role
from audit.models import AuditEvent
from caseplans import services
from caseplans.models import CasePlan, LeadAssignment, PlanEvent, TeamMember
from notifications.models import Notification
from referrals import services as referral_services
from referrals.models import Referral
from tests.access import Call, assert_access
from tests.caseplans.conftest import GOALS, MISSING, plan_url
from tests.factories import consent_given, member

pytestmark = pytest.mark.django_db


def test_open_a_plan_directly(client_for, lead, young_person):
    response = client_for(lead).post(
        "/api/v1/case-plans/",
        {"child": str(young_person.pk), "phase": "immediate", "goals": GOALS},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"].startswith("CP-")
    assert body["status"] == "open"
    assert body["phase"] == "immediate"
    assert body["lead"]["id"] == lead.pk
    assert body["goals"] == GOALS
    assert body["child"]["given_name"] == "Mila"
    assert body["can_manage"] is True
    assert body["available_transitions"] == ["activate", "close"]
    plan = CasePlan.objects.get(pk=body["id"])
    assert LeadAssignment.objects.get(plan=plan, until__isnull=True).lead == lead
    assert TeamMember.objects.get(plan=plan, ended_at__isnull=True).role == "lead"
    assert PlanEvent.objects.get(plan=plan).kind == "created"
    assert AuditEvent.objects.filter(action="create", object_id=str(plan.pk)).exists()


def test_the_database_rejects_a_plan_without_a_lead(plan):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE caseplans_caseplan SET lead_id = NULL WHERE id = %s",
            [plan.pk.hex if connection.vendor == "sqlite" else plan.pk],
        )
    orphan = CasePlan(
        reference="CP-2000-0001",
        child=plan.child,
        lead_agency=plan.lead_agency,
        created_by=plan.created_by,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        orphan.save()


def test_goals_are_encrypted_at_rest(plan):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT goals FROM caseplans_caseplan WHERE id = %s",
            [plan.pk.hex if connection.vendor == "sqlite" else plan.pk],
        )
        (raw,) = cursor.fetchone()
    assert "canary 5e1d" not in raw
    assert CasePlan.objects.get(pk=plan.pk).goals == GOALS


def test_create_access(client_for, lead, young_person, south_worker, agency_admin):
    payload = {"child": str(young_person.pk)}
    hidden = client_for(south_worker).post("/api/v1/case-plans/", payload)
    missing = client_for(south_worker).post("/api/v1/case-plans/", {"child": MISSING})
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == missing.json(), "a hidden child must look exactly like a missing one"
    assert client_for(agency_admin).post("/api/v1/case-plans/", payload).status_code == 403
    assert not CasePlan.objects.exists()
    assert client_for(lead).post("/api/v1/case-plans/", payload).status_code == 201


def test_the_lead_is_a_social_worker_of_the_lead_agency(
    client_for, lead, duty_manager, colleague, officer, young_person
):
    refused = client_for(lead).post(
        "/api/v1/case-plans/", {"child": str(young_person.pk), "lead": officer.pk}
    )
    assert refused.status_code == 400
    assert "lead" in refused.json()["errors"]
    by_manager = client_for(duty_manager).post(
        "/api/v1/case-plans/", {"child": str(young_person.pk), "lead": colleague.pk}
    )
    assert by_manager.status_code == 201, by_manager.json()
    assert by_manager.json()["lead"]["id"] == colleague.pk
    assert Notification.objects.filter(recipient=colleague, kind="case_lead_assigned").exists()


def test_one_live_plan_per_child_and_lead_agency(client_for, lead, plan, young_person):
    response = client_for(lead).post("/api/v1/case-plans/", {"child": str(young_person.pk)})
    assert response.status_code == 409
    assert CasePlan.objects.count() == 1


def test_open_from_an_accepted_referral_links_it(client_for, lead, referral_to_us):
    client = client_for(lead)
    early = client.post("/api/v1/case-plans/", {"referral": str(referral_to_us.pk)})
    assert early.status_code == 409, "not before the referral is accepted"
    referral_services.transition(referral_to_us, "accept", actor=lead)
    response = client.post("/api/v1/case-plans/", {"referral": str(referral_to_us.pk)})
    assert response.status_code == 201, response.json()
    plan = CasePlan.objects.get(pk=response.json()["id"])
    assert plan.child_id == referral_to_us.child_id
    assert Referral.objects.get(pk=referral_to_us.pk).case_plan == plan
    assert response.json()["source_referral"]["reference"] == referral_to_us.reference
    again = client.post("/api/v1/case-plans/", {"referral": str(referral_to_us.pk)})
    assert again.status_code == 409


def test_only_the_receiving_agency_opens_a_plan_from_a_referral(
    client_for, referral_to_us, lead, south_worker
):
    referral_services.transition(referral_to_us, "accept", actor=lead)
    response = client_for(south_worker).post(
        "/api/v1/case-plans/", {"referral": str(referral_to_us.pk)}
    )
    assert response.status_code == 400, "a referral the caller cannot see does not exist"
    assert not CasePlan.objects.exists()


def test_phase_change_is_recorded(client_for, lead, plan):
    response = client_for(lead).patch(plan_url(plan), {"phase": "legal_proceedings"})
    assert response.status_code == 200, response.json()
    assert response.json()["phase"] == "legal_proceedings"
    change = PlanEvent.objects.get(plan=plan, kind="phase_changed")
    assert (change.from_value, change.to_value, change.by) == (
        "investigation",
        "legal_proceedings",
        lead,
    )
    assert AuditEvent.objects.filter(action="update", object_id=str(plan.pk)).exists()


def test_status_machine(client_for, lead, plan):
    client = client_for(lead)
    assert client.post(plan_url(plan, "activate/")).json()["status"] == "active"
    assert client.post(plan_url(plan, "activate/")).status_code == 409
    assert client.post(plan_url(plan, "reopen/"), {"reason": "x"}).status_code == 409
    kinds = list(PlanEvent.objects.filter(plan=plan).values_list("kind", flat=True))
    assert kinds == ["created", "activated"]


def test_status_is_protected(plan):
    with pytest.raises(AttributeError):
        plan.status = "closed"


# --- access -----------------------------------------------------------------------------


def test_retrieve_access(plan, lead, south_worker, demoted):
    response = assert_access(
        Call("get", plan_url(plan), missing_url=plan_url(MISSING)),
        allowed=lead,
        outsider=south_worker,
        wrong_role=demoted,
    )
    assert response.json()["reference"] == plan.reference
    assert AuditEvent.objects.filter(action="view", object_id=str(plan.pk)).exists()


def test_partial_update_access(plan, lead, south_worker, officer_member):
    assert_access(
        Call("patch", plan_url(plan), {"phase": "recovery"}, missing_url=plan_url(MISSING)),
        allowed=lead,
        outsider=south_worker,
        wrong_role=officer_member.user,
        unchanged=lambda: CasePlan.objects.values("phase").get(pk=plan.pk),
    )
    assert CasePlan.objects.get(pk=plan.pk).phase == "recovery"


def test_a_team_member_who_does_not_manage_cannot_change_the_plan(
    client_for, plan, colleague, lead
):
    services.add_member(plan, actor=lead, user=colleague, role="social_worker")
    response = client_for(colleague).patch(plan_url(plan), {"phase": "recovery"})
    assert response.status_code == 403
    assert client_for(colleague).get(plan_url(plan)).json()["can_manage"] is False


@pytest.mark.parametrize("name", ["activate"])
def test_transition_access(name, plan, lead, south_worker, officer_member):
    assert_access(
        Call("post", plan_url(plan, f"{name}/"), {}, missing_url=plan_url(MISSING, f"{name}/")),
        allowed=lead,
        outsider=south_worker,
        wrong_role=officer_member.user,
        unchanged=lambda: CasePlan.objects.values("status").get(pk=plan.pk),
    )


# --- the concern narrative of the referral the plan came from ---------------------------


@pytest.fixture
def plan_from_referral(lead, social_services, referral_to_us):
    referral_services.transition(referral_to_us, "accept", actor=lead)
    return services.open_plan(actor=lead, agency=social_services, referral=referral_to_us)


def test_the_lead_reads_the_source_referrals_concern_on_asking(
    client_for, lead, plan_from_referral
):
    client = client_for(lead)
    assert client.get(plan_url(plan_from_referral)).json()["concern_available"] is True
    response = client.get(plan_url(plan_from_referral, "concern/"))
    assert response.status_code == 200
    assert response.json() == {"concern": "Disclosed online grooming."}
    reading = AuditEvent.objects.get(action="view", details__field="concern")
    assert reading.object_id == str(plan_from_referral.source_referral_id)
    assert reading.details["case_plan"] == plan_from_referral.reference


def test_a_member_without_the_narrative_is_refused_it(
    client_for, lead, officer, plan_from_referral
):
    consent_given(
        plan_from_referral.child,
        lead,
        plan_from_referral.lead_agency,
        categories=["case_plan"],
        purposes=["support"],
    )
    services.add_member(plan_from_referral, actor=lead, user=officer, role="police_officer")
    client = client_for(officer)
    assert client.get(plan_url(plan_from_referral)).json()["concern_available"] is False
    refused = client.get(plan_url(plan_from_referral, "concern/"))
    assert refused.status_code == 403
    assert "Disclosed online grooming" not in refused.content.decode()
    assert not AuditEvent.objects.filter(action="view", details__field="concern").exists()


def test_a_plan_opened_directly_has_no_concern_to_read(client_for, lead, plan):
    client = client_for(lead)
    assert client.get(plan_url(plan)).json()["concern_available"] is False
    assert client.get(plan_url(plan, "concern/")).status_code == 404


def test_concern_access(plan_from_referral, lead, south_worker, social_services):
    demoted = member(social_services, Role.AGENCY_ADMIN)
    agency_services.add_membership(
        agency=social_services, user=demoted, role=Role.SOCIAL_WORKER, by=None
    )
    services.add_member(plan_from_referral, actor=lead, user=demoted, role="social_worker")
    agency_services.end_membership(
        Membership.objects.get(user=demoted, agency=social_services, role=Role.SOCIAL_WORKER),
        by=None,
    )
    assert_access(
        Call(
            "get",
            plan_url(plan_from_referral, "concern/"),
            missing_url=plan_url(MISSING, "concern/"),
        ),
        allowed=lead,
        outsider=south_worker,
        wrong_role=demoted,
    )
