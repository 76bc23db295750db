"""Consent records, disclosures, overrides and sharing over the API, on every endpoint."""

import pytest

from audit.models import AuditEvent
from consent import services
from consent.models import ConsentRecord, ConsentStatus, Disclosure, OverrideAuthorisation
from tests.access import Call, assert_access
from tests.factories import child_record, consent_given

pytestmark = pytest.mark.django_db

MISSING = "00000000-0000-4000-8000-000000000000"


def _consent_payload(child, **changes):
    payload = {
        "child": str(child.pk),
        "decision": "active",
        "given_by": "child",
        "child_competent": True,
        "capacity_note": "Understands what sharing means.",
        "recipient_kinds": ["police"],
        "categories": ["identity", "contact"],
        "purposes": ["investigation"],
    }
    return {**payload, **changes}


def _share_identity(child, helpline, worker, police):
    consent_given(child, worker, helpline)
    return services.share(
        child=child,
        recipient=police,
        categories=["identity"],
        purpose="investigation",
        actor=worker,
    )


# --- consents --------------------------------------------------------------------------------


def test_record_consent_access(child, helpline_worker, helpline_admin, south_worker):
    payload = _consent_payload(child)
    response = assert_access(
        Call("post", "/api/v1/consents/", payload),
        allowed=helpline_worker,
        outsider=south_worker,
        wrong_role=helpline_admin,
        unchanged=lambda: ConsentRecord.objects.count(),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "active"
    assert body["child_reference"] == child.reference
    assert body["categories"] == ["contact", "identity"]
    assert body["recorded_by"]["id"] == helpline_worker.pk
    consent = ConsentRecord.objects.get(pk=body["id"])
    assert consent.capacity_note == "Understands what sharing means."
    event = AuditEvent.objects.get(action="create", object_id=str(consent.pk))
    assert event.details == {"child": str(child.pk), "status": "active"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"child_competent": None}, "child_competent"),
        ({"child_competent": False}, "child_competent"),
        ({"recipient_kinds": []}, "recipient_agencies"),
        ({"categories": []}, "categories"),
        ({"categories": ["everything"]}, "categories"),
        ({"given_by": "parent_carer"}, "given_by_relationship"),
        (
            {"valid_from": "2030-01-02T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"},
            "valid_until",
        ),
    ],
)
def test_invalid_consents_are_rejected(client_for, child, helpline_worker, changes, field):
    response = client_for(helpline_worker).post(
        "/api/v1/consents/", _consent_payload(child, **changes), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not ConsentRecord.objects.exists()


def test_child_not_competent_may_still_refuse(client_for, child, helpline_worker):
    response = client_for(helpline_worker).post(
        "/api/v1/consents/",
        _consent_payload(child, decision="refused", child_competent=False),
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "refused"


def test_retrieve_and_list_consents(
    client_for, child, helpline, helpline_worker, helpline_admin, south_worker, officer, police
):
    consent = consent_given(child, helpline_worker, helpline)
    response = assert_access(
        Call("get", f"/api/v1/consents/{consent.pk}/", missing_url=f"/api/v1/consents/{MISSING}/"),
        allowed=helpline_worker,
        outsider=south_worker,
        wrong_role=helpline_admin,
    )
    assert response.json()["given_by_relationship"] == "mother"

    services.share(
        child=child,
        recipient=police,
        categories=["identity"],
        purpose="investigation",
        actor=helpline_worker,
    )
    listed = client_for(officer).get(f"/api/v1/consents/?child={child.pk}").json()
    assert listed["results"] == [], "a recipient sees the basis on the disclosure, not the record"
    mine = client_for(helpline_worker).get(f"/api/v1/consents/?child={child.pk}").json()
    assert [row["id"] for row in mine["results"]] == [str(consent.pk)]
    assert client_for(helpline_worker).get("/api/v1/consents/?child=nope").status_code == 400


def test_consent_list_query_count_is_flat(
    client_for, child, helpline, helpline_worker, police, health, django_assert_max_num_queries
):
    consent_given(child, helpline_worker, helpline, recipient_agencies=[police])
    client = client_for(helpline_worker)
    client.get("/api/v1/consents/")  # warm the content-type cache
    with django_assert_max_num_queries(40) as small:
        client.get("/api/v1/consents/")
    baseline = len(small.captured_queries)
    for _ in range(5):
        consent_given(child, helpline_worker, helpline, recipient_agencies=[police, health])
    with django_assert_max_num_queries(baseline) as large:
        rows = client.get("/api/v1/consents/").json()["results"]
    assert len(rows) == 6
    assert len(large.captured_queries) == baseline


def test_withdraw_consent_access_and_effect(
    client_for, child, helpline, helpline_worker, helpline_admin, south_worker, police, officer
):
    _share_identity(child, helpline, helpline_worker, police)
    consent = ConsentRecord.objects.get()
    response = assert_access(
        Call(
            "post",
            f"/api/v1/consents/{consent.pk}/withdraw/",
            {"reason": "The child has changed their mind."},
            f"/api/v1/consents/{MISSING}/withdraw/",
        ),
        allowed=helpline_worker,
        outsider=south_worker,
        wrong_role=helpline_admin,
        unchanged=lambda: ConsentRecord.objects.get(pk=consent.pk).status,
    )
    body = response.json()
    assert body["status"] == "withdrawn"
    assert body["withdrawn_by"]["id"] == helpline_worker.pk
    assert client_for(officer).get(f"/api/v1/children/{child.pk}/").status_code == 404

    again = client_for(helpline_worker).post(
        f"/api/v1/consents/{consent.pk}/withdraw/", {"reason": "Twice"}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"


def test_withdraw_needs_a_reason(client_for, child, helpline, helpline_worker):
    consent = consent_given(child, helpline_worker, helpline)
    response = client_for(helpline_worker).post(
        f"/api/v1/consents/{consent.pk}/withdraw/", {}, format="json"
    )
    assert response.status_code == 400
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.ACTIVE


# --- disclosures ----------------------------------------------------------------------------


def test_disclosure_log_is_visible_to_both_sides(
    client_for, child, helpline, helpline_worker, helpline_admin, police, officer, south_worker
):
    disclosure = _share_identity(child, helpline, helpline_worker, police)
    for viewer in (helpline_worker, officer):
        assert_access(
            Call(
                "get",
                f"/api/v1/disclosures/{disclosure.pk}/",
                missing_url=f"/api/v1/disclosures/{MISSING}/",
            ),
            allowed=viewer,
            outsider=south_worker,
            wrong_role=helpline_admin,
        )
    body = client_for(officer).get(f"/api/v1/disclosures/?child={child.pk}").json()
    assert [row["id"] for row in body["results"]] == [str(disclosure.pk)]
    assert body["results"][0]["basis"] == "consent"
    assert client_for(south_worker).get("/api/v1/disclosures/").json()["count"] == 0
    assert client_for(officer).post("/api/v1/disclosures/", {}).status_code in (403, 405)


def test_disclosure_list_query_count_is_flat(
    client_for, helpline, helpline_worker, police, django_assert_max_num_queries
):
    def shared_child():
        child = child_record(helpline, by=helpline_worker)
        return _share_identity(child, helpline, helpline_worker, police)

    shared_child()
    client = client_for(helpline_worker)
    client.get("/api/v1/disclosures/")  # warm the content-type cache
    with django_assert_max_num_queries(40) as small:
        client.get("/api/v1/disclosures/")
    baseline = len(small.captured_queries)
    for _ in range(5):
        shared_child()
    with django_assert_max_num_queries(baseline) as large:
        rows = client.get("/api/v1/disclosures/").json()["results"]
    assert len(rows) == 6
    assert len(large.captured_queries) == baseline


def test_override_justification_is_shown_to_the_disclosing_agency_only(
    client_for, child, helpline, helpline_worker, helpline_duty_manager, police, officer
):
    override = services.request_override(
        child=child,
        actor=helpline_duty_manager,
        agency=helpline,
        recipient_agency=police,
        categories=["identity"],
        purpose="investigation",
        lawful_basis="vital_interests",
        justification="Missing overnight.",
    )
    disclosure = services.share(
        child=child,
        recipient=police,
        categories=["identity"],
        purpose="investigation",
        actor=helpline_worker,
        override=override,
    )
    url = f"/api/v1/disclosures/{disclosure.pk}/"
    assert client_for(helpline_worker).get(url).json()["justification"] == "Missing overnight."
    police_view = client_for(officer).get(url).json()
    assert police_view["justification"] is None
    assert police_view["override"]["lawful_basis"] == "vital_interests"


# --- sharing over the API -------------------------------------------------------------------


def test_share_without_basis_is_409_and_writes_nothing(
    client_for, child, helpline_worker, police, officer
):
    response = client_for(helpline_worker).post(
        f"/api/v1/children/{child.pk}/share/",
        {"recipient_agency": police.pk, "categories": ["identity"], "purpose": "support"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "no_consent"
    assert not Disclosure.objects.exists()
    assert not AuditEvent.objects.filter(action="share").exists()
    assert client_for(officer).get(f"/api/v1/children/{child.pk}/").status_code == 404


def test_share_access(child, helpline, helpline_worker, helpline_admin, south_worker, police):
    consent_given(child, helpline_worker, helpline)
    response = assert_access(
        Call(
            "post",
            f"/api/v1/children/{child.pk}/share/",
            {"recipient_agency": police.pk, "categories": ["identity"], "purpose": "investigation"},
            f"/api/v1/children/{MISSING}/share/",
        ),
        allowed=helpline_worker,
        outsider=south_worker,
        wrong_role=helpline_admin,
        unchanged=lambda: Disclosure.objects.count(),
    )
    assert response.status_code == 201
    assert response.json()["recipient_agency"]["id"] == police.pk


def test_sharing_decision_access_and_answers(
    child, helpline, helpline_worker, helpline_admin, south_worker, police, client_for
):
    question = {
        "recipient_agency": police.pk,
        "categories": ["identity"],
        "purpose": "investigation",
    }
    response = assert_access(
        Call(
            "post",
            f"/api/v1/children/{child.pk}/sharing-decision/",
            question,
            f"/api/v1/children/{MISSING}/sharing-decision/",
        ),
        allowed=helpline_worker,
        outsider=south_worker,
        wrong_role=helpline_admin,
        allowed_status=200,
    )
    assert response.json()["outcome"] == "needs_override"
    consent = consent_given(child, helpline_worker, helpline)
    answer = client_for(helpline_worker).post(
        f"/api/v1/children/{child.pk}/sharing-decision/", question, format="json"
    )
    assert answer.json() | {"detail": ""} == {
        "outcome": "allowed",
        "reason": "consent_in_scope",
        "detail": "",
        "consent": str(consent.pk),
    }
    assert not Disclosure.objects.exists()


def test_override_flow_request_authorise_share(
    client_for,
    child,
    helpline,
    helpline_worker,
    helpline_duty_manager,
    police,
    officer,
    south_duty_manager,
):
    requested = client_for(helpline_worker).post(
        "/api/v1/sharing-overrides/",
        {
            "child": str(child.pk),
            "recipient_agency": police.pk,
            "categories": ["identity", "contact"],
            "purpose": "safety_planning",
            "lawful_basis": "public_task_safeguarding",
            "justification": "Risk of significant harm from an adult contact.",
        },
        format="json",
    )
    assert requested.status_code == 201, requested.content
    override_id = requested.json()["id"]
    assert requested.json()["status"] == "requested"
    assert requested.json()["lawful_basis_label"].startswith("UK GDPR Art 6(1)(e)")

    share = {
        "recipient_agency": police.pk,
        "categories": ["identity", "contact"],
        "purpose": "safety_planning",
        "override": override_id,
    }
    early = client_for(helpline_worker).post(
        f"/api/v1/children/{child.pk}/share/", share, format="json"
    )
    assert early.status_code == 409
    assert early.json()["code"] == "override_not_authorised"

    authorised = assert_access(
        Call(
            "post",
            f"/api/v1/sharing-overrides/{override_id}/authorise/",
            None,
            f"/api/v1/sharing-overrides/{MISSING}/authorise/",
        ),
        allowed=helpline_duty_manager,
        outsider=south_duty_manager,
        wrong_role=helpline_worker,
        unchanged=lambda: OverrideAuthorisation.objects.get(pk=override_id).status,
    )
    assert authorised.json()["status"] == "authorised"
    assert authorised.json()["authorised_by"]["id"] == helpline_duty_manager.pk

    shared = client_for(helpline_worker).post(
        f"/api/v1/children/{child.pk}/share/", share, format="json"
    )
    assert shared.status_code == 201, shared.content
    assert shared.json()["basis"] == "override"
    body = client_for(officer).get(f"/api/v1/children/{child.pk}/").json()
    assert body["phone"] == "07700 900123"
    assert body["withheld_categories"] == []


def test_duty_manager_refuses_an_override(
    client_for, child, helpline, helpline_worker, helpline_duty_manager, police, south_duty_manager
):
    override = services.request_override(
        child=child,
        actor=helpline_worker,
        agency=helpline,
        recipient_agency=police,
        categories=["identity"],
        purpose="investigation",
        lawful_basis="legal_obligation",
        justification="Asked by police.",
    )
    response = assert_access(
        Call(
            "post",
            f"/api/v1/sharing-overrides/{override.pk}/refuse/",
            {"reason": "Consent should be sought first."},
            f"/api/v1/sharing-overrides/{MISSING}/refuse/",
        ),
        allowed=helpline_duty_manager,
        outsider=south_duty_manager,
        wrong_role=helpline_worker,
    )
    assert response.json()["status"] == "refused"
    late = client_for(helpline_duty_manager).post(
        f"/api/v1/sharing-overrides/{override.pk}/authorise/", format="json"
    )
    assert late.status_code == 409


def test_override_retrieve_and_list(
    client_for,
    child,
    helpline,
    helpline_worker,
    helpline_admin,
    helpline_duty_manager,
    police,
    south_worker,
    django_assert_max_num_queries,
):
    def request():
        return services.request_override(
            child=child,
            actor=helpline_worker,
            agency=helpline,
            recipient_agency=police,
            categories=["identity"],
            purpose="investigation",
            lawful_basis="vital_interests",
            justification="Urgent.",
        )

    override = request()
    assert_access(
        Call(
            "get",
            f"/api/v1/sharing-overrides/{override.pk}/",
            missing_url=f"/api/v1/sharing-overrides/{MISSING}/",
        ),
        allowed=helpline_duty_manager,
        outsider=south_worker,
        wrong_role=helpline_admin,
    )
    client = client_for(helpline_duty_manager)
    client.get("/api/v1/sharing-overrides/?status=requested")  # warm the content-type cache
    with django_assert_max_num_queries(40) as small:
        client.get("/api/v1/sharing-overrides/?status=requested")
    baseline = len(small.captured_queries)
    for _ in range(4):
        request()
    with django_assert_max_num_queries(baseline) as large:
        rows = client.get("/api/v1/sharing-overrides/?status=requested").json()["results"]
    assert len(rows) == 5
    assert len(large.captured_queries) == baseline
    assert client_for(south_worker).get("/api/v1/sharing-overrides/").json()["count"] == 0


def test_override_for_a_child_the_caller_cannot_see_is_404(client_for, child, south_worker, police):
    response = client_for(south_worker).post(
        "/api/v1/sharing-overrides/",
        {
            "child": str(child.pk),
            "recipient_agency": police.pk,
            "categories": ["identity"],
            "purpose": "investigation",
            "lawful_basis": "vital_interests",
            "justification": "x",
        },
        format="json",
    )
    assert response.status_code == 404
    assert not OverrideAuthorisation.objects.exists()


def test_lawful_bases_are_listed_with_labels(client_for, helpline_worker):
    bases = client_for(helpline_worker).get("/api/v1/lawful-bases/").json()
    assert [b["value"] for b in bases] == [
        "public_task_safeguarding",
        "legal_obligation",
        "vital_interests",
    ]
    assert "DPA 2018 Sch 1 para 18" in bases[0]["label"]
    assert "Art 6(1)(c)" in bases[1]["label"]
    assert "Art 6(1)(d)" in bases[2]["label"]


def test_record_keepers_dpo_reads_consents(
    client_for, child, helpline, helpline_worker, helpline_dpo
):
    consent = consent_given(child, helpline_worker, helpline)
    assert client_for(helpline_dpo).get(f"/api/v1/consents/{consent.pk}/").status_code == 200
    refused = client_for(helpline_dpo).post(
        f"/api/v1/consents/{consent.pk}/withdraw/", {"reason": "x"}, format="json"
    )
    assert refused.status_code == 403, "the DPO oversees; case workers act"


def test_request_override_access(child, helpline_worker, helpline_admin, south_worker, police):
    response = assert_access(
        Call(
            "post",
            "/api/v1/sharing-overrides/",
            {
                "child": str(child.pk),
                "recipient_agency": police.pk,
                "categories": ["identity"],
                "purpose": "investigation",
                "lawful_basis": "vital_interests",
                "justification": "Missing and at risk tonight.",
            },
        ),
        allowed=helpline_worker,
        outsider=south_worker,
        wrong_role=helpline_admin,
        unchanged=lambda: OverrideAuthorisation.objects.count(),
    )
    assert response.json()["status"] == "requested"
    assert response.json()["requested_by"]["id"] == helpline_worker.pk
