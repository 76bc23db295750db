"""Writing events: the chain links, what each event holds, and audit_verify on an intact chain."""

import itertools
import uuid
from datetime import UTC

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory

from agencies import services
from agencies.models import Role
from agencies.selectors import ACTIVE_AGENCY_SESSION_KEY
from audit.models import GENESIS_HASH, AuditAction, AuditChainHead, AuditEvent, event_hash
from audit.services import ChainProblem, record, verify_chain
from core.logging import current_request_id
from tests.audit.backdoor import triggers_suspended
from tests.factories import AgencyFactory, member

pytestmark = pytest.mark.django_db


def test_events_form_a_gap_free_hash_chain(social_worker, social_services):
    before = AuditEvent.objects.count()
    for index in range(5):
        record(AuditAction.VIEW, actor=social_worker, obj=social_services, details={"n": index})

    events = list(AuditEvent.objects.order_by("sequence"))
    assert [e.sequence for e in events] == list(range(1, before + 6))
    assert events[0].previous_hash == GENESIS_HASH
    for earlier, later in itertools.pairwise(events):
        assert later.previous_hash == earlier.hash
        assert later.timestamp >= earlier.timestamp
    for event in events:
        assert event.hash == event_hash(event.hashed_values())
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.hash) == (events[-1].sequence, events[-1].hash)


def test_event_names_object_actor_and_acting_agency(social_worker, social_services):
    event = record(AuditAction.VIEW, actor=social_worker, obj=social_services)
    event.refresh_from_db()
    assert event.object_type == "agencies.agency"
    assert event.object_id == str(social_services.pk)
    assert event.actor == social_worker
    assert event.actor_username == social_worker.username
    assert event.agency == social_services
    assert event.timestamp.utcoffset().total_seconds() == 0
    assert event.timestamp.tzinfo is not None
    assert event.timestamp.astimezone(UTC) == event.timestamp


def test_actor_agency_and_request_id_come_from_the_request(social_services):
    worker = member(social_services, Role.SOCIAL_WORKER)
    second = AgencyFactory(name="A Second Agency")
    services.add_membership(agency=second, user=worker, role=Role.PRACTITIONER, by=None)
    request = RequestFactory().get("/")
    request.user = worker
    request.request_id = "req-0123456789"
    request.session = {ACTIVE_AGENCY_SESSION_KEY: social_services.pk}

    event = record(AuditAction.LIST, object_type="agencies.agency", request=request)

    assert event.actor == worker
    assert event.agency == social_services, "the agency chosen for this session"
    assert event.request_id == "req-0123456789"


def test_without_a_request_the_current_request_id_is_used(social_worker):
    token = current_request_id.set("ctx-request-id")
    try:
        event = record(AuditAction.EXPORT, actor=social_worker, object_type="x.y")
    finally:
        current_request_id.reset(token)
    assert event.request_id == "ctx-request-id"
    assert record(AuditAction.EXPORT, object_type="x.y").request_id == ""


def test_anonymous_actor_is_recorded_as_nobody():
    event = record(AuditAction.DENIED, actor=AnonymousUser(), object_type="x.y")
    assert event.actor is None
    assert event.actor_username == ""
    assert event.agency is None


def test_unknown_action_is_refused(social_worker):
    with pytest.raises(ValueError, match="not a valid"):
        record("teleport", actor=social_worker)


def test_details_are_stored_as_plain_json_and_still_verify(social_worker):
    ref = uuid.uuid4()
    event = record(
        AuditAction.SHARE,
        actor=social_worker,
        object_type="consent.disclosure",
        object_id="7",
        details={"categories": ("health", "education"), "ref": ref, 3: "int key"},
    )
    event.refresh_from_db()
    assert event.details == {
        "categories": ["health", "education"],
        "ref": str(ref),
        "3": "int key",
    }
    assert verify_chain().intact


def test_event_rolls_back_with_the_action_it_records(social_worker):
    before = AuditChainHead.objects.values_list("sequence", flat=True).first() or 0

    def failing_action() -> None:
        with transaction.atomic():
            record(AuditAction.CREATE, actor=social_worker, object_type="x.y", object_id="1")
            raise RuntimeError("the action failed")

    with pytest.raises(RuntimeError):
        failing_action()

    assert (AuditChainHead.objects.values_list("sequence", flat=True).first() or 0) == before
    assert not AuditEvent.objects.filter(object_type="x.y").exists()
    after = record(AuditAction.CREATE, actor=social_worker, object_type="x.y", object_id="2")
    assert after.sequence == before + 1, "a rolled-back event leaves no gap"
    assert verify_chain().intact


def test_audit_verify_exits_zero_with_a_summary_on_an_intact_chain(social_worker, capsys):
    for _ in range(3):
        record(AuditAction.VIEW, actor=social_worker, object_type="x.y", object_id="1")
    expected = verify_chain()

    call_command("audit_verify", chunk_size=2)

    out = capsys.readouterr().out
    assert "Audit chain intact" in out
    assert f"{expected.checked} events" in out
    assert expected.last_hash in out
    verify_event = AuditEvent.objects.order_by("-sequence").first()
    assert verify_event.action == AuditAction.VERIFY
    assert verify_event.details["intact"] is True
    assert verify_chain().intact, "recording the check keeps the chain intact"


def test_audit_verify_exits_non_zero_naming_the_first_broken_sequence(social_worker):
    events = [
        record(AuditAction.VIEW, actor=social_worker, object_type="x.y", object_id=str(n))
        for n in range(4)
    ]
    with triggers_suspended() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET object_id = %s WHERE sequence = %s",
            ["999", events[1].sequence],
        )

    with pytest.raises(CommandError) as raised:
        call_command("audit_verify")

    assert raised.value.returncode == 1
    assert f"broken at sequence {events[1].sequence}" in str(raised.value)
    assert ChainProblem.HASH_MISMATCH.label in str(raised.value)


def test_empty_trail_verifies():
    result = verify_chain()
    assert result.intact
    assert (result.checked, result.last_sequence, result.last_hash) == (0, 0, GENESIS_HASH)
