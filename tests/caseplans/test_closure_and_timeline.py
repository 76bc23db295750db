"""Closing (a reason, every action finished), reopening (why), and the plan's timeline."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caseplans import services
from caseplans.models import CasePlan, PlanEvent
from referrals import services as referral_services
from tests.access import Call, assert_access
from tests.caseplans.conftest import MISSING, plan_url
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_closing_needs_every_action_done_or_not_needed(client_for, plan, lead):
    action = services.add_action(plan, actor=lead, need_category="therapy", description="x")
    client = client_for(lead)
    blocked = client.post(plan_url(plan, "close/"), {"reason": "independent"})
    assert blocked.status_code == 409
    assert "1 action" in blocked.json()["detail"]
    assert CasePlan.objects.get(pk=plan.pk).status == "open"
    services.update_action(plan, action, actor=lead, status="done", outcome="Finished therapy.")
    closed = client.post(
        plan_url(plan, "close/"), {"reason": "independent", "note": "Living independently."}
    )
    assert closed.status_code == 200, closed.json()
    body = closed.json()
    assert (body["status"], body["closure_reason"]) == ("closed", "independent")
    assert body["closure_note"] == "Living independently."
    assert body["closed_at"] is not None
    assert body["available_transitions"] == ["reopen"]
    event = PlanEvent.objects.get(plan=plan, kind="closed")
    assert (event.to_value, event.note) == ("independent", "Living independently.")


def test_other_needs_a_note_and_closed_plans_take_no_changes(client_for, plan, lead, colleague):
    client = client_for(lead)
    assert client.post(plan_url(plan, "close/"), {"reason": "other"}).status_code == 400
    assert client.post(plan_url(plan, "close/"), {"reason": "no_such"}).status_code == 400
    client.post(plan_url(plan, "close/"), {"reason": "moved_area_transferred"})
    assert client.patch(plan_url(plan), {"phase": "recovery"}).status_code == 409
    assert (
        client.post(plan_url(plan, "team/"), {"user": colleague.pk, "role": "other"}).status_code
        == 409
    )
    assert client.post(plan_url(plan, "close/"), {"reason": "needs_met"}).status_code == 409


def test_reopen_records_why(client_for, plan, lead):
    client = client_for(lead)
    client.post(plan_url(plan, "close/"), {"reason": "needs_met"})
    assert client.post(plan_url(plan, "reopen/"), {"reason": ""}).status_code == 400
    reopened = client.post(plan_url(plan, "reopen/"), {"reason": "New disclosure to her school."})
    assert reopened.status_code == 200, reopened.json()
    body = reopened.json()
    assert (body["status"], body["closure_reason"], body["closed_at"]) == ("active", "", None)
    event = PlanEvent.objects.get(plan=plan, kind="reopened")
    assert event.note == "New disclosure to her school."


def test_reopen_refused_while_another_plan_is_live(client_for, plan, lead, social_services):
    services.close_plan(plan, actor=lead, reason="needs_met")
    services.open_plan(actor=lead, agency=social_services, child=plan.child)
    assert client_for(lead).post(plan_url(plan, "reopen/"), {"reason": "x"}).status_code == 409


def test_close_access(plan, lead, south_worker, officer_member):
    assert_access(
        Call(
            "post", plan_url(plan, "close/"), {"reason": "needs_met"}, plan_url(MISSING, "close/")
        ),
        allowed=lead,
        outsider=south_worker,
        wrong_role=officer_member.user,
        unchanged=lambda: CasePlan.objects.values("status").get(pk=plan.pk),
    )


def test_reopen_access(plan, lead, south_worker, officer_member):
    services.close_plan(plan, actor=lead, reason="needs_met")
    assert_access(
        Call("post", plan_url(plan, "reopen/"), {"reason": "x"}, plan_url(MISSING, "reopen/")),
        allowed=lead,
        outsider=south_worker,
        wrong_role=officer_member.user,
        unchanged=lambda: CasePlan.objects.values("status").get(pk=plan.pk),
    )


# --- timeline ---------------------------------------------------------------------------


@pytest.fixture
def lived_plan(plan, lead, colleague, officer, officer_member, investigation):
    """A plan with some history: an action referred and accepted, a phase change, a hand-over."""
    action = services.add_action(
        plan,
        actor=lead,
        need_category="police_investigation",
        description="Interview.",
        service=investigation,
        referral=services.ReferralRequest(
            urgency="within_24h", concern="x", purpose="investigation"
        ),
    )
    referral_services.transition(action.referral, "accept", actor=officer)
    services.update_plan(plan, actor=lead, phase="legal_proceedings")
    services.transfer_lead(plan, actor=lead, to_user=colleague, note="Hand-over canary 8d8d.")
    return plan


def test_timeline_is_one_chronological_feed(client_for, lived_plan, colleague):
    body = client_for(colleague).get(plan_url(lived_plan, "timeline/")).json()
    assert body["older"] is False
    entries = body["results"]
    times = [entry["at"] for entry in entries]
    assert times == sorted(times)
    kinds = [entry["kind"] for entry in entries]
    assert kinds == [
        "created",
        "member_added",
        "action_added",
        "referral_create",
        "action_referred",
        "referral_send",
        "action_updated",
        "referral_accept",
        "action_updated",
        "phase_changed",
        "lead_transferred",
    ]
    summaries = {entry["kind"]: entry["summary"] for entry in entries}
    assert summaries["phase_changed"] == "Phase changed from Investigation to Legal proceedings"
    assert summaries["referral_accept"].endswith("accepted")
    assert summaries["lead_transferred"].startswith("Lead handed over to ")
    handover = next(e for e in entries if e["kind"] == "lead_transferred")
    assert handover["note"] == "Hand-over canary 8d8d."


def test_timeline_pages_backwards(client_for, lived_plan, colleague):
    client = client_for(colleague)
    newest = client.get(plan_url(lived_plan, "timeline/"), {"limit": 4}).json()
    assert newest["older"] is True
    assert [e["kind"] for e in newest["results"]][-1] == "lead_transferred"
    older = client.get(
        plan_url(lived_plan, "timeline/"), {"limit": 100, "before": newest["results"][0]["at"]}
    ).json()
    assert older["older"] is False
    assert len(older["results"]) + 4 == 11
    assert client.get(plan_url(lived_plan, "timeline/"), {"before": "soon"}).status_code == 400
    for limit in ["²", "9" * 40, "501"]:
        refused = client.get(plan_url(lived_plan, "timeline/"), {"limit": limit})
        assert refused.status_code == 400, limit


def test_timeline_notes_need_the_case_plan_category(
    client_for, lived_plan, officer, officer_member
):
    from consent.models import Disclosure

    Disclosure.objects.filter(pk=officer_member.disclosure_id).update(categories=["identity"])
    entries = client_for(officer).get(plan_url(lived_plan, "timeline/")).json()["results"]
    assert entries, "the officer still sees the timeline itself"
    assert all("note" not in entry for entry in entries)


def test_timeline_access(demoted, lived_plan, colleague, south_worker):
    assert_access(
        Call("get", plan_url(lived_plan, "timeline/"), missing_url=plan_url(MISSING, "timeline/")),
        allowed=colleague,
        outsider=south_worker,
        wrong_role=demoted,
    )


def test_timeline_queries_do_not_grow_with_entries(client_for, plan, lead, social_services):
    client = client_for(lead)
    client.get(plan_url(plan, "timeline/"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(plan_url(plan, "timeline/")).status_code == 200
        return len(queries)

    few = count()
    for phase in ("legal_proceedings", "recovery", "investigation"):
        services.update_plan(plan, actor=lead, phase=phase)
        services.add_action(plan, actor=lead, need_category="therapy", description="x")
        services.add_member(plan, actor=lead, user=member(social_services), role="other")
    assert count() == few
