"""The tamper-evident audit trail: who did what to which object, when, in a hash chain.

Each event carries the hash of the event before it, and its own hash covers every recorded
value (see :func:`event_hash`), so changing, removing or inserting an event breaks the chain
from that point on. The table is append-only in the database itself: triggers installed by
migration ``0002`` reject UPDATE, DELETE and TRUNCATE.

``details`` never holds personal data: callers pass ids, codes and field names only (never
names, narratives, contact details or anything typed by a user), because the trail is
kept for good and cannot be corrected.
"""

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import models

from agencies.models import Agency

GENESIS_HASH = "0" * 64

# The values each hash covers, in the order the chain records them.
HASHED_FIELDS = (
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
)


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    TRANSITION = "transition", "Changed state"
    SHARE = "share", "Shared or disclosed"
    EXPORT = "export", "Exported"
    IMPORT = "import", "Imported"
    GRANT = "grant", "Granted access"
    REVOKE = "revoke", "Revoked access"
    DELETE_SOFT = "delete_soft", "Ended or withdrawn (kept on record)"
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Sign-in failed"
    LOGOUT = "logout", "Signed out"
    TOKEN_USE = "token_use", "Used an API token"
    DENIED = "denied", "Refused"
    VERIFY = "verify", "Verified the audit trail"
    PURGE = "purge", "Purged under the retention policy"


class AuditEvent(models.Model):
    sequence = models.PositiveBigIntegerField(primary_key=True)
    timestamp = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    # The staff username at the time, so the record reads the same after a rename.
    actor_username = models.CharField(max_length=150, blank=True)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        help_text="The agency the actor was working for.",
    )
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100, blank=True, help_text="app_label.model")
    object_id = models.CharField(max_length=100, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True, help_text="Ids and codes only.")
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "timestamp"], name="audit_actor_time_idx"),
            models.Index(fields=["action"], name="audit_action_idx"),
            models.Index(fields=["timestamp"], name="audit_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sequence__gte=1), name="audit_sequence_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"

    def hashed_values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in HASHED_FIELDS}


class AuditChainHead(models.Model):
    """The newest event's sequence and hash, in one row.

    Appending locks this row for the rest of the surrounding transaction, so concurrent
    writers queue and the chain stays gap-free. It also anchors the chain's end: an event
    removed from the end, or added past it, no longer matches the head.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_single_row"),
        ]

    def __str__(self) -> str:
        return f"head #{self.sequence}"


_CANONICAL_JSON = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical_form(values: Mapping[str, Any]) -> bytes:
    """One byte string per event: sorted-key compact JSON, the timestamp as UTC ISO 8601."""
    prepared = {name: values[name] for name in HASHED_FIELDS}
    timestamp: datetime = prepared["timestamp"]
    prepared["timestamp"] = timestamp.astimezone(UTC).isoformat(timespec="microseconds")
    return _CANONICAL_JSON.encode(prepared).encode()


def event_hash(values: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_form(values)).hexdigest()
