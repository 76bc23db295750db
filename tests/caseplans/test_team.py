"""The case team: members from several agencies, joined through consent, removed for good."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Role
from audit.models import AuditEvent
from caseplans import services
from caseplans.models import PlanEvent, TeamMember
from consent import services as consent_services
from consent.models import Disclosure, DisclosureGrant, LawfulBasis, Purpose
from core import access
from notifications.models import Notification
from tests.access import Call, assert_access
from tests.caseplans.conftest import MISSING, plan_url
from tests.factories import child_record, consent_given, member

pytestmark = pytest.mark.django_db


def team_url(plan, suffix=""):
    return plan_url(plan, f"team/{suffix}")


def test_adding_a_member_from_another_agency_shares_through_consent(
    client_for, plan, lead, officer, police, team_consent
):
    assert client_for(officer).get(plan_url(plan)).status_code == 404
    response = client_for(lead).post(
        team_url(plan), {"user": officer.pk, "role": "police_officer", "purpose": "safety_planning"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["agency"]["id"] == police.pk
    assert body["role"] == "police_officer"
    disclosure = Disclosure.objects.get(pk=body["disclosure"])
    assert disclosure.recipient_user == officer
    assert disclosure.categories == ["case_plan"]
    assert disclosure.consent == team_consent
    assert disclosure.subject_id == str(plan.pk)
    granted = set(
        DisclosureGrant.objects.filter(disclosure=disclosure).values_list("permission", flat=True)
    )
    assert granted == {"view_caseplan", "view_child"}
    assert AuditEvent.objects.filter(
        action="share", details__disclosure=str(disclosure.pk)
    ).exists()
    assert AuditEvent.objects.filter(action="grant", object_id=str(plan.pk)).exists()
    assert Notification.objects.filter(recipient=officer, kind="case_team_added").exists()
    assert client_for(officer).get(plan_url(plan)).status_code == 200
    assert not access.can(member(police, Role.PRACTITIONER), "caseplans.view_caseplan", plan), (
        "the officer's colleagues are not on the team"
    )


def test_without_consent_nothing_is_shared_or_written(client_for, plan, lead, officer):
    before = (TeamMember.objects.count(), Disclosure.objects.count(), PlanEvent.objects.count())
    response = client_for(lead).post(team_url(plan), {"user": officer.pk, "role": "police_officer"})
    assert response.status_code == 409
    assert response.json()["code"] == "no_consent"
    after = (TeamMember.objects.count(), Disclosure.objects.count(), PlanEvent.objects.count())
    assert after == before
    assert not AuditEvent.objects.filter(action="share").exists()
    assert client_for(officer).get(plan_url(plan)).status_code == 404


def test_an_authorised_override_lets_a_member_join_without_consent(
    client_for, plan, lead, officer, police, duty_manager, social_services
):
    override = consent_services.request_override(
        child=plan.child,
        actor=duty_manager,
        agency=social_services,
        recipient_agency=police,
        categories=["case_plan"],
        purpose=Purpose.SAFETY_PLANNING,
        lawful_basis=LawfulBasis.PUBLIC_TASK_SAFEGUARDING,
        justification="Risk of significant harm: the offender knows where she lives.",
    )
    response = client_for(lead).post(
        team_url(plan),
        {
            "user": officer.pk,
            "role": "police_officer",
            "purpose": "safety_planning",
            "override": str(override.pk),
        },
    )
    assert response.status_code == 201, response.json()
    assert Disclosure.objects.get(pk=response.json()["disclosure"]).override == override


def test_a_colleague_of_the_lead_agency_joins_without_a_share(client_for, plan, lead, colleague):
    response = client_for(lead).post(
        team_url(plan), {"user": colleague.pk, "role": "social_worker"}
    )
    assert response.status_code == 201
    assert response.json()["disclosure"] is None
    assert not Disclosure.objects.exists()
    assert client_for(colleague).get(plan_url(plan)).status_code == 200


def test_joining_twice_or_as_lead_is_refused(client_for, plan, lead, colleague, officer_member):
    client = client_for(lead)
    again = client.post(team_url(plan), {"user": officer_member.user_id, "role": "other"})
    assert again.status_code == 409
    as_lead = client.post(team_url(plan), {"user": colleague.pk, "role": "lead"})
    assert as_lead.status_code == 400
    admin_only = member(plan.lead_agency, Role.AGENCY_ADMIN)
    assert client.post(team_url(plan), {"user": admin_only.pk, "role": "other"}).status_code == 400


def test_removal_revokes_the_members_grants_and_only_theirs(
    client_for, plan, lead, officer, officer_member, police, team_consent
):
    police_partner = member(police, Role.PRACTITIONER)
    services.add_member(plan, actor=lead, user=police_partner, role="police_officer")
    response = client_for(lead).post(team_url(plan, f"{officer_member.pk}/remove/"))
    assert response.status_code == 200, response.json()
    assert response.json()["end_reason"] == "removed"
    assert response.json()["is_current"] is False
    assert client_for(officer).get(plan_url(plan)).status_code == 404
    assert not access.can(officer, "children.view_child", plan.child)
    assert client_for(police_partner).get(plan_url(plan)).status_code == 200
    assert access.can(police_partner, "children.view_child", plan.child)
    released = DisclosureGrant.objects.filter(disclosure=officer_member.disclosure_id)
    assert all(g.released_at and g.revoked for g in released)
    assert Notification.objects.filter(recipient=officer, kind="case_team_removed").exists()
    assert TeamMember.objects.get(pk=officer_member.pk).ended_at is not None, "kept for the record"
    again = client_for(lead).post(team_url(plan, f"{officer_member.pk}/remove/"))
    assert again.status_code == 409


def test_the_lead_cannot_be_removed(client_for, plan, lead):
    lead_member = TeamMember.objects.get(plan=plan, role="lead")
    assert client_for(lead).post(team_url(plan, f"{lead_member.pk}/remove/")).status_code == 409


def test_withdrawn_consent_ends_the_membership_and_tells_the_lead(
    client_for, plan, lead, officer, officer_member, team_consent, social_services
):
    consent_services.withdraw_consent(
        team_consent, by=lead, reason="She no longer wants the police told.", agency=social_services
    )
    assert client_for(officer).get(plan_url(plan)).status_code == 404
    ended = TeamMember.objects.get(pk=officer_member.pk)
    assert ended.end_reason == "consent_ended"
    told = Notification.objects.get(recipient=lead, kind="consent_withdrawn")
    assert told.object_id == str(plan.pk)
    assert told.reference == plan.child.reference
    assert Notification.objects.filter(recipient=officer, kind="case_team_removed").exists()


def test_expired_consent_tells_the_lead(plan, lead, officer, social_services):
    now = timezone.now()
    expiring = consent_given(
        plan.child,
        lead,
        social_services,
        recipient_kinds=["police"],
        categories=["case_plan"],
        purposes=[Purpose.SUPPORT],
        valid_until=now + timedelta(hours=1),
    )
    joined = services.add_member(plan, actor=lead, user=officer, role="police_officer")
    assert Disclosure.objects.get(pk=joined.disclosure_id).consent == expiring
    assert consent_services.expire_consents(now=now + timedelta(hours=2)) == 1
    assert Notification.objects.filter(recipient=lead, kind="consent_expired").exists()
    assert TeamMember.objects.get(pk=joined.pk).end_reason == "consent_ended"
    assert not access.can(officer, "caseplans.view_caseplan", plan)


# --- access -----------------------------------------------------------------------------


def test_list_access(plan, lead, south_worker, demoted, officer_member):
    response = assert_access(
        Call("get", team_url(plan), missing_url=team_url(MISSING)),
        allowed=officer_member.user,
        outsider=south_worker,
        wrong_role=demoted,
    )
    roles = [row["role"] for row in response.json()["results"]]
    assert roles == ["lead", "social_worker", "police_officer"]


def test_add_access(plan, lead, colleague, south_worker, officer_member):
    assert_access(
        Call(
            "post",
            team_url(plan),
            {"user": colleague.pk, "role": "social_worker"},
            team_url(MISSING),
        ),
        allowed=lead,
        outsider=south_worker,
        wrong_role=officer_member.user,
        unchanged=lambda: TeamMember.objects.filter(plan=plan).count(),
    )


def test_remove_access(plan, lead, south_worker, officer_member, demoted):
    demoted_member = TeamMember.objects.get(plan=plan, user=demoted)
    assert_access(
        Call(
            "post",
            team_url(plan, f"{demoted_member.pk}/remove/"),
            {},
            team_url(MISSING, f"{demoted_member.pk}/remove/"),
        ),
        allowed=lead,
        outsider=south_worker,
        wrong_role=officer_member.user,
        unchanged=lambda: TeamMember.objects.values("ended_at").get(pk=demoted_member.pk),
    )


def test_a_member_of_another_plan_is_not_found_through_this_one(
    client_for, plan, lead, social_services
):
    other_child = child_record(social_services, by=lead)
    other = services.open_plan(actor=lead, agency=social_services, child=other_child)
    lead_member = TeamMember.objects.get(plan=plan, role="lead")
    response = client_for(lead).post(team_url(other, f"{lead_member.pk}/remove/"))
    assert response.status_code == 404
    assert TeamMember.objects.get(pk=lead_member.pk).ended_at is None


def test_team_list_queries_do_not_grow_with_members(client_for, plan, lead, social_services):
    client = client_for(lead)
    client.get(team_url(plan))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(team_url(plan)).status_code == 200
        return len(queries)

    few = count()
    for _ in range(5):
        services.add_member(plan, actor=lead, user=member(social_services), role="social_worker")
    assert count() == few


# --- who could join ---------------------------------------------------------------------


def test_candidates_are_staff_in_a_case_role_marked_when_on_the_team(
    client_for, plan, lead, officer_member, police, social_services, colleague, ss_dpo
):
    client = client_for(lead)
    response = client.get(team_url(plan, "candidates/"), {"agency": police.pk})
    assert response.status_code == 200, response.json()
    rows = response.json()["results"]
    assert {row["agency"]["id"] for row in rows} == {police.pk}
    officer_row = next(row for row in rows if row["user"]["id"] == officer_member.user_id)
    assert officer_row["on_team"] is True

    ours = client.get(
        team_url(plan, "candidates/"), {"agency": social_services.pk, "role": "social_worker"}
    ).json()["results"]
    by_user = {row["user"]["id"]: row for row in ours}
    assert by_user[lead.pk]["on_team"] is True
    assert by_user[colleague.pk]["on_team"] is False
    assert ss_dpo.pk not in by_user, "only case roles work on a case"
    assert {row["role"] for row in ours} == {"social_worker"}
    for agency in ["x", "²", "9" * 40]:
        assert client.get(team_url(plan, "candidates/"), {"agency": agency}).status_code == 400


def test_candidates_access(plan, lead, south_worker, officer_member):
    assert_access(
        Call("get", team_url(plan, "candidates/"), missing_url=team_url(MISSING, "candidates/")),
        allowed=lead,
        outsider=south_worker,
        wrong_role=officer_member.user,
    )


def test_candidate_queries_do_not_grow_with_staff(client_for, plan, lead, police):
    client = client_for(lead)
    client.get(team_url(plan, "candidates/"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(team_url(plan, "candidates/")).status_code == 200
        return len(queries)

    few = count()
    for _ in range(5):
        member(police, Role.PRACTITIONER)
    assert count() == few
