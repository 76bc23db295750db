"""The subject access export: what the platform holds about one child, for the DPO.

It answers a subject access request (UK GDPR Art 15) for the DPO's agency: the child record
as that agency may see it, the consent records and disclosures the agency can see. Other
people's personal data is redacted and each redaction is listed:

* staff become their role and agency ("Duty manager, North Social Services");
* guardian contacts keep the relationship, not the person's name or contact details;
* the name of an adult who gave or refused consent is removed.

Free text written by staff (capacity notes, withdrawal reasons, override justifications) is
about the child but may mention others; it is kept and listed under ``review`` for the DPO
to read before release.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from agencies.models import Agency, Membership, Role
from children.models import CHILD_CATEGORIES, FIELDS_BY_CATEGORY, Child
from consent.models import ConsentRecord, Disclosure, GivenBy
from core import access

GUARDIAN_PERSONAL_KEYS = ("name", "phone", "email")


class _Document:
    def __init__(self) -> None:
        self.redactions: list[dict[str, str]] = []
        self.review: list[str] = []

    def redact(self, path: str, reason: str) -> None:
        self.redactions.append({"path": path, "reason": reason})


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class _StaffNames:
    """Replaces a member of staff by their role in an agency: one query for everyone."""

    def __init__(self, user_ids: set[int]) -> None:
        self.roles: dict[tuple[int, int], str] = {}
        for membership in Membership.objects.filter(user__in=user_ids).order_by("role"):
            self.roles.setdefault(
                (membership.user_id, membership.agency_id), Role(membership.role).label
            )

    def __call__(self, user_id: int | None, agency: Agency | None) -> dict[str, str] | None:
        if user_id is None:
            return None
        role = self.roles.get((user_id, agency.pk)) if agency else None
        return {"role": role or "Staff member", "agency": agency.name if agency else ""}


def subject_access_document(child: Child, *, viewer: AbstractBaseUser) -> dict[str, Any]:
    from consent.services import categories_disclosed_to  # consent builds on children

    doc = _Document()
    visible = categories_disclosed_to(viewer, child)
    consents = list(
        access.visible_to(viewer, ConsentRecord.objects.filter(child=child))
        .select_related("recorded_by_agency", "withdrawn_by_agency")
        .prefetch_related("recipient_agencies")
        .order_by("recorded_at", "pk")
    )
    disclosures = list(
        access.visible_to(viewer, Disclosure.objects.filter(child=child))
        .select_related("recipient_agency", "disclosed_by_agency", "override__agency")
        .order_by("disclosed_at", "pk")
    )
    staff_ids = {c.recorded_by_id for c in consents} | {c.withdrawn_by_id for c in consents}
    staff_ids |= {d.disclosed_by_id for d in disclosures} | {
        d.recipient_user_id for d in disclosures
    }
    staff_ids |= {d.override.authorised_by_id for d in disclosures if d.override}
    staff = _StaffNames({pk for pk in staff_ids if pk is not None})

    return {
        "generated_at": timezone.now().isoformat(),
        "child": _child_part(child, visible, doc),
        "consents": [_consent_part(c, i, staff, doc) for i, c in enumerate(consents)],
        "disclosures": [_disclosure_part(d, i, staff, doc) for i, d in enumerate(disclosures)],
        "redactions": doc.redactions,
        "review": doc.review,
    }


def _child_part(child: Child, visible: set[str], doc: _Document) -> dict[str, Any]:
    part: dict[str, Any] = {
        "reference": child.reference,
        "is_anonymous": child.is_anonymous,
        "record_keeper": child.created_by_agency.name,
        "created_at": _iso(child.created_at),
        "withheld_categories": [c for c in CHILD_CATEGORIES if c not in visible],
    }
    for category in CHILD_CATEGORIES:
        if category not in visible:
            continue
        for name in FIELDS_BY_CATEGORY[category]:
            value = getattr(child, name)
            part[name] = _iso(value) if isinstance(value, date) else value
    if "guardian_contacts" in part:
        contacts = []
        for i, contact in enumerate(part["guardian_contacts"] or []):
            kept = {"relationship": contact.get("relationship", "")}
            for key in GUARDIAN_PERSONAL_KEYS:
                if contact.get(key):
                    kept[key] = None
                    doc.redact(f"child.guardian_contacts[{i}].{key}", "third_party")
            contacts.append(kept)
        part["guardian_contacts"] = contacts
    return part


def _consent_part(
    consent: ConsentRecord, i: int, staff: _StaffNames, doc: _Document
) -> dict[str, Any]:
    path = f"consents[{i}]"
    given_by_name: str | None = consent.given_by_name
    if consent.given_by != GivenBy.CHILD and given_by_name:
        given_by_name = None
        doc.redact(f"{path}.given_by_name", "third_party")
    for name in ("capacity_note", "withdrawal_reason"):
        if getattr(consent, name):
            doc.review.append(f"{path}.{name}")
    return {
        "id": str(consent.pk),
        "status": consent.status,
        "given_by": consent.given_by,
        "given_by_relationship": consent.given_by_relationship,
        "given_by_name": given_by_name,
        "child_competent": consent.child_competent,
        "capacity_note": consent.capacity_note,
        "recipient_agencies": sorted(a.name for a in consent.recipient_agencies.all()),
        "recipient_kinds": consent.recipient_kinds,
        "categories": consent.categories,
        "purposes": consent.purposes,
        "valid_from": _iso(consent.valid_from),
        "valid_until": _iso(consent.valid_until),
        "recorded_at": _iso(consent.recorded_at),
        "recorded_by": staff(consent.recorded_by_id, consent.recorded_by_agency),
        "withdrawn_at": _iso(consent.withdrawn_at),
        "withdrawn_by": staff(consent.withdrawn_by_id, consent.withdrawn_by_agency),
        "withdrawal_reason": consent.withdrawal_reason,
        "expired_at": _iso(consent.expired_at),
    }


def _disclosure_part(
    disclosure: Disclosure, i: int, staff: _StaffNames, doc: _Document
) -> dict[str, Any]:
    path = f"disclosures[{i}]"
    override = disclosure.override
    if override is not None:
        doc.review.append(f"{path}.justification")
    return {
        "id": str(disclosure.pk),
        "disclosed_at": _iso(disclosure.disclosed_at),
        "categories": disclosure.categories,
        "purpose": disclosure.purpose,
        "recipient_agency": disclosure.recipient_agency.name
        if disclosure.recipient_agency
        else None,
        "recipient_person": staff(disclosure.recipient_user_id, disclosure.recipient_agency),
        "disclosed_by": staff(disclosure.disclosed_by_id, disclosure.disclosed_by_agency),
        "basis": disclosure.basis,
        "consent": str(disclosure.consent_id) if disclosure.consent_id else None,
        "lawful_basis": override.get_lawful_basis_display() if override else None,
        "justification": override.justification if override else None,
        "authorised_by": staff(override.authorised_by_id, override.agency) if override else None,
        "ended_at": _iso(disclosure.ended_at),
        "end_reason": disclosure.end_reason or None,
    }
