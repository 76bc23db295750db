"""Open Referral HSDS 3.0: export validates, import is idempotent and all-or-nothing per file."""

import json
import os
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Model
from django.utils import timezone

from audit.models import AuditEvent
from pathways import hsds, hsds_conformance, services
from pathways.models import (
    Location,
    OrganizationRecord,
    Service,
    ServiceAtLocation,
    ServiceNeed,
)
from pathways.services import import_directory
from tests.pathways.conftest import make_service

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/directory/export/"
IMPORT = "/api/v1/directory/import/"


@pytest.fixture
def directory(social_services, police, north, south, agency_admin):
    """Services and locations using every field the platform stores."""
    office = Location.objects.create(
        agency=social_services,
        name="Civic Centre",
        description="Ground floor",
        address_1="1 Civic Square",
        city="Northton",
        state_province="North",
        postal_code="AB1 2CD",
        country="GB",
        latitude=51.5,
        longitude=-0.12,
    )
    online = Location.objects.create(
        agency=police,
        name="Online reporting",
        location_type="virtual",
        url="https://police.example/report",
    )
    family = make_service(
        social_services,
        "Family Support",
        ["family_support", "financial_assistance"],
        regions=[north, south],
        alternate_name="FSS",
        description="Child protection social work.",
        url="https://social.example/family",
        email="family@social.example",
        phone="0300 111 2222",
        contact_name="Duty desk",
        opening_hours="Mon-Fri 09:00-17:00",
        minimum_age=0,
        maximum_age=18,
        eligibility_description="Children living in the North.",
        languages=["en", "pl"],
        intake_status="waitlist",
        acknowledge_immediate_hours=2,
        acknowledge_within_24h_hours=6,
        acknowledge_within_72h_hours=30,
        acknowledge_routine_hours=100,
    )
    services.verify_service(family, actor=agency_admin)
    unit = make_service(police, "Investigation Unit", ["police_investigation"], is_active=False)
    ServiceAtLocation.objects.create(service=family, location=office, description="Drop-in")
    ServiceAtLocation.objects.create(service=unit, location=online)
    return family, unit


def test_export_validates_against_the_hsds_schema(directory, social_worker, client_for):
    response = client_for(social_worker).get(EXPORT)

    assert response.status_code == 200
    document = response.json()
    assert document["hsds_version"] == "3.0"
    assert len(document["organizations"]) == 2
    assert len(document["services"]) == 2
    assert len(document["locations"]) == 2
    assert len(document["service_at_locations"]) == 2
    for key, kind in hsds.BUNDLE_KEYS.items():
        for record in document[key]:
            assert hsds.validation_errors(kind, record) == [], (key, record["id"])
    family = next(s for s in document["services"] if s["name"] == "Family Support")
    assert family["status"] == "active"
    assert {a["taxonomy_term"]["code"] for a in family["attributes"]} == {
        "family_support",
        "financial_assistance",
    }
    assert family["x_safeguarding"]["intake_status"] == "waitlist"
    assert AuditEvent.objects.filter(action="export").exists()


def test_the_schema_catches_what_hsds_forbids():
    assert hsds.validation_errors("service", {"id": "not-a-uuid", "name": "x"}) == [
        "(object): 'status' is a required property",
        ".id: not a valid uuid",
    ]
    bad_status = {"id": str(uuid.uuid4()), "name": "x", "status": "open"}
    assert hsds.validation_errors("service", bad_status)[0].startswith(".status: must be one of")


def _without_ids(obj: Model) -> dict:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname
        not in {"id", "created_at", "updated_at", "agency_id", "service_id", "location_id"}
    }


def _stored() -> dict:
    services_ = {
        str(s.hsds_id): (
            _without_ids(s),
            s.agency.name,
            sorted(s.need_categories),
            sorted(r.code for r in s.service_areas.all()),
        )
        for s in Service.objects.prefetch_related("needs", "service_areas").select_related("agency")
    }
    locations = {
        str(loc.hsds_id): (_without_ids(loc), loc.agency.name) for loc in Location.objects.all()
    }
    links = {
        str(link.hsds_id): (
            _without_ids(link),
            str(link.service.hsds_id),
            str(link.location.hsds_id),
        )
        for link in ServiceAtLocation.objects.select_related("service", "location")
    }
    records = {
        str(r.hsds_id): (_without_ids(r), r.agency.name) for r in OrganizationRecord.objects.all()
    }
    return {"services": services_, "locations": locations, "links": links, "records": records}


def test_export_import_round_trip_into_an_empty_directory_loses_nothing(directory, tmp_path):
    first = services.export_directory(actor=None)
    before = _stored()
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(first))

    ServiceAtLocation.objects.all().delete()
    ServiceNeed.objects.all().delete()
    Service.objects.all().delete()
    Location.objects.all().delete()
    OrganizationRecord.objects.all().delete()

    call_command("import_hsds", str(path))

    assert _stored() == before
    assert services.export_directory(actor=None) == first


def test_import_is_idempotent_by_hsds_id(directory):
    document = services.export_directory(actor=None)
    ServiceAtLocation.objects.all().delete()
    Service.objects.filter(name="Investigation Unit").delete()

    unit_id = next(s["id"] for s in document["services"] if s["name"] == "Investigation Unit")
    first = import_directory(document, actor=None, administered=None)
    assert {(o.type, o.id) for o in first.created} == {
        ("service", unit_id),
        ("service_at_location", document["service_at_locations"][0]["id"]),
        ("service_at_location", document["service_at_locations"][1]["id"]),
    }
    counts = (Service.objects.count(), Location.objects.count(), ServiceAtLocation.objects.count())

    second = import_directory(document, actor=None, administered=None)
    assert second.created == second.updated == second.skipped == []
    assert len(second.unchanged) == 2 + 2 + 2 + 2
    assert counts == (
        Service.objects.count(),
        Location.objects.count(),
        ServiceAtLocation.objects.count(),
    )

    document["services"][0]["description"] = "Changed upstream"
    third = import_directory(document, actor=None, administered=None)
    assert [(o.type, o.id) for o in third.updated] == [("service", document["services"][0]["id"])]
    changed = Service.objects.get(hsds_id=document["services"][0]["id"])
    assert changed.description == "Changed upstream"


def test_an_invalid_file_changes_nothing(directory, agency_admin, client_for):
    document = services.export_directory(actor=None)
    document["services"][0]["name"] = "Renamed"
    document["services"][1]["id"] = "not-a-uuid"
    before = _stored()

    response = client_for(agency_admin).post(IMPORT, document, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["file"] == ["services[1].id: not a valid uuid"]
    assert _stored() == before
    with pytest.raises(hsds.InvalidDocument):
        import_directory([{"id": str(uuid.uuid4())}, 3], actor=None, administered=None)


def test_a_file_that_is_not_json_is_refused_by_the_command(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(CommandError, match="not JSON"):
        call_command("import_hsds", str(path))


def test_dangling_references_are_reported_not_crashed_on(social_services, agency_admin, client_for):
    record = OrganizationRecord.objects.create(agency=social_services)
    good = str(uuid.uuid4())
    orphan = str(uuid.uuid4())
    link = str(uuid.uuid4())
    document = [
        {
            "id": good,
            "organization_id": str(record.hsds_id),
            "name": "Good",
            "status": "active",
            "service_areas": [{"id": str(uuid.uuid4()), "name": "North"}],
        },
        {"id": orphan, "organization_id": str(uuid.uuid4()), "name": "Orphan", "status": "active"},
        {
            "id": str(uuid.uuid4()),
            "organization_id": str(record.hsds_id),
            "name": "Nowhere",
            "status": "active",
            "service_areas": [{"id": str(uuid.uuid4()), "name": "Atlantis"}],
        },
        {
            "id": str(uuid.uuid4()),
            "organization_id": str(record.hsds_id),
            "name": "Linked",
            "status": "active",
            "service_at_locations": [
                {"id": link, "location_id": str(uuid.uuid4())},
            ],
        },
    ]

    response = client_for(agency_admin).post(IMPORT, document, format="json")

    assert response.status_code == 200, response.content
    report = response.json()
    assert sorted(row["id"] for row in report["created"]) == sorted([good, document[3]["id"]])
    reasons = {row["where"]: row["reason"] for row in report["skipped"]}
    assert reasons == {
        "[1]": "dangling reference: organization_id matches no organization",
        "[2]": "service_areas[0] is not a region on the platform",
        "[3].service_at_locations[0]": "dangling reference: location_id matches no location",
    }
    assert Service.objects.get(hsds_id=good).service_areas.get().code == "north"
    assert AuditEvent.objects.filter(action="import").exists()


def test_an_admin_imports_only_into_their_own_agencies(
    social_services, other_agency, agency_admin, client_for
):
    theirs = OrganizationRecord.objects.create(agency=other_agency)
    ours = OrganizationRecord.objects.create(agency=social_services)
    document = [
        {
            "id": str(theirs.hsds_id),
            "name": other_agency.name,
            "description": "Theirs",
            "services": [{"id": str(uuid.uuid4()), "name": "Planted", "status": "active"}],
        },
        {"id": str(uuid.uuid4()), "name": "Unknown org", "description": "?"},
        {
            "id": str(ours.hsds_id),
            "name": social_services.name,
            "description": "Ours",
            "services": [{"id": str(uuid.uuid4()), "name": "Ours", "status": "active"}],
        },
    ]

    report = client_for(agency_admin).post(IMPORT, document, format="json").json()

    skipped = {row["where"]: row["reason"] for row in report["skipped"]}
    assert skipped == {
        "[0]": services.NOT_YOURS,
        "[0].services[0]": "its organization was skipped",
        "[1]": services.NOT_YOURS,
    }
    assert list(Service.objects.values_list("name", flat=True)) == ["Ours"]
    assert OrganizationRecord.objects.get(pk=theirs.pk).description == ""


def test_unknown_hsds_fields_survive_an_import_and_export(social_services):
    org_id, service_id, location_id = (str(uuid.uuid4()) for _ in range(3))
    document = {
        "id": org_id,
        "name": social_services.name,
        "description": "Social services",
        "legal_status": "Local authority",
        "services": [
            {
                "id": service_id,
                "name": "Family Support",
                "status": "active",
                "fees_description": "Free",
                "program": {
                    "id": str(uuid.uuid4()),
                    "name": "Early help",
                    "description": "Support before problems escalate",
                },
                "phones": [
                    {"id": str(uuid.uuid4()), "number": "0300 1"},
                    {"id": str(uuid.uuid4()), "number": "0300 2", "type": "text"},
                ],
                "attributes": [
                    {
                        "id": str(uuid.uuid4()),
                        "taxonomy_term": {
                            "id": str(uuid.uuid4()),
                            "code": "family_support",
                            "name": "Family",
                            "description": "Family",
                        },
                    },
                    {"id": str(uuid.uuid4()), "value": "wheelchair"},
                ],
                "service_at_locations": [
                    {
                        "id": str(uuid.uuid4()),
                        "location": {
                            "id": location_id,
                            "location_type": "physical",
                            "name": "Hub",
                            "transportation": "Bus 1",
                            "organization_id": org_id,
                        },
                    }
                ],
            }
        ],
    }

    report = import_directory(document, actor=None, administered=None)
    assert report.skipped == []

    service = Service.objects.get(hsds_id=service_id)
    assert service.phone == "0300 1"
    assert service.need_categories == ["family_support"]
    exported = services.export_directory(actor=None)
    out = next(s for s in exported["services"] if s["id"] == service_id)
    assert out["fees_description"] == "Free"
    assert out["program"]["name"] == "Early help"
    assert [p["number"] for p in out["phones"]] == ["0300 1", "0300 2"]
    assert {"value": "wheelchair"}.items() <= out["attributes"][1].items()
    location = next(loc for loc in exported["locations"] if loc["id"] == location_id)
    assert location["transportation"] == "Bus 1"
    org = next(o for o in exported["organizations"] if o["id"] == org_id)
    assert org["legal_status"] == "Local authority"


def test_the_export_command_writes_the_same_document(directory, tmp_path):
    path = tmp_path / "out.json"
    call_command("export_hsds", "--output", str(path))
    assert json.loads(path.read_text()) == services.export_directory(actor=None)


def test_verification_time_round_trips_exactly(directory, agency_admin):
    family, _ = directory
    moment = timezone.now() - timedelta(days=3, microseconds=7)
    Service.objects.filter(pk=family.pk).update(last_verified_at=moment)
    document = services.export_directory(actor=None)
    Service.objects.filter(pk=family.pk).update(last_verified_at=None, last_verified_by=None)

    import_directory(document, actor=None, administered=None)

    family = Service.objects.get(pk=family.pk)
    assert family.last_verified_at == moment
    assert family.last_verified_by == agency_admin


# --- conformance with the official HSDS schema files ---------------------------------------


def test_uris_are_checked():
    service = {"id": str(uuid.uuid4()), "name": "x", "status": "active"}

    assert hsds.validation_errors("service", {**service, "url": "www.example.org"}) == [
        ".url: not a valid uri"
    ]
    assert hsds.validation_errors("service", {**service, "url": "https://x.example/a%20b"}) == []


def test_internationalised_urls_are_exported_as_uris(social_services):
    social_services.website = "https://bücher.example/"
    social_services.save()
    make_service(social_services, "Hilfe", ["family_support"], url="https://x.example/für")
    Location.objects.create(
        agency=social_services, name="Online", location_type="virtual", url="https://x.example/ö"
    )

    document = services.export_directory(actor=None)

    assert document["organizations"][0]["website"] == "https://b%C3%BCcher.example/"
    assert document["services"][0]["url"] == "https://x.example/f%C3%BCr"
    assert document["locations"][0]["url"] == "https://x.example/%C3%B6"
    for key, kind in hsds.BUNDLE_KEYS.items():
        assert all(hsds.validation_errors(kind, record) == [] for record in document[key])


def test_last_modified_is_a_date_time():
    service = {"id": str(uuid.uuid4()), "name": "x", "status": "active"}

    assert hsds.validation_errors("service", {**service, "last_modified": "yesterday"}) == [
        ".last_modified: not a valid date-time"
    ]
    assert (
        hsds.validation_errors("service", {**service, "last_modified": "2026-11-23T10:30:45Z"})
        == []
    )


CHANGE = {
    "last_action_date": "2026-11-23",
    "last_action_type": "update",
    "previous_value": "a",
    "replacement_value": "b",
    "updated_by": "c",
}


@pytest.mark.parametrize(
    ("nested", "error"),
    [
        ({"program": {"id": str(uuid.uuid4()), "name": "x"}}, "'description' is a required"),
        ({"funding": [{"id": str(uuid.uuid4()), "service_id": "7"}]}, "not a valid uuid"),
        ({"cost_options": [{"id": str(uuid.uuid4()), "amount": "35"}]}, "must be of type number"),
        ({"required_documents": [{"id": str(uuid.uuid4()), "uri": "form"}]}, "not a valid uri"),
        ({"metadata": [{"id": str(uuid.uuid4()), **CHANGE}]}, "'field_name' is a required"),
    ],
)
def test_objects_kept_verbatim_are_checked_in_full(nested, error):
    service = {"id": str(uuid.uuid4()), "name": "x", "status": "active", **nested}

    [problem] = hsds.validation_errors("service", service)

    assert error in problem


def test_postal_locations_are_hsds_but_not_imported(social_services):
    record = OrganizationRecord.objects.create(agency=social_services)
    postal = {"id": str(uuid.uuid4()), "location_type": "postal", "name": "PO Box"}
    assert hsds.validation_errors("location", postal) == []

    document = {"locations": [{**postal, "organization_id": str(record.hsds_id)}]}
    report = import_directory(document, actor=None, administered=None)

    assert [(row.where, row.reason) for row in report.skipped] == [
        ("locations[0]", "location_type is not one of physical, virtual")
    ]
    assert not Location.objects.exists()


def _official_folder_from_platform_schema(folder: Path) -> None:
    """Files shaped like the official ones (one object a file, relative $refs), made from the
    platform's own schema: exercises the comparison without any official content."""
    schema = json.loads(hsds.SCHEMA_FILE.read_text())
    for name, definition in schema["$defs"].items():
        text = json.dumps(definition)
        for other in schema["$defs"]:
            text = text.replace(f'"#/$defs/{other}"', f'"{other}.json"')
        (folder / f"{name}.json").write_text(text)


def test_the_conformance_check_reports_keyword_differences(directory, tmp_path):
    _official_folder_from_platform_schema(tmp_path)
    assert hsds_conformance.keyword_differences(tmp_path) == []
    check = hsds_conformance.check_export(services.export_directory(actor=None), tmp_path)
    assert (check.checked, check.invalid, check.errors) == (8, 0, [])

    service = json.loads((tmp_path / "service.json").read_text())
    service["required"].append("url")
    (tmp_path / "service.json").write_text(json.dumps(service))
    assert hsds_conformance.keyword_differences(tmp_path) == [
        "service.required: official ['id', 'name', 'status', 'url'], "
        "platform ['id', 'name', 'status']"
    ]
    check = hsds_conformance.check_export(services.export_directory(actor=None), tmp_path)
    unit = next(s for s in services.export_directory(actor=None)["services"] if "url" not in s)
    assert (check.invalid, check.errors) == (1, [f"service {unit['id']} /: fails 'required'"])


def test_the_conformance_command_needs_the_official_files(tmp_path):
    with pytest.raises(CommandError, match="does not hold the HSDS schema files"):
        call_command("check_hsds_official", str(tmp_path))


OFFICIAL = os.environ.get("HSDS_OFFICIAL_SCHEMA_DIR")


@pytest.mark.skipif(not OFFICIAL, reason="HSDS_OFFICIAL_SCHEMA_DIR is not set (see SOURCE.md)")
def test_the_platform_matches_the_official_hsds_schemas(directory):
    folder = Path(str(OFFICIAL))

    assert hsds_conformance.keyword_differences(folder) == []
    check = hsds_conformance.check_export(services.export_directory(actor=None), folder)
    assert check.errors == []
    assert check.checked == 8
