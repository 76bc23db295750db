"""Matching: pathway steps first in order, then fitting services; closed never first."""

import pytest

from agencies.models import AgencyKind
from pathways.selectors import match_services
from pathways.vocabulary import IntakeStatus, NeedCategory, Urgency
from tests.pathways.conftest import make_pathway, make_service

pytestmark = pytest.mark.django_db

NEED = NeedCategory.POLICE_INVESTIGATION


def names(results):
    return [r.service.name for r in results]


def test_pathway_steps_come_first_in_step_order_then_fitting_services(
    social_services, police, ngo, north
):
    unit = make_service(police, "Investigation Unit", [NEED], acknowledge_immediate_hours=1)
    advocacy = make_service(ngo, "Advocacy", [NeedCategory.LEGAL_ADVOCACY])
    slow = make_service(ngo, "Slow Support", [NEED], acknowledge_immediate_hours=8)
    quick = make_service(ngo, "Quick Support", [NEED], acknowledge_immediate_hours=2)
    waiting = make_service(ngo, "Waiting Support", [NEED], intake_status=IntakeStatus.WAITLIST)
    make_pathway(social_services, [(advocacy, 4), (unit, 1)])

    results = match_services(need=NEED, urgency=Urgency.IMMEDIATE, age=12, region="north")

    assert names(results) == [
        advocacy.name,  # pathway step 1, even though it is not indexed under the need
        unit.name,  # pathway step 2
        quick.name,  # then open services, quickest to acknowledge first
        slow.name,
        waiting.name,  # waiting lists after open services
    ]
    assert [r.rank for r in results] == [1, 2, 3, 4, 5]
    assert [r.source for r in results] == [
        "pathway",
        "pathway",
        "directory",
        "directory",
        "directory",
    ]
    assert [r.step for r in results[:2]] == [1, 2]
    assert [r.response_hours for r in results[:3]] == [4, 1, 2]


def test_closed_services_are_never_first_even_as_a_pathway_step(
    social_services, investigation, closed_service
):
    make_pathway(social_services, [(closed_service, 1), (investigation, 2)])

    results = match_services(need=NEED, urgency=Urgency.IMMEDIATE)

    assert names(results) == [investigation.name, closed_service.name]
    closed = results[-1]
    assert closed.source == "pathway"
    assert any(r.code == "intake" and "last resort" in r.detail for r in closed.reasons)


def test_closed_directory_services_come_last(investigation, closed_service, ngo):
    open_later = make_service(ngo, "Zeta Support", [NEED], acknowledge_immediate_hours=12)

    results = match_services(need=NEED, urgency=Urgency.IMMEDIATE)

    assert names(results) == [investigation.name, open_later.name, closed_service.name]


def test_need_age_region_and_activity_filter_directory_services(police, south_police, north):
    fits = make_service(police, "Fits", [NEED], minimum_age=10, maximum_age=17)
    make_service(police, "Too old for it", [NEED], minimum_age=18)
    make_service(police, "Too young for it", [NEED], maximum_age=9)
    make_service(police, "Other need", [NeedCategory.THERAPY])
    make_service(south_police, "Other region", [NEED])
    everywhere = make_service(police, "Every region", [NEED], regions=[])
    make_service(police, "Inactive", [NEED], is_active=False)

    results = match_services(need=NEED, urgency=Urgency.ROUTINE, age=12, region="north")

    assert sorted(names(results)) == sorted([fits.name, everywhere.name])


def test_without_age_or_region_every_active_service_of_the_need_fits(police, south_police):
    make_service(police, "North unit", [NEED], minimum_age=18)
    make_service(south_police, "South unit", [NEED])

    results = match_services(need=NEED, urgency=Urgency.ROUTINE)

    assert sorted(names(results)) == ["North unit", "South unit"]


def test_each_result_says_why_it_matched(social_services, police, north):
    unit = make_service(
        police, "Unit", [NEED], minimum_age=10, maximum_age=17, acknowledge_within_24h_hours=3
    )
    make_pathway(
        social_services, [(unit, 2)], name="Exploitation route", urgency=Urgency.WITHIN_24H
    )

    [result] = match_services(need=NEED, urgency=Urgency.WITHIN_24H, age=12, region="north")

    by_code = {reason.code: reason.detail for reason in result.reasons}
    assert set(by_code) == {"pathway_step", "need", "age", "region", "intake", "acknowledgement"}
    assert "Exploitation route" in by_code["pathway_step"]
    assert "version 1" in by_code["pathway_step"]
    assert "2 h" in by_code["pathway_step"]
    assert by_code["age"] == "Eligible: ages 10 to 17"
    assert by_code["region"] == "Serves North"
    assert by_code["acknowledgement"].endswith("within 3 h")
    assert "12" not in " ".join(by_code.values()), "the child's age is not echoed back"


def test_pathways_that_do_not_fit_the_situation_are_ignored(
    social_services, investigation, ngo, south
):
    advocacy = make_service(ngo, "Advocacy", [NeedCategory.LEGAL_ADVOCACY])
    make_pathway(social_services, [(advocacy, 1)], name="Teens", minimum_age=13)
    make_pathway(social_services, [(advocacy, 1)], name="South only", regions=[south])
    make_pathway(
        social_services,
        [(advocacy, 1)],
        name="From police",
        referring_agency_kinds=[AgencyKind.POLICE],
    )
    make_pathway(social_services, [(advocacy, 1)], name="Other urgency", urgency=Urgency.ROUTINE)
    make_pathway(social_services, [(advocacy, 1)], name="Still a draft", publish=False)

    results = match_services(
        need=NEED,
        urgency=Urgency.IMMEDIATE,
        age=8,
        region="north",
        referrer_kind=AgencyKind.HELPLINE,
    )

    assert names(results) == [investigation.name]


def test_a_service_on_two_pathways_appears_once(social_services, investigation, ngo):
    other = make_service(ngo, "Other", [NeedCategory.THERAPY])
    make_pathway(social_services, [(investigation, 1)], name="A route")
    make_pathway(social_services, [(other, 1), (investigation, 1)], name="B route")

    results = match_services(need=NEED, urgency=Urgency.IMMEDIATE)

    assert names(results) == [investigation.name, other.name]


def test_match_api_answers_ranked_results_with_reasons(
    social_worker, social_services, investigation, closed_service, client_for
):
    make_pathway(social_services, [(closed_service, 1), (investigation, 2)])

    response = client_for(social_worker).get(
        "/api/v1/pathways/match/",
        {"need": NEED, "urgency": "immediate", "age": 12, "region": "north"},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["need"] == NEED
    first, last = body["matches"]
    assert first["service"]["id"] == investigation.pk
    assert first["pathway"]["version"] == 1
    assert first["reasons"][0]["code"] == "pathway_step"
    assert last["service"]["intake_status"] == "closed"


@pytest.mark.parametrize(
    "params",
    [
        {"urgency": "immediate"},
        {"need": "nonsense", "urgency": "immediate"},
        {"need": NEED, "urgency": "soon"},
        {"need": NEED, "urgency": "immediate", "age": "-1"},
        {"need": NEED, "urgency": "immediate", "region": "atlantis"},
    ],
)
def test_match_refuses_bad_parameters(social_worker, client_for, params):
    response = client_for(social_worker).get("/api/v1/pathways/match/", params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
