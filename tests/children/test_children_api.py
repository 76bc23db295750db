"""Child records over the API: recording, minimisation, duplicates, access on every endpoint."""

import re
from datetime import date

import pytest

from agencies.models import Role
from audit.models import AuditEvent
from children import services
from children.models import Child, DuplicateCheck
from children.signals import possible_duplicate_found
from consent import services as consent_services
from tests.access import Call, assert_access
from tests.core.stored import database_bytes
from tests.factories import AgencyFactory, child_record, consent_given, member
from tests.security.plugin import leaks_in, plant

pytestmark = pytest.mark.django_db

MISSING = "00000000-0000-4000-8000-000000000000"
REFERENCE = re.compile(r"C-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}")


def _url(child, suffix: str = "") -> str:
    return f"/api/v1/children/{child.pk}/{suffix}"


def _missing(suffix: str = "") -> str:
    return f"/api/v1/children/{MISSING}/{suffix}"


def _share_identity_with_police(child, helpline, helpline_worker, police):
    consent_given(child, helpline_worker, helpline)
    return consent_services.share(
        child=child,
        recipient=police,
        categories=["identity"],
        purpose="investigation",
        actor=helpline_worker,
    )


# --- recording ---------------------------------------------------------------------------


def test_record_an_anonymous_child(client_for, helpline_worker, helpline):
    response = client_for(helpline_worker).post("/api/v1/children/", {}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert REFERENCE.fullmatch(body["reference"])
    assert body["is_anonymous"] is True
    assert body["record_keeper"]["id"] == helpline.pk
    assert body["withheld_categories"] == []
    assert body["possible_duplicate"] is None
    child = Child.objects.get(pk=body["id"])
    assert child.created_by == helpline_worker
    assert AuditEvent.objects.filter(action="create", object_id=str(child.pk)).exists()


def test_complete_an_anonymous_child_later(client_for, helpline_worker):
    client = client_for(helpline_worker)
    created = client.post("/api/v1/children/", {"gender": "male"}, format="json").json()
    assert created["is_anonymous"] is True
    patched = client.patch(
        f"/api/v1/children/{created['id']}/",
        {"given_name": "Leo", "family_name": "Hart", "date_of_birth": "2012-02-02"},
        format="json",
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["is_anonymous"] is False
    assert patched.json()["given_name"] == "Leo"
    event = AuditEvent.objects.filter(action="update", object_id=created["id"]).get()
    assert event.details == {"fields": ["date_of_birth", "family_name", "given_name"]}


def test_only_recording_roles_create(client_for, helpline, officer, helpline_admin):
    assert client_for(officer).post("/api/v1/children/", {}, format="json").status_code == 403
    assert (
        client_for(helpline_admin).post("/api/v1/children/", {}, format="json").status_code == 403
    )
    assert not Child.objects.exists()


def test_date_of_birth_in_the_future_is_rejected(client_for, helpline_worker):
    response = client_for(helpline_worker).post(
        "/api/v1/children/", {"date_of_birth": "2999-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "date_of_birth" in response.json()["errors"]


def test_reference_collisions_are_retried(helpline, helpline_worker, monkeypatch):
    first = child_record(helpline, by=helpline_worker)
    candidates = iter([first.reference, "C-2345AB"])
    monkeypatch.setattr(services, "new_reference", lambda: next(candidates))
    second = child_record(helpline, by=helpline_worker)
    assert second.reference == "C-2345AB"


def test_personal_fields_are_not_in_the_raw_database(helpline, helpline_worker, client_for):
    name, address = plant("children.Child.given_name"), plant("children.Child.address")
    guardian = plant("children.Child.guardian_contacts")
    response = client_for(helpline_worker).post(
        "/api/v1/children/",
        {
            "given_name": name,
            "family_name": "Canary",
            "date_of_birth": "2010-01-01",
            "address": address,
            "guardian_contacts": [{"name": guardian, "relationship": "father"}],
        },
        format="json",
    )
    assert response.status_code == 201
    raw = database_bytes()
    assert response.json()["reference"].encode() in raw, "the scan reads the stored rows"
    assert leaks_in(raw) == []
    assert leaks_in(b"".join(str(e.details).encode() for e in AuditEvent.objects.all())) == []
    child = Child.objects.get(pk=response.json()["id"])
    assert child.given_name == name


# --- minimisation ------------------------------------------------------------------------


def test_police_officer_sees_only_the_categories_disclosed_to_police(
    client_for, child, helpline, helpline_worker, police, officer
):
    _share_identity_with_police(child, helpline, helpline_worker, police)
    body = client_for(officer).get(_url(child)).json()
    assert body["given_name"] == "Amelia"
    assert body["date_of_birth"] == "2011-05-04"
    for contact_field in ("phone", "email", "address", "guardian_contacts"):
        assert contact_field not in body, "withheld fields are left out, never faked"
    assert body["withheld_categories"] == ["contact"]
    assert body["disclosed_categories"] == ["identity"]

    keeper = client_for(helpline_worker).get(_url(child)).json()
    assert keeper["phone"] == "07700 900123"
    assert keeper["withheld_categories"] == []


def test_list_is_minimised_per_child_and_free_of_n_plus_one(
    client_for, helpline, helpline_worker, police, officer, django_assert_max_num_queries
):
    def add_shared_child(n: int):
        child = child_record(helpline, by=helpline_worker, given_name=f"Kid{n}", family_name="Test")
        _share_identity_with_police(child, helpline, helpline_worker, police)
        return child

    add_shared_child(0)
    client = client_for(officer)
    client.get("/api/v1/children/")  # warm the content-type cache
    with django_assert_max_num_queries(40) as small:
        client.get("/api/v1/children/")
    baseline = len(small.captured_queries)
    for n in range(1, 6):
        add_shared_child(n)
    with django_assert_max_num_queries(baseline) as large:
        rows = client.get("/api/v1/children/").json()["results"]
    assert len(large.captured_queries) == baseline
    assert len(rows) == 6
    assert all(row["withheld_categories"] == ["contact"] and "phone" not in row for row in rows)


def test_list_shows_only_visible_children_and_filters_by_reference(
    client_for, child, helpline, helpline_worker, south_worker, other_agency
):
    other = child_record(other_agency, by=member(other_agency, Role.SOCIAL_WORKER))
    rows = client_for(helpline_worker).get("/api/v1/children/").json()["results"]
    assert [row["reference"] for row in rows] == [child.reference]
    found = client_for(south_worker).get(f"/api/v1/children/?reference={child.reference}")
    assert found.json()["results"] == []
    mine = client_for(south_worker).get(f"/api/v1/children/?reference={other.reference}")
    assert [row["id"] for row in mine.json()["results"]] == [str(other.pk)]


# --- duplicate detection -------------------------------------------------------------------


def test_duplicate_the_caller_can_see_shows_its_reference(client_for, child, helpline_worker):
    response = client_for(helpline_worker).post(
        "/api/v1/children/",
        {"given_name": "  amélia ", "family_name": "STONE", "date_of_birth": "2011-05-04"},
        format="json",
    )
    duplicate = response.json()["possible_duplicate"]
    assert duplicate["references"] == [child.reference]
    assert duplicate["duty_manager_asked"] is False
    assert not DuplicateCheck.objects.exists()


def test_duplicate_the_caller_cannot_see_asks_the_duty_managers(
    client_for, child, helpline, helpline_duty_manager, other_agency, south_duty_manager
):
    found = []

    def receiver(sender, check, **kwargs):
        found.append(check)

    possible_duplicate_found.connect(receiver)
    try:
        worker = member(other_agency, Role.SOCIAL_WORKER)
        response = client_for(worker).post(
            "/api/v1/children/",
            {"given_name": "Amelia", "family_name": "Stone", "date_of_birth": "2011-05-04"},
            format="json",
        )
    finally:
        possible_duplicate_found.disconnect(receiver)
    duplicate = response.json()["possible_duplicate"]
    assert duplicate["references"] == []
    assert duplicate["duty_manager_asked"] is True
    assert child.reference not in response.content.decode()
    check = DuplicateCheck.objects.get()
    assert found == [check]
    assert (check.existing_child, check.raising_agency, check.holding_agency) == (
        child,
        other_agency,
        helpline,
    )

    raising_view = client_for(south_duty_manager).get("/api/v1/duplicate-checks/").json()
    assert raising_view["results"][0]["existing_child_reference"] is None
    assert raising_view["results"][0]["new_child_reference"] == response.json()["reference"]
    holding_view = client_for(helpline_duty_manager).get("/api/v1/duplicate-checks/").json()
    assert holding_view["results"][0]["existing_child_reference"] == child.reference
    assert holding_view["results"][0]["new_child_reference"] is None


def test_a_match_without_identity_disclosed_is_not_revealed(
    client_for, child, helpline, helpline_worker, police, officer
):
    consent_given(child, helpline_worker, helpline, categories=["case_plan"])
    consent_services.share(
        child=child,
        recipient=police,
        categories=["case_plan"],
        purpose="investigation",
        actor=helpline_worker,
    )
    police_recorder = member(police, Role.SOCIAL_WORKER)
    response = client_for(police_recorder).post(
        "/api/v1/children/",
        {"given_name": "Amelia", "family_name": "Stone", "date_of_birth": "2011-05-04"},
        format="json",
    )
    assert response.json()["possible_duplicate"]["references"] == []
    assert response.json()["possible_duplicate"]["duty_manager_asked"] is True


def test_duplicate_check_access_and_resolution(
    client_for, child, helpline_duty_manager, other_agency, south_duty_manager, helpline_worker
):
    _, finding = services.record_child(
        actor=member(other_agency, Role.SOCIAL_WORKER),
        agency=other_agency,
        given_name="Amelia",
        family_name="Stone",
        date_of_birth=date(2011, 5, 4),
    )
    check = finding.checks[0]
    outsider = member(AgencyFactory(), Role.DUTY_MANAGER)
    response = assert_access(
        Call(
            "post",
            f"/api/v1/duplicate-checks/{check.pk}/resolve/",
            {"outcome": "different_child"},
            f"/api/v1/duplicate-checks/{check.pk + 1000}/resolve/",
        ),
        allowed=helpline_duty_manager,
        outsider=outsider,
        wrong_role=helpline_worker,
    )
    assert response.json()["status"] == "different_child"
    again = client_for(south_duty_manager).post(
        f"/api/v1/duplicate-checks/{check.pk}/resolve/", {"outcome": "same_child"}, format="json"
    )
    assert again.status_code == 409


# --- access on every endpoint ----------------------------------------------------------------


def test_retrieve_access(child, helpline_worker, helpline_admin, south_worker):
    response = assert_access(
        Call("get", _url(child), missing_url=_missing()),
        allowed=helpline_worker,
        outsider=south_worker,
        wrong_role=helpline_admin,
    )
    assert response.json()["reference"] == child.reference
    assert AuditEvent.objects.filter(action="view", object_id=str(child.pk)).exists()


def test_list_access(client_for, child, helpline_admin, helpline_worker, south_worker):
    assert client_for(helpline_admin).get("/api/v1/children/").status_code == 403
    assert client_for(south_worker).get("/api/v1/children/").json()["count"] == 0
    assert client_for(helpline_worker).get("/api/v1/children/").json()["count"] == 1


def test_partial_update_access(
    client_for, child, helpline, helpline_worker, police, officer, south_worker
):
    helpline_practitioner = member(helpline, Role.PRACTITIONER)
    assert_access(
        Call("patch", _url(child), {"gender": "f"}, missing_url=_missing()),
        allowed=helpline_worker,
        outsider=south_worker,
        wrong_role=helpline_practitioner,
        unchanged=lambda: Child.objects.get(pk=child.pk).gender,
    )
    assert Child.objects.get(pk=child.pk).gender == "f"

    _share_identity_with_police(child, helpline, helpline_worker, police)
    police_recorder = member(police, Role.SOCIAL_WORKER)
    refused = client_for(police_recorder).patch(_url(child), {"gender": "x"}, format="json")
    missing = client_for(police_recorder).patch(_missing(), {"gender": "x"}, format="json")
    assert refused.status_code == 404, "a recipient reads; only the record keeper writes"
    assert refused.json() == missing.json()
    assert client_for(police_recorder).get(_url(child)).status_code == 200
    assert Child.objects.get(pk=child.pk).gender == "f"


def test_nothing_is_deleted_through_the_api(client_for, child, helpline_worker):
    # Refused before the method is even looked at: no policy declares a delete.
    assert client_for(helpline_worker).delete(_url(child)).status_code in (403, 405)
    assert Child.objects.filter(pk=child.pk).exists()


# --- who knows what ----------------------------------------------------------------------------


def test_disclosures_lists_every_disclosure_and_access(
    client_for, child, helpline, helpline_worker, helpline_dpo, police, officer, south_dpo
):
    disclosure = _share_identity_with_police(child, helpline, helpline_worker, police)
    client_for(officer).get(_url(child))
    client_for(officer).get("/api/v1/children/")

    response = assert_access(
        Call("get", _url(child, "disclosures/"), missing_url=_missing("disclosures/")),
        allowed=helpline_dpo,
        outsider=south_dpo,
        wrong_role=officer,
    )
    body = response.json()
    assert body["child_reference"] == child.reference
    assert [d["id"] for d in body["disclosures"]] == [str(disclosure.pk)]
    assert body["disclosures"][0]["recipient_agency"]["name"] == "North Police"
    accesses = [(e["action"], e["actor_username"]) for e in body["results"]]
    assert ("share", helpline_worker.username) in accesses
    assert ("view", officer.username) in accesses
    assert ("list", officer.username) in accesses
    assert ("create", helpline_worker.username) in accesses


def test_disclosures_for_duty_managers_and_keepers_social_workers_only(
    client_for, child, helpline, helpline_worker, helpline_duty_manager, police, officer
):
    _share_identity_with_police(child, helpline, helpline_worker, police)
    assert client_for(helpline_duty_manager).get(_url(child, "disclosures/")).status_code == 200
    keeper_social_worker = member(helpline, Role.SOCIAL_WORKER)
    assert client_for(keeper_social_worker).get(_url(child, "disclosures/")).status_code == 200
    police_social_worker = member(police, Role.SOCIAL_WORKER)
    assert client_for(police_social_worker).get(_url(child, "disclosures/")).status_code == 403
    police_dpo = member(police, Role.DPO)
    assert client_for(police_dpo).get(_url(child, "disclosures/")).status_code == 200


# --- subject access export -----------------------------------------------------------------------


def test_subject_access_export_redacts_other_people_and_is_audited(
    child, helpline, helpline_worker, helpline_dpo, police, south_dpo, helpline_duty_manager
):
    consent_given(
        child, helpline_worker, helpline, given_by_name="Marta Stone", capacity_note="Agreed"
    )
    consent_services.share(
        child=child,
        recipient=police,
        categories=["identity"],
        purpose="investigation",
        actor=helpline_worker,
    )
    response = assert_access(
        Call(
            "get",
            _url(child, "subject-access-export/"),
            missing_url=_missing("subject-access-export/"),
        ),
        allowed=helpline_dpo,
        outsider=south_dpo,
        wrong_role=helpline_duty_manager,
    )
    document = response.json()["document"]
    text = response.content.decode()
    assert document["child"]["given_name"] == "Amelia"
    assert document["child"]["guardian_contacts"] == [
        {"relationship": "mother", "name": None, "phone": None}
    ]
    assert "Marta" not in text, "a parent's name and contact details are redacted"
    assert "07700 900456" not in text
    assert helpline_worker.username not in text
    assert helpline_worker.last_name not in text
    assert document["consents"][0]["recorded_by"] == {
        "role": "Helpline worker",
        "agency": "North Child Helpline",
    }
    assert document["disclosures"][0]["recipient_agency"] == "North Police"
    assert {r["path"] for r in document["redactions"]} == {
        "child.guardian_contacts[0].name",
        "child.guardian_contacts[0].phone",
        "consents[0].given_by_name",
    }
    assert document["review"] == ["consents[0].capacity_note"]
    event = AuditEvent.objects.get(action="export")
    assert event.object_id == str(child.pk)
    assert event.actor == helpline_dpo
    assert event.details["kind"] == "subject_access"


def test_who_knows_what_query_count_is_flat(
    client_for,
    child,
    helpline,
    helpline_worker,
    helpline_dpo,
    police,
    officer,
    django_assert_max_num_queries,
):
    _share_identity_with_police(child, helpline, helpline_worker, police)
    client = client_for(helpline_dpo)
    client.get(_url(child, "disclosures/"))  # warm the content-type cache
    with django_assert_max_num_queries(40) as small:
        client.get(_url(child, "disclosures/"))
    baseline = len(small.captured_queries)
    for purpose in ("support", "safety_planning", "investigation"):
        consent_given(child, helpline_worker, helpline, purposes=[purpose])
        consent_services.share(
            child=child,
            recipient=police,
            categories=["identity"],
            purpose=purpose,
            actor=helpline_worker,
        )
        client_for(officer).get(_url(child))
    with django_assert_max_num_queries(baseline) as large:
        body = client.get(_url(child, "disclosures/")).json()
    assert len(body["disclosures"]) == 4
    assert len(large.captured_queries) == baseline


def test_duplicate_check_list_query_count_is_flat(
    client_for,
    helpline,
    helpline_worker,
    helpline_duty_manager,
    other_agency,
    django_assert_max_num_queries,
):
    south_recorder = member(other_agency, Role.SOCIAL_WORKER)

    def raise_check(n: int) -> None:
        details = {
            "given_name": f"Twin{n}",
            "family_name": "Doe",
            "date_of_birth": date(2012, 1, n + 1),
        }
        child_record(helpline, by=helpline_worker, **details)
        services.record_child(actor=south_recorder, agency=other_agency, **details)

    raise_check(0)
    client = client_for(helpline_duty_manager)
    client.get("/api/v1/duplicate-checks/")  # warm the content-type cache
    with django_assert_max_num_queries(40) as small:
        client.get("/api/v1/duplicate-checks/")
    baseline = len(small.captured_queries)
    for n in range(1, 5):
        raise_check(n)
    with django_assert_max_num_queries(baseline) as large:
        rows = client.get("/api/v1/duplicate-checks/").json()["results"]
    assert len(rows) == 5
    assert len(large.captured_queries) == baseline


def test_duplicate_check_retrieve_access(
    child, helpline_duty_manager, helpline_worker, other_agency, south_duty_manager
):
    _, finding = services.record_child(
        actor=member(other_agency, Role.SOCIAL_WORKER),
        agency=other_agency,
        given_name="Amelia",
        family_name="Stone",
        date_of_birth=date(2011, 5, 4),
    )
    check = finding.checks[0]
    for duty_manager in (helpline_duty_manager, south_duty_manager):
        response = assert_access(
            Call(
                "get",
                f"/api/v1/duplicate-checks/{check.pk}/",
                missing_url=f"/api/v1/duplicate-checks/{check.pk + 1000}/",
            ),
            allowed=duty_manager,
            outsider=member(AgencyFactory(), Role.DUTY_MANAGER),
            wrong_role=helpline_worker if duty_manager == helpline_duty_manager else None,
        )
        assert response.json()["status"] == "open"
