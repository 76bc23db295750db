"""Plan actions: choosing a service refers through the referrals service, and the action's
status follows its referral; otherwise the plan's managers and the person responsible work it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from caseplans import services
from caseplans.models import PlanAction, PlanEvent
from consent.models import Disclosure
from pathways.vocabulary import NeedCategory
from referrals import services as referral_services
from referrals.models import Referral
from tests.access import Call, assert_access
from tests.caseplans.conftest import MISSING, plan_url

pytestmark = pytest.mark.django_db

DESCRIPTION = "Action canary 9b2a: interview at the specialist suite."


def actions_url(plan, suffix=""):
    return plan_url(plan, f"actions/{suffix}")


def referral_payload(service, **extra):
    return {
        "need_category": NeedCategory.POLICE_INVESTIGATION,
        "description": DESCRIPTION,
        "service": service.pk,
        "urgency": "within_24h",
        "concern": "Groomed online; the adult asked to meet her.",
        "purpose": "investigation",
        **extra,
    }


@pytest.fixture
def referred(plan, lead, investigation, team_consent):
    return services.add_action(
        plan,
        actor=lead,
        need_category=NeedCategory.POLICE_INVESTIGATION,
        description=DESCRIPTION,
        service=investigation,
        referral=services.ReferralRequest(
            urgency="within_24h", concern="Groomed online.", purpose="investigation"
        ),
    )


def test_an_action_without_a_service(client_for, plan, lead):
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client_for(lead).post(
        actions_url(plan),
        {
            "need_category": "family_support",
            "description": DESCRIPTION,
            "due_date": due,
            "responsible_person": lead.pk,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["due_date"], body["referral"]) == ("planned", due, None)
    assert body["responsible_person"]["id"] == lead.pk
    assert body["description"] == DESCRIPTION
    assert PlanEvent.objects.filter(plan=plan, kind="action_added").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM caseplans_planaction")
        (raw,) = cursor.fetchone()
    assert "canary 9b2a" not in raw


def test_the_responsible_person_must_be_on_the_team(client_for, plan, lead, officer):
    response = client_for(lead).post(
        actions_url(plan),
        {"need_category": "therapy", "description": "x", "responsible_person": officer.pk},
    )
    assert response.status_code == 400
    assert "responsible_person" in response.json()["errors"]


def test_choosing_a_service_refers_and_sends(client_for, plan, lead, investigation, team_consent):
    response = client_for(lead).post(actions_url(plan), referral_payload(investigation))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "referred"
    referral = Referral.objects.get(pk=body["referral"]["id"])
    assert referral.status == "sent"
    assert referral.from_agency == plan.lead_agency
    assert referral.child == plan.child
    assert referral.need_categories == [NeedCategory.POLICE_INVESTIGATION]
    assert body["responsible_agency"]["id"] == investigation.agency_id
    assert body["responsible_service"]["name"] == investigation.name
    assert (
        Disclosure.objects.get(pk=referral.disclosure_id).recipient_agency == investigation.agency
    )
    kinds = list(PlanEvent.objects.filter(plan=plan).values_list("kind", flat=True))
    assert kinds[-3:] == ["action_added", "action_referred", "action_updated"]


def test_a_draft_referral_when_not_sent(client_for, plan, lead, investigation):
    response = client_for(lead).post(actions_url(plan), referral_payload(investigation, send=False))
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "planned"
    assert response.json()["referral"]["status"] == "draft"


def test_a_refused_send_undoes_the_whole_action(client_for, plan, lead, investigation):
    response = client_for(lead).post(actions_url(plan), referral_payload(investigation))
    assert response.status_code == 409
    assert response.json()["code"] == "no_consent"
    assert not PlanAction.objects.exists()
    assert not Referral.objects.exists()
    assert not PlanEvent.objects.filter(kind__startswith="action").exists()


def test_a_service_needs_urgency_and_concern(client_for, plan, lead, investigation):
    response = client_for(lead).post(
        actions_url(plan),
        {"need_category": "therapy", "description": "x", "service": investigation.pk},
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"urgency", "concern"}


def test_the_action_follows_its_referral(referred, officer):
    referral = referred.referral
    steps = [
        ("acknowledge", "", "referred"),
        ("accept", "", "in_progress"),
        ("start", "", "in_progress"),
        ("hold", "Waiting for the interview.", "in_progress"),
        ("resume", "", "in_progress"),
        ("complete", "Outcome canary 3c4d: charged.", "done"),
    ]
    for name, note, expected in steps:
        referral_services.transition(referral, name, actor=officer, note=note)
        assert PlanAction.objects.get(pk=referred.pk).status == expected, name
    done = PlanAction.objects.get(pk=referred.pk)
    assert done.outcome == "", "nothing personal is copied from the referral"
    assert "canary" not in done.status_note
    assert referral.reference in done.status_note
    update = PlanEvent.objects.filter(plan=referred.plan, kind="action_updated").last()
    assert (update.by, update.by_agency, update.referral_id) == (
        officer,
        referral.to_agency,
        referral.pk,
    )
    assert AuditEvent.objects.filter(
        action="update", object_id=str(referred.pk), actor=officer
    ).exists()


@pytest.mark.parametrize(
    ("route", "actor"),
    [(["decline"], "officer"), (["cancel"], "lead"), (["accept", "fail"], "officer")],
)
def test_an_unsuccessful_referral_puts_the_action_back_to_planned(
    route, actor, referred, request, client_for, lead, investigation
):
    person = request.getfixturevalue(actor)
    for name in route:
        referral_services.transition(referred.referral, name, actor=person, note="Not our area.")
    back = PlanAction.objects.get(pk=referred.pk)
    assert back.status == "planned"
    assert referred.referral.reference in back.status_note
    again = client_for(lead).post(
        actions_url(referred.plan, f"{referred.pk}/refer/"),
        {"service": investigation.pk, "urgency": "within_72h", "concern": "Second try."},
    )
    assert again.status_code == 200, again.json()
    assert again.json()["status"] == "referred"
    assert again.json()["referral"]["id"] != str(referred.referral_id)
    assert PlanEvent.objects.filter(plan=referred.plan, kind="action_referred").count() == 2


def test_a_live_referral_cannot_be_referred_again_or_set_by_hand(
    client_for, referred, lead, investigation
):
    client = client_for(lead)
    refer = client.post(
        actions_url(referred.plan, f"{referred.pk}/refer/"),
        {"service": investigation.pk, "urgency": "within_72h", "concern": "Again."},
    )
    assert refer.status_code == 409
    manual = client.patch(
        actions_url(referred.plan, f"{referred.pk}/"), {"status": "done", "outcome": "x"}
    )
    assert manual.status_code == 409
    assert PlanAction.objects.get(pk=referred.pk).status == "referred"


def test_finishing_an_action_needs_an_outcome(client_for, plan, lead):
    action = services.add_action(plan, actor=lead, need_category="therapy", description="x")
    client = client_for(lead)
    url = actions_url(plan, f"{action.pk}/")
    assert client.patch(url, {"status": "not_needed"}).status_code == 400
    assert client.patch(url, {"status": "referred"}).status_code == 400
    done = client.patch(url, {"status": "not_needed", "outcome": "Already has a therapist."})
    assert done.status_code == 200
    assert done.json()["outcome"] == "Already has a therapist."


def test_the_responsible_person_reports_progress_but_changes_nothing_else(
    client_for, plan, lead, officer_member
):
    officer = officer_member.user
    action = services.add_action(
        plan,
        actor=lead,
        need_category="police_investigation",
        description="x",
        responsible_person=officer,
    )
    client = client_for(officer)
    url = actions_url(plan, f"{action.pk}/")
    assert client.patch(url, {"description": "changed"}).status_code == 403
    progress = client.patch(url, {"status": "in_progress"})
    assert progress.status_code == 200, progress.json()
    other = services.add_action(plan, actor=lead, need_category="therapy", description="y")
    assert (
        client.patch(actions_url(plan, f"{other.pk}/"), {"status": "in_progress"}).status_code
        == 403
    )


# --- access -----------------------------------------------------------------------------


def test_list_access(plan, lead, south_worker, demoted, officer_member):
    services.add_action(plan, actor=lead, need_category="therapy", description=DESCRIPTION)
    response = assert_access(
        Call("get", actions_url(plan), missing_url=actions_url(MISSING)),
        allowed=officer_member.user,
        outsider=south_worker,
        wrong_role=demoted,
    )
    assert [row["need_category"] for row in response.json()["results"]] == ["therapy"]


def test_retrieve_access(plan, lead, south_worker, demoted):
    action = services.add_action(plan, actor=lead, need_category="therapy", description="x")
    assert_access(
        Call(
            "get",
            actions_url(plan, f"{action.pk}/"),
            missing_url=actions_url(MISSING, f"{action.pk}/"),
        ),
        allowed=lead,
        outsider=south_worker,
        wrong_role=demoted,
    )


def test_create_access(plan, lead, south_worker, officer_member):
    assert_access(
        Call(
            "post",
            actions_url(plan),
            {"need_category": "therapy", "description": "x"},
            actions_url(MISSING),
        ),
        allowed=lead,
        outsider=south_worker,
        wrong_role=officer_member.user,
        unchanged=lambda: PlanAction.objects.count(),
    )


def test_update_access(plan, lead, south_worker, demoted):
    action = services.add_action(plan, actor=lead, need_category="therapy", description="x")
    assert_access(
        Call(
            "patch",
            actions_url(plan, f"{action.pk}/"),
            {"description": "changed"},
            actions_url(MISSING, f"{action.pk}/"),
        ),
        allowed=lead,
        outsider=south_worker,
        wrong_role=demoted,
        unchanged=lambda: PlanAction.objects.get(pk=action.pk).description,
    )


def test_refer_access(plan, lead, south_worker, officer_member, investigation):
    action = services.add_action(plan, actor=lead, need_category="therapy", description="x")
    assert_access(
        Call(
            "post",
            actions_url(plan, f"{action.pk}/refer/"),
            {"service": investigation.pk, "urgency": "routine", "concern": "x", "send": False},
            actions_url(MISSING, f"{action.pk}/refer/"),
        ),
        allowed=lead,
        outsider=south_worker,
        wrong_role=officer_member.user,
        unchanged=lambda: Referral.objects.count(),
    )


def test_action_list_queries_do_not_grow_with_actions(client_for, plan, lead, investigation):
    services.add_action(plan, actor=lead, need_category="therapy", description="x")
    client = client_for(lead)
    client.get(actions_url(plan))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(actions_url(plan)).status_code == 200
        return len(queries)

    few = count()
    for _ in range(4):
        services.add_action(
            plan,
            actor=lead,
            need_category="police_investigation",
            description="x",
            responsible_person=lead,
            responsible_agency=investigation.agency,
            service=investigation,
            referral=services.ReferralRequest(urgency="routine", concern="x", send=False),
        )
    assert count() == few
