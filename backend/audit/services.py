"""The one audit writer, and the verifier that walks the chain it builds.

Every feature records what people do through :func:`record`, inside the same transaction
as the action itself: if the action rolls back, so does its event, and an event is never
written for something that did not happen.
"""

import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import Agency
from agencies.selectors import active_agency
from audit.models import (
    GENESIS_HASH,
    HASHED_FIELDS,
    AuditAction,
    AuditChainHead,
    AuditEvent,
    event_hash,
)
from core.logging import current_request_id

# Set on the request once a refusal is on record, so the API's exception handler does not
# write a second, vaguer event for the same refusal.
DENIAL_RECORDED_ATTR = "audit_denial_recorded"
_DENIALS = frozenset({AuditAction.DENIED, AuditAction.LOGIN_FAILED})


class ChainHeadMissing(RuntimeError):
    """Events exist but the chain head row is gone: the trail has been tampered with."""


def record(
    action: AuditAction | str,
    *,
    actor: AbstractBaseUser | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    agency: Agency | None = None,
    request: HttpRequest | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit trail, in the caller's transaction.

    ``obj`` fills in ``object_type`` (``app_label.model``) and ``object_id``. Without an
    ``actor``, the signed-in user of ``request`` is the actor; without an ``agency``, the
    agency the actor is working for. ``details`` holds ids, codes and field names only,
    never personal data: the trail is permanent and cannot be corrected.

    Appending locks the chain head until the surrounding transaction ends, so audited
    transactions commit their events one after another and the chain stays gap-free.
    """
    action = AuditAction(action)
    actor = _actor(actor, request)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    if agency is None and actor is not None:
        agency = active_agency(actor, getattr(request, "session", None))
    event = AuditEvent(
        actor=actor,
        actor_username=actor.get_username() if actor is not None else "",
        agency=agency,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        request_id=_request_id(request),
        details=_plain_json(details or {}),
    )
    # In the caller's transaction without a savepoint of its own: if appending fails, what
    # it audits must not commit either.
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        event.sequence = head.sequence + 1
        event.previous_hash = head.hash
        event.timestamp = timezone.now()
        event.hash = event_hash(event.hashed_values())
        event.save(force_insert=True)
        head.sequence = event.sequence
        head.hash = event.hash
        head.save(update_fields=["sequence", "hash"])
    if request is not None and action in _DENIALS:
        setattr(request, DENIAL_RECORDED_ATTR, True)
    return event


def _actor(actor: AbstractBaseUser | None, request: HttpRequest | None) -> AbstractBaseUser | None:
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is None or not actor.is_authenticated:
        return None
    return actor


def _request_id(request: HttpRequest | None) -> str:
    if request is not None and getattr(request, "request_id", ""):
        return request.request_id
    return current_request_id.get()


def _plain_json(details: dict[str, Any]) -> dict[str, Any]:
    """Exactly what the database will hand back, so the hash computed now still matches."""
    return json.loads(json.dumps(details, cls=DjangoJSONEncoder, allow_nan=False))


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # The first event ever. Two first writers may race here: one inserts the head, the
        # other's insert is a no-op and it waits for the head, then carries on after the
        # first writer's event. A fresh head with events already written means it was removed.
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=1)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
        if head.sequence == 0 and AuditEvent.objects.exists():
            raise ChainHeadMissing("The audit chain head is missing; run audit_verify.")
    return head


# --- verification -------------------------------------------------------------------------


class ChainProblem(models.TextChoices):
    HASH_MISMATCH = "hash_mismatch", "a recorded value or the event's hash was changed"
    LINK_BROKEN = "link_broken", "the previous-hash link does not match the event before"
    SEQUENCE_MISSING = "sequence_missing", "the event with this sequence number is missing"
    SEQUENCE_OUT_OF_ORDER = (
        "sequence_out_of_order",
        "this sequence number repeats or is out of order",
    )
    HEAD_MISMATCH = "head_mismatch", "the newest event does not match the chain head"
    BEYOND_HEAD = "beyond_head", "an event exists past the end of the chain"


@dataclass(frozen=True)
class ChainVerification:
    checked: int
    last_sequence: int
    last_hash: str
    first_broken_sequence: int | None = None
    problem: ChainProblem | None = None

    @property
    def intact(self) -> bool:
        return self.first_broken_sequence is None

    def as_details(self) -> dict[str, Any]:
        """What a ``verify`` audit event records about this result."""
        return {
            "intact": self.intact,
            "checked": self.checked,
            "last_sequence": self.last_sequence,
            "last_hash": self.last_hash,
            "first_broken_sequence": self.first_broken_sequence,
        }

    def summary(self) -> str:
        if self.intact:
            return (
                f"Audit chain intact: {self.checked} events, "
                f"last sequence {self.last_sequence}, last hash {self.last_hash}."
            )
        return (
            f"Audit chain broken at sequence {self.first_broken_sequence}: "
            f"{self.problem.label if self.problem else ''}."
        )


def verify_chain(chunk_size: int = 2000) -> ChainVerification:
    """Recompute every hash and link from the first event to the chain head, streaming.

    Stops at the first break and names its sequence number. Events appended while the
    walk runs are left for the next run; they cannot hide a break in the part walked.
    """
    head_sequence, head_hash = AuditChainHead.objects.filter(pk=1).values_list(
        "sequence", "hash"
    ).first() or (0, GENESIS_HASH)
    rows = (
        AuditEvent.objects.filter(sequence__lte=head_sequence)
        .order_by("sequence")
        .values_list(*HASHED_FIELDS, "hash")
        .iterator(chunk_size=chunk_size)
    )
    expected, previous_hash, checked = 1, GENESIS_HASH, 0

    def broken(sequence: int, problem: ChainProblem) -> ChainVerification:
        return ChainVerification(checked, expected - 1, previous_hash, sequence, problem)

    for row in rows:
        values = dict(zip((*HASHED_FIELDS, "hash"), row, strict=True))
        sequence = values["sequence"]
        if sequence > expected:
            return broken(expected, ChainProblem.SEQUENCE_MISSING)
        if sequence < expected:
            return broken(sequence, ChainProblem.SEQUENCE_OUT_OF_ORDER)
        if values["previous_hash"] != previous_hash:
            return broken(sequence, ChainProblem.LINK_BROKEN)
        if event_hash(values) != values["hash"]:
            return broken(sequence, ChainProblem.HASH_MISMATCH)
        previous_hash = values["hash"]
        expected += 1
        checked += 1
    if expected <= head_sequence:
        return broken(expected, ChainProblem.SEQUENCE_MISSING)
    if previous_hash != head_hash:
        return broken(head_sequence, ChainProblem.HEAD_MISMATCH)
    forged = _first_event_past_head()
    if forged is not None:
        return broken(forged, ChainProblem.BEYOND_HEAD)
    return ChainVerification(checked, head_sequence, head_hash)


def _first_event_past_head() -> int | None:
    # Under the head lock no append is half-done, so anything past the head is foreign.
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        end = head.sequence if head is not None else 0
        return (
            AuditEvent.objects.filter(sequence__gt=end)
            .order_by("sequence")
            .values_list("sequence", flat=True)
            .first()
        )
