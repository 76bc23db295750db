"""A referral as HL7 FHIR R4: a ``Task`` whose focus is a contained ``ServiceRequest``.

Identifiers only, never names: the child appears by pseudonymous reference. The concern
narrative is included as the request's note only when the caller may read it.
"""

from typing import Any

from pathways.vocabulary import Urgency
from referrals.models import Referral

SYSTEM = "urn:safeguarding-platform"
PRIORITY: dict[str, str] = {
    Urgency.IMMEDIATE: "stat",
    Urgency.WITHIN_24H: "asap",
    Urgency.WITHIN_72H: "urgent",
    Urgency.ROUTINE: "routine",
}
SERVICE_REQUEST_STATUS: dict[str, str] = {
    "draft": "draft",
    "cancelled": "revoked",
    "declined": "revoked",
    "failed": "revoked",
    "completed": "completed",
    "on_hold": "on-hold",
}


def _instant(value: Any) -> str | None:
    return value.isoformat() if value else None


def _organization(agency: Any) -> dict[str, Any]:
    return {
        "identifier": {"system": f"{SYSTEM}/agency", "value": str(agency.pk)},
        "display": agency.name,
    }


def to_fhir_task(referral: Referral, *, include_concern: bool) -> dict[str, Any]:
    subject = {"identifier": {"system": f"{SYSTEM}/child", "value": referral.child.reference}}
    request: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": "request",
        "identifier": [{"system": f"{SYSTEM}/referral", "value": referral.reference}],
        "status": SERVICE_REQUEST_STATUS.get(referral.status, "active"),
        "intent": "order",
        "priority": PRIORITY[referral.urgency],
        "category": [
            {"coding": [{"system": f"{SYSTEM}/need-category", "code": need}]}
            for need in referral.need_categories
        ],
        "code": {"text": referral.service.name},
        "subject": subject,
        "authoredOn": _instant(referral.created_at),
        "requester": _organization(referral.from_agency),
        "performer": [_organization(referral.to_agency)],
    }
    if include_concern:
        request["note"] = [{"text": referral.concern}]
    task: dict[str, Any] = {
        "resourceType": "Task",
        "id": str(referral.pk),
        "identifier": [{"system": f"{SYSTEM}/referral", "value": referral.reference}],
        "contained": [request],
        "basedOn": [{"reference": "#request"}],
        "focus": {"reference": "#request"},
        "status": referral.fhir_status,
        "intent": "order",
        "priority": PRIORITY[referral.urgency],
        "for": subject,
        "authoredOn": _instant(referral.created_at),
        "lastModified": _instant(referral.updated_at),
        "requester": _organization(referral.from_agency),
        "owner": _organization(referral.to_agency),
        "restriction": {"period": {"end": _instant(referral.respond_by)}}
        if referral.respond_by
        else None,
    }
    if referral.parent_id:
        task["partOf"] = [
            {"identifier": {"system": f"{SYSTEM}/referral", "value": referral.parent.reference}}
        ]
    if referral.status == "declined":
        task["statusReason"] = {"text": referral.decline_reason}
    if referral.status == "completed":
        task["output"] = [{"type": {"text": "outcome"}, "valueString": referral.outcome}]
    return {key: value for key, value in task.items() if value is not None}
