"""Legal holds: a DPO puts a child's records beyond the retention job until released."""

import pytest

from audit.models import AuditAction, AuditEvent
from governance.models import LegalHold
from tests.access import Call, assert_access
from tests.factories import child_record
from tests.governance.conftest import MISSING

pytestmark = pytest.mark.django_db

HOLDS = "/api/v1/legal-holds/"
WHY = "Civil claim filed; preserve everything about this child."


@pytest.fixture
def own_child(social_services):
    return child_record(social_services, given_name="Ivy")


def hold_url(hold: LegalHold | str, suffix: str = "") -> str:
    return f"{HOLDS}{getattr(hold, 'pk', hold)}/{suffix}"


def test_a_dpo_holds_a_record_they_can_see(client_for, dpo, own_child):
    response = client_for(dpo).post(HOLDS, {"child": str(own_child.pk), "reason": WHY})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["child_reference"] == own_child.reference
    assert body["is_active"] is True
    assert body["reason"] == WHY
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=body["id"])
    assert event.actor == dpo
    assert event.details == {"child": str(own_child.pk)}


def test_a_record_out_of_sight_cannot_be_held(client_for, dpo, south_child):
    hidden = client_for(dpo).post(HOLDS, {"child": str(south_child.pk), "reason": WHY})
    missing = client_for(dpo).post(HOLDS, {"child": MISSING, "reason": WHY})
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["errors"].keys() == {"child"}
    assert not LegalHold.objects.exists()


def test_only_dpos_hold_records_once_per_agency(
    client_for, dpo, second_dpo, social_worker, own_child
):
    data = {"child": str(own_child.pk), "reason": WHY}
    assert client_for(social_worker).post(HOLDS, data).status_code == 403
    assert client_for(dpo).post(HOLDS, data).status_code == 201
    assert client_for(second_dpo).post(HOLDS, data).status_code == 409
    assert LegalHold.objects.count() == 1


def test_release_keeps_the_hold_on_record(client_for, dpo, social_worker, south_dpo, own_child):
    hold = client_for(dpo).post(HOLDS, {"child": str(own_child.pk), "reason": WHY}).json()
    response = assert_access(
        Call(
            "post",
            hold_url(hold["id"], "release/"),
            {"note": "Claim settled."},
            hold_url(MISSING, "release/"),
        ),
        allowed=dpo,
        outsider=south_dpo,
        wrong_role=social_worker,
        allowed_status=200,
    )
    body = response.json()
    assert body["is_active"] is False
    assert body["released_by"]["id"] == dpo.pk
    assert body["release_note"] == "Claim settled."
    assert LegalHold.objects.filter(pk=hold["id"]).exists()
    assert client_for(dpo).post(hold_url(hold["id"], "release/"), {}).status_code == 409


def test_dpos_list_their_agencys_holds(client_for, dpo, south_dpo, own_child, social_services):
    client = client_for(dpo)
    first = client.post(HOLDS, {"child": str(own_child.pk), "reason": WHY}).json()
    other = child_record(social_services)
    second = client.post(HOLDS, {"child": str(other.pk), "reason": WHY}).json()
    client.post(hold_url(second["id"], "release/"), {})

    every = {row["id"] for row in client.get(HOLDS).json()["results"]}
    active = {row["id"] for row in client.get(HOLDS, {"active": "true"}).json()["results"]}
    assert every == {first["id"], second["id"]}
    assert active == {first["id"]}
    assert client_for(south_dpo).get(HOLDS).json()["results"] == []
    assert client.get(hold_url(first["id"])).json()["id"] == first["id"]
