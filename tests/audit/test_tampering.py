"""Tampering behind the triggers' back: every change, removal or insertion breaks the chain,
and verification names the first broken sequence number."""

import random
import string
from datetime import timedelta

import pytest
from django.db import connection, transaction

from agencies.models import Role
from audit.models import GENESIS_HASH, AuditAction, AuditChainHead, AuditEvent, event_hash
from audit.services import ChainHeadMissing, ChainProblem, record, verify_chain
from tests.audit.backdoor import TABLE, triggers_suspended
from tests.factories import AgencyFactory, member

pytestmark = pytest.mark.django_db

TAMPERINGS = 1000
CHAIN_LENGTH = 120
COLUMNS = [
    "sequence",
    "timestamp",
    "actor_id",
    "actor_username",
    "agency_id",
    "action",
    "object_type",
    "object_id",
    "request_id",
    "details",
    "previous_hash",
    "hash",
]


@pytest.fixture
def chain(social_services):
    """About 120 varied events; returns (events by sequence, the staff and agencies used)."""
    rng = random.Random(20261123)
    agencies = [social_services, AgencyFactory(name="Tamper Police")]
    staff = [member(agencies[i % 2], Role.SOCIAL_WORKER) for i in range(3)]
    actions = list(AuditAction)
    for n in range(CHAIN_LENGTH):
        record(
            rng.choice(actions),
            actor=rng.choice([*staff, None]),
            agency=rng.choice([*agencies, None]),
            object_type=rng.choice(["referrals.referral", "children.child", ""]),
            object_id=str(rng.randint(1, 500)) if n % 7 else "",
            details=rng.choice([{}, {"ids": ["1", "2"]}, {"fields": ["phone"], "n": n}]),
        )
    events = {e["sequence"]: e for e in AuditEvent.objects.values(*COLUMNS)}
    assert verify_chain().intact
    return events, staff, agencies


def _other(value, choices, rng):
    return rng.choice([c for c in choices if c != value])


def _changed_text(value: str, rng: random.Random) -> str:
    if value and rng.random() < 0.3:
        return ""
    position = rng.randint(0, len(value))
    replacement = _other(value[position : position + 1], string.ascii_letters + string.digits, rng)
    return value[:position] + replacement + value[position + 1 :]


def _changed_hex(value: str, rng: random.Random) -> str:
    position = rng.randrange(len(value))
    replacement = _other(value[position], "0123456789abcdef", rng)
    return value[:position] + replacement + value[position + 1 :]


def tampered_value(column, value, rng, staff, agencies, last_sequence):
    """A different value for ``column``, already in the form the database takes."""
    if column == "sequence":
        return last_sequence + rng.randint(1, 10_000)
    if column == "timestamp":
        shift = timedelta(microseconds=rng.choice([-1, 1]) * rng.randint(1, 10**11))
        return connection.ops.adapt_datetimefield_value(value + shift)
    if column == "actor_id":
        return _other(value, [u.pk for u in staff] + [None], rng)
    if column == "agency_id":
        return _other(value, [a.pk for a in agencies] + [None], rng)
    if column == "action":
        return _other(value, list(AuditAction.values), rng)
    if column == "details":
        changed = dict(value)
        if changed and rng.random() < 0.5:
            changed.pop(rng.choice(list(changed)))
        else:
            changed["ids"] = [str(rng.randint(1, 10**6))]
        return AuditEvent._meta.get_field("details").get_db_prep_value(changed, connection)
    if column in ("previous_hash", "hash"):
        return _changed_hex(value, rng)
    return _changed_text(value, rng)


def test_each_of_a_thousand_random_single_value_tamperings_is_caught(chain):
    events, staff, agencies = chain
    rng = random.Random(3)
    last_sequence = max(events)
    tampered_columns = set()
    with triggers_suspended() as cursor:
        for attempt in range(TAMPERINGS):
            sequence = rng.choice(list(events))
            column = rng.choice(COLUMNS)
            value = tampered_value(
                column, events[sequence][column], rng, staff, agencies, last_sequence
            )
            savepoint = transaction.savepoint()
            cursor.execute(
                f"UPDATE {TABLE} SET {column} = %s WHERE sequence = %s",  # noqa: S608
                [value, sequence],
            )
            assert cursor.rowcount == 1
            result = verify_chain()
            transaction.savepoint_rollback(savepoint)

            assert not result.intact, f"attempt {attempt}: {column} of #{sequence} not caught"
            assert result.first_broken_sequence == sequence, (
                f"attempt {attempt}: {column} of #{sequence} reported at "
                f"#{result.first_broken_sequence} ({result.problem})"
            )
            tampered_columns.add(column)
    assert tampered_columns == set(COLUMNS)
    assert verify_chain().intact, "every tampering was rolled back"


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_a_deleted_event_is_caught(chain, where):
    events, _, _ = chain
    sequence = {"first": 1, "middle": max(events) // 2, "last": max(events)}[where]
    with triggers_suspended() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE sequence = %s", [sequence])  # noqa: S608

    result = verify_chain()
    assert result.first_broken_sequence == sequence
    assert result.problem == ChainProblem.SEQUENCE_MISSING


def _forged(sequence: int, previous_hash: str, **fields) -> AuditEvent:
    """An event built as record() would, but inserted directly with a valid-looking hash."""
    last = AuditEvent.objects.order_by("-sequence").first()
    event = AuditEvent(
        sequence=sequence,
        timestamp=last.timestamp + timedelta(seconds=1),
        action=AuditAction.VIEW,
        object_type="children.child",
        object_id="42",
        previous_hash=previous_hash,
        **fields,
    )
    event.hash = event_hash(event.hashed_values())
    return event


def test_a_forged_event_appended_past_the_head_is_caught(chain):
    head = AuditChainHead.objects.get()
    _forged(head.sequence + 1, head.hash).save(force_insert=True)

    result = verify_chain()
    assert result.first_broken_sequence == head.sequence + 1
    assert result.problem == ChainProblem.BEYOND_HEAD


def test_a_forged_event_far_past_the_head_is_caught(chain):
    head = AuditChainHead.objects.get()
    _forged(head.sequence + 50, GENESIS_HASH).save(force_insert=True)

    assert verify_chain().first_broken_sequence == head.sequence + 50


def test_an_event_replaced_by_a_rehashed_forgery_is_caught_by_its_successor(chain):
    events, _, _ = chain
    sequence = max(events) // 3
    original = AuditEvent.objects.get(sequence=sequence)
    with triggers_suspended() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE sequence = %s", [sequence])  # noqa: S608
    forged = _forged(sequence, original.previous_hash)
    forged.timestamp = original.timestamp
    forged.hash = event_hash(forged.hashed_values())
    forged.save(force_insert=True)

    result = verify_chain()
    assert result.first_broken_sequence == sequence + 1
    assert result.problem == ChainProblem.LINK_BROKEN


def test_a_moved_chain_head_is_caught(chain):
    events, _, _ = chain
    AuditChainHead.objects.update(sequence=max(events) - 1)

    result = verify_chain()
    assert not result.intact
    assert result.problem == ChainProblem.HEAD_MISMATCH


def test_a_removed_chain_head_is_caught_and_stops_further_auditing(chain, social_worker):
    AuditChainHead.objects.all().delete()

    result = verify_chain()
    assert result.first_broken_sequence == 1
    assert result.problem == ChainProblem.BEYOND_HEAD
    with pytest.raises(ChainHeadMissing):
        record(AuditAction.VIEW, actor=social_worker)
