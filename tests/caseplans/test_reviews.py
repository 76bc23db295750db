"""Reviews: scheduled, recorded with attendees and decisions; overdue reviews and risk
re-assessments listed for the lead and the duty manager, and reminded by the sweep."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caseplans import services
from caseplans.models import PlanEvent, Review, RiskAssessment
from notifications import sweeps
from notifications.models import Notification
from tests.access import Call, assert_access
from tests.caseplans.conftest import MISSING, plan_url
from tests.factories import child_record

pytestmark = pytest.mark.django_db

DECISIONS = "Decisions canary 41fe: therapy after the interview."


def reviews_url(plan, suffix=""):
    return plan_url(plan, f"reviews/{suffix}")


def day(n: int):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def scheduled(plan, lead):
    return services.schedule_review(plan, actor=lead, scheduled_for=day(7))


def overdue(review: Review, days: int) -> Review:
    Review.objects.filter(pk=review.pk).update(scheduled_for=day(-days))
    return Review.objects.get(pk=review.pk)


def test_schedule_and_record_a_review(client_for, plan, lead, officer_member):
    client = client_for(lead)
    response = client.post(reviews_url(plan), {"scheduled_for": day(7).isoformat()})
    assert response.status_code == 201, response.json()
    review_id = response.json()["id"]
    assert client.post(reviews_url(plan), {"scheduled_for": day(9).isoformat()}).status_code == 409
    recorded = client.post(
        reviews_url(plan, f"{review_id}/record/"),
        {
            "attendees": [lead.pk, officer_member.user_id],
            "other_attendees": "Mila; her father",
            "decisions": DECISIONS,
            "next_review_date": day(28).isoformat(),
        },
    )
    assert recorded.status_code == 200, recorded.json()
    body = recorded.json()
    assert body["status"] == "held"
    assert body["held_on"] == day(0).isoformat()
    assert {a["id"] for a in body["attendees"]} == {lead.pk, officer_member.user_id}
    assert body["decisions"] == DECISIONS
    upcoming = Review.objects.get(plan=plan, status="scheduled")
    assert upcoming.scheduled_for == day(28)
    assert client.get(plan_url(plan)).json()["next_review_on"] == day(28).isoformat()
    kinds = list(
        PlanEvent.objects.filter(plan=plan, kind__startswith="review").values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["review_scheduled", "review_held", "review_scheduled"]
    again = client.post(reviews_url(plan, f"{review_id}/record/"), {"decisions": "x"})
    assert again.status_code == 409
    with connection.cursor() as cursor:
        cursor.execute("SELECT decisions, other_attendees FROM caseplans_review")
        assert all(
            "canary" not in str(row) and "father" not in str(row) for row in cursor.fetchall()
        )


def test_recording_needs_decisions_team_attendees_and_sensible_dates(
    client_for, scheduled, lead, officer
):
    client = client_for(lead)
    url = reviews_url(scheduled.plan, f"{scheduled.pk}/record/")
    assert client.post(url, {"decisions": ""}).status_code == 400
    assert client.post(url, {"decisions": "x", "attendees": [officer.pk]}).status_code == 400
    future = {"decisions": "x", "held_on": day(1).isoformat()}
    assert client.post(url, future).status_code == 400
    backwards = {"decisions": "x", "next_review_date": day(-1).isoformat()}
    assert client.post(url, backwards).status_code == 400
    assert Review.objects.get(pk=scheduled.pk).status == "scheduled"


def test_decisions_are_withheld_without_the_case_plan_category(
    client_for, scheduled, lead, duty_manager
):
    services.record_review(scheduled.plan, scheduled, actor=lead, decisions=DECISIONS)
    seen = client_for(duty_manager).get(reviews_url(scheduled.plan)).json()["results"]
    assert seen[0]["decisions"] == DECISIONS, "the lead agency's duty manager sees it all"


@pytest.fixture
def second_plan(lead, social_services):
    child = child_record(social_services, by=lead)
    return services.open_plan(actor=lead, agency=social_services, child=child)


def test_overdue_reviews_and_reassessments_for_the_lead_and_duty_manager(
    client_for, plan, second_plan, scheduled, lead, duty_manager, officer_member, colleague
):
    overdue(scheduled, 2)
    assessment = services.start_assessment(
        second_plan,
        actor=lead,
        next_review_date=day(3),
        items=[services.RiskEntry("self_harm", 2, 2, 1, 1)],
    )
    RiskAssessment.objects.filter(pk=assessment.pk).update(next_review_date=day(-1))
    services.sign_assessment(second_plan, assessment, actor=lead)
    for person in (lead, duty_manager):
        rows = client_for(person).get("/api/v1/case-plans/due/").json()["results"]
        by_id = {row["id"]: row for row in rows}
        assert set(by_id) == {str(plan.pk), str(second_plan.pk)}
        assert by_id[str(plan.pk)]["review_overdue"] is True
        assert by_id[str(plan.pk)]["next_review_on"] == day(-2).isoformat()
        assert by_id[str(second_plan.pk)]["reassessment_overdue"] is True
    assert client_for(officer_member.user).get("/api/v1/case-plans/due/").status_code == 403
    services.add_member(plan, actor=lead, user=colleague, role="social_worker")
    assert client_for(colleague).get("/api/v1/case-plans/due/").json()["count"] == 0
    listed = client_for(lead).get("/api/v1/case-plans/?overdue=true").json()["results"]
    assert {row["id"] for row in listed} == {str(plan.pk), str(second_plan.pk)}
    services.close_plan(second_plan, actor=lead, reason="needs_met")
    assert client_for(lead).get("/api/v1/case-plans/due/").json()["count"] == 1


def test_the_sweep_reminds_the_lead_once_then_escalates(plan, scheduled, lead, duty_manager):
    due = datetime.combine(scheduled.scheduled_for, time.min, tzinfo=UTC)
    assert sweeps.run("caseplans.reviews", now=due - timedelta(days=2)) == 0
    assert sweeps.run("caseplans.reviews", now=due - timedelta(hours=12)) == 1
    assert sweeps.run("caseplans.reviews", now=due - timedelta(hours=11)) == 0
    assert sweeps.run("caseplans.reviews", now=due + timedelta(hours=1)) == 0, "once per date"
    reminder = Notification.objects.get(recipient=lead, kind="review_due")
    assert reminder.reference == plan.reference
    assert reminder.object_id == str(plan.pk)
    assert sweeps.run("caseplans.reviews", now=due + timedelta(days=8)) == 1
    assert Notification.objects.filter(recipient=duty_manager, kind="escalation").exists()
    assert sweeps.run("caseplans.reviews", now=due + timedelta(days=8)) == 0


def test_the_sweep_reminds_of_a_risk_reassessment(plan, lead):
    assessment = services.start_assessment(
        plan, actor=lead, next_review_date=day(5), items=[services.RiskEntry("other", 1, 1, 1, 1)]
    )
    services.sign_assessment(plan, assessment, actor=lead)
    due = datetime.combine(day(5), time.min, tzinfo=UTC)
    assert sweeps.run("caseplans.reviews", now=due) == 1
    assert Notification.objects.filter(recipient=lead, kind="risk_reassessment_due").exists()
    services.close_plan(plan, actor=lead, reason="needs_met")
    assert sweeps.run("caseplans.reviews", now=due + timedelta(days=8)) == 0, "closed plans rest"


# --- access -----------------------------------------------------------------------------


def test_list_access(scheduled, officer_member, south_worker, demoted):
    response = assert_access(
        Call("get", reviews_url(scheduled.plan), missing_url=reviews_url(MISSING)),
        allowed=officer_member.user,
        outsider=south_worker,
        wrong_role=demoted,
    )
    assert [row["id"] for row in response.json()["results"]] == [str(scheduled.pk)]


def test_retrieve_access(scheduled, lead, south_worker, demoted):
    suffix = f"{scheduled.pk}/"
    assert_access(
        Call("get", reviews_url(scheduled.plan, suffix), missing_url=reviews_url(MISSING, suffix)),
        allowed=lead,
        outsider=south_worker,
        wrong_role=demoted,
    )


def test_schedule_access(plan, lead, south_worker, officer_member):
    assert_access(
        Call(
            "post", reviews_url(plan), {"scheduled_for": day(3).isoformat()}, reviews_url(MISSING)
        ),
        allowed=lead,
        outsider=south_worker,
        wrong_role=officer_member.user,
        unchanged=lambda: Review.objects.count(),
    )


def test_record_access(scheduled, lead, south_worker, officer_member):
    suffix = f"{scheduled.pk}/record/"
    assert_access(
        Call(
            "post",
            reviews_url(scheduled.plan, suffix),
            {"decisions": "x"},
            reviews_url(MISSING, suffix),
        ),
        allowed=lead,
        outsider=south_worker,
        wrong_role=officer_member.user,
        unchanged=lambda: Review.objects.values("status").get(pk=scheduled.pk),
    )


def test_due_access(client_for, agency_admin, api_client):
    assert client_for(agency_admin).get("/api/v1/case-plans/due/").status_code == 403
    assert api_client.get("/api/v1/case-plans/due/").status_code == 401


def test_review_and_due_lists_do_not_grow_in_queries(client_for, plan, lead, social_services):
    client = client_for(lead)

    def add_held_review(target) -> None:
        review = services.schedule_review(target, actor=lead, scheduled_for=day(1))
        services.record_review(
            target, overdue(review, 1), actor=lead, decisions="x", held_on=day(-1), attendees=[lead]
        )

    def add_overdue_plan() -> None:
        target = services.open_plan(
            actor=lead, agency=social_services, child=child_record(social_services, by=lead)
        )
        overdue(services.schedule_review(target, actor=lead, scheduled_for=day(1)), 3)

    add_held_review(plan)
    add_overdue_plan()
    urls = [reviews_url(plan), "/api/v1/case-plans/due/"]
    for url in urls:
        client.get(url)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = {url: count(url) for url in urls}
    for _ in range(3):
        add_held_review(plan)
        add_overdue_plan()
    assert {url: count(url) for url in urls} == few
