"""Risk assessments: scores 1-5, a level derived from the 5 x 5 matrix and never typed,
signed assessments immutable (service, API and database) and superseded by the next."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caseplans import risk, services
from caseplans.models import RiskAssessment, RiskItem
from consent.models import DataCategory
from tests.access import Call, assert_access
from tests.caseplans.conftest import MISSING, plan_url
from tests.factories import consent_given

pytestmark = pytest.mark.django_db

MITIGATION = "Mitigation canary 77aa: blocked the accounts."


def assessments_url(plan, suffix=""):
    return plan_url(plan, f"risk-assessments/{suffix}")


def in_days(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


def item(domain, before, after, mitigation=MITIGATION):
    return {
        "domain": domain,
        "likelihood": before[0],
        "severity": before[1],
        "residual_likelihood": after[0],
        "residual_severity": after[1],
        "mitigation": mitigation,
    }


def entry(domain, before, after):
    return services.RiskEntry(domain, before[0], before[1], after[0], after[1], MITIGATION)


@pytest.fixture
def draft(plan, lead):
    return services.start_assessment(
        plan,
        actor=lead,
        next_review_date=timezone.localdate() + timedelta(days=28),
        items=[entry("online_contact", (5, 5), (3, 4)), entry("self_harm", (2, 2), (1, 2))],
    )


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (1, "low"),
        (4, "low"),
        (5, "medium"),
        (9, "medium"),
        (10, "high"),
        (15, "high"),
        (16, "very_high"),
        (25, "very_high"),
    ],
)
def test_the_bands(score, level):
    assert risk.level_for_score(score) == level


def test_the_matrix_endpoint_draws_a_5_by_5_grid(client_for, officer):
    body = client_for(officer).get("/api/v1/case-plans/risk-matrix/").json()
    assert len(body["cells"]) == 25
    assert [a["value"] for a in body["likelihood"]] == [1, 2, 3, 4, 5]
    corner = next(c for c in body["cells"] if c["likelihood"] == 5 and c["severity"] == 5)
    assert (corner["score"], corner["level"]) == (25, "very_high")
    assert [band["level"] for band in body["bands"]] == ["low", "medium", "high", "very_high"]
    assert body["bands"][-1]["max"] == 25


def test_the_matrix_is_for_signed_in_staff(api_client):
    assert api_client.get("/api/v1/case-plans/risk-matrix/").status_code == 401


def test_draft_with_derived_levels(client_for, plan, lead):
    response = client_for(lead).post(
        assessments_url(plan),
        {
            "next_review_date": in_days(28),
            "items": [item("online_contact", (5, 5), (3, 4)), item("self_harm", (2, 2), (1, 2))],
            "overall_level": "low",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert (body["overall_score"], body["overall_level"]) == (12, "high"), "never typed"
    contact = next(i for i in body["items"] if i["domain"] == "online_contact")
    assert (contact["score"], contact["level"]) == (25, "very_high")
    assert (contact["residual_score"], contact["residual_level"]) == (12, "high")
    with connection.cursor() as cursor:
        cursor.execute("SELECT mitigation FROM caseplans_riskitem")
        assert all("canary" not in raw for (raw,) in cursor.fetchall())


@pytest.mark.parametrize(
    "bad",
    [
        item("online_contact", (6, 1), (1, 1)),
        item("online_contact", (0, 1), (0, 1)),
        item("online_contact", (2, 2), (3, 2)),
        item("no_such_domain", (2, 2), (1, 1)),
    ],
)
def test_scores_are_1_to_5_and_residual_never_above(client_for, plan, lead, bad):
    response = client_for(lead).post(
        assessments_url(plan), {"next_review_date": in_days(7), "items": [bad]}
    )
    assert response.status_code == 400
    assert not RiskAssessment.objects.exists()


def test_the_database_checks_the_scores(draft):
    contact = draft.items.get(domain="online_contact")
    self_harm = draft.items.get(domain="self_harm")
    for row, field, value in [
        (contact, "likelihood", 6),
        (contact, "severity", 0),
        (self_harm, "residual_severity", 3),
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            RiskItem.objects.filter(pk=row.pk).update(**{field: value})


def test_each_domain_once_and_a_review_date_to_come(client_for, plan, lead):
    client = client_for(lead)
    twice = [item("self_harm", (2, 2), (1, 1)), item("self_harm", (3, 3), (1, 1))]
    assert (
        client.post(
            assessments_url(plan), {"next_review_date": in_days(7), "items": twice}
        ).status_code
        == 400
    )
    assert client.post(assessments_url(plan), {"next_review_date": in_days(-1)}).status_code == 400


def test_one_draft_at_a_time(client_for, draft, lead):
    again = client_for(lead).post(assessments_url(draft.plan), {"next_review_date": in_days(7)})
    assert again.status_code == 409


def test_edit_the_draft_then_sign(client_for, draft, lead):
    client = client_for(lead)
    url = assessments_url(draft.plan, f"{draft.pk}/")
    edited = client.patch(url, {"items": [item("offender_contact", (4, 5), (2, 5))]})
    assert edited.status_code == 200, edited.json()
    assert [i["domain"] for i in edited.json()["items"]] == ["offender_contact"]
    assert edited.json()["overall_level"] == "high"
    signed = client.post(assessments_url(draft.plan, f"{draft.pk}/sign/"))
    assert signed.status_code == 200, signed.json()
    body = signed.json()
    assert body["status"] == "signed"
    assert body["signed_by"]["id"] == lead.pk
    assert body["is_current"] is True
    assert body["supersedes"] is None


def test_signing_needs_an_item(client_for, plan, lead):
    empty = services.start_assessment(
        plan, actor=lead, next_review_date=timezone.localdate() + timedelta(days=3)
    )
    response = client_for(lead).post(assessments_url(plan, f"{empty.pk}/sign/"))
    assert response.status_code == 400


def test_a_signed_assessment_is_immutable_and_superseded(client_for, draft, lead):
    client = client_for(lead)
    plan = draft.plan
    client.post(assessments_url(plan, f"{draft.pk}/sign/"))
    url = assessments_url(plan, f"{draft.pk}/")
    assert client.patch(url, {"next_review_date": in_days(3)}).status_code == 409
    assert client.patch(url, {"items": []}).status_code == 409
    assert client.post(assessments_url(plan, f"{draft.pk}/sign/")).status_code == 409
    scores = ("domain", "likelihood", "severity", "residual_likelihood", "residual_severity")
    before = list(RiskItem.objects.filter(assessment=draft).values(*scores))

    second = client.post(
        assessments_url(plan),
        {"next_review_date": in_days(14), "items": [item("online_contact", (3, 4), (2, 2))]},
    ).json()
    signed = client.post(assessments_url(plan, f"{second['id']}/sign/")).json()
    assert signed["supersedes"] == str(draft.pk)
    assert signed["is_current"] is True
    old = client.get(url).json()
    assert old["superseded_by"] == second["id"]
    assert old["is_current"] is False
    assert list(RiskItem.objects.filter(assessment=draft).values(*scores)) == before
    detail = client.get(plan_url(plan)).json()
    assert detail["risk_level"] == "low"
    assert detail["reassessment_due_on"] == in_days(14)


def test_the_database_refuses_to_change_a_signed_assessment(draft, lead):
    signed = services.sign_assessment(draft.plan, draft, actor=lead)
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskAssessment.objects.filter(pk=signed.pk).update(
            next_review_date=timezone.localdate() + timedelta(days=1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskItem.objects.filter(assessment=signed).update(residual_likelihood=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskItem.objects.create(
            assessment=signed,
            domain="other",
            likelihood=1,
            severity=1,
            residual_likelihood=1,
            residual_severity=1,
        )
    # Re-encrypting under a new key rewrites ciphertext only: still allowed.
    item_ = RiskItem.objects.filter(assessment=signed).first()
    item_.save(update_fields=["mitigation"])
    assert RiskItem.objects.get(pk=item_.pk).mitigation == MITIGATION


def test_risk_content_is_withheld_from_a_member_without_the_category(
    client_for, draft, officer_member, lead
):
    services.sign_assessment(draft.plan, draft, actor=lead)
    client = client_for(officer_member.user)
    listed = client.get(assessments_url(draft.plan)).json()["results"]
    assert listed[0]["status"] == "signed"
    for withheld in ("items", "summary", "overall_level", "overall_score"):
        assert withheld not in listed[0]
    plan = client.get(plan_url(draft.plan)).json()
    assert "risk_level" not in plan
    assert plan["withheld_categories"] == ["risk_assessment"]
    assert "goals" in plan, "the case plan itself was shared"


def test_risk_content_shown_once_the_category_is_shared(
    client_for, draft, officer, lead, social_services
):
    consent_given(
        draft.plan.child,
        lead,
        social_services,
        recipient_kinds=["police"],
        categories=[DataCategory.CASE_PLAN, DataCategory.RISK_ASSESSMENT],
        purposes=["support"],
    )
    services.add_member(
        draft.plan,
        actor=lead,
        user=officer,
        role="police_officer",
        categories=[DataCategory.RISK_ASSESSMENT],
    )
    body = client_for(officer).get(assessments_url(draft.plan, f"{draft.pk}/")).json()
    assert body["overall_level"] == "high"
    assert len(body["items"]) == 2


# --- access -----------------------------------------------------------------------------


def test_list_access(draft, officer_member, south_worker, demoted):
    assert_access(
        Call("get", assessments_url(draft.plan), missing_url=assessments_url(MISSING)),
        allowed=officer_member.user,
        outsider=south_worker,
        wrong_role=demoted,
    )


def test_retrieve_access(draft, lead, south_worker, demoted):
    suffix = f"{draft.pk}/"
    assert_access(
        Call(
            "get", assessments_url(draft.plan, suffix), missing_url=assessments_url(MISSING, suffix)
        ),
        allowed=lead,
        outsider=south_worker,
        wrong_role=demoted,
    )


def test_create_access(plan, lead, south_worker, officer_member):
    assert_access(
        Call(
            "post",
            assessments_url(plan),
            {"next_review_date": in_days(7)},
            assessments_url(MISSING),
        ),
        allowed=lead,
        outsider=south_worker,
        wrong_role=officer_member.user,
        unchanged=lambda: RiskAssessment.objects.count(),
    )


def test_update_access(draft, lead, south_worker, officer_member):
    suffix = f"{draft.pk}/"
    assert_access(
        Call(
            "patch",
            assessments_url(draft.plan, suffix),
            {"summary": "changed"},
            assessments_url(MISSING, suffix),
        ),
        allowed=lead,
        outsider=south_worker,
        wrong_role=officer_member.user,
        unchanged=lambda: RiskAssessment.objects.get(pk=draft.pk).summary,
    )


def test_sign_access(draft, lead, south_worker, officer_member):
    suffix = f"{draft.pk}/sign/"
    assert_access(
        Call("post", assessments_url(draft.plan, suffix), {}, assessments_url(MISSING, suffix)),
        allowed=lead,
        outsider=south_worker,
        wrong_role=officer_member.user,
        unchanged=lambda: RiskAssessment.objects.values("status").get(pk=draft.pk),
    )


def test_assessment_list_queries_do_not_grow(client_for, plan, lead):
    client = client_for(lead)

    def add_signed() -> None:
        made = services.start_assessment(
            plan,
            actor=lead,
            next_review_date=timezone.localdate() + timedelta(days=7),
            items=[entry("self_harm", (3, 3), (2, 2)), entry("home_and_family", (2, 2), (1, 1))],
        )
        services.sign_assessment(plan, made, actor=lead)

    add_signed()
    client.get(assessments_url(plan))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(assessments_url(plan)).status_code == 200
        return len(queries)

    few = count()
    for _ in range(3):
        add_signed()
    assert count() == few
