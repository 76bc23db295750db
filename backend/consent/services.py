"""The one place that decides and records sharing about a child.

Every feature that sends information about a child to another agency or person calls
:func:`share` (and may ask :func:`decide` first, to tell the worker what is needed).

**The sharing rule.** For a child, a recipient, a set of data categories and a purpose:

* **allowed** when a consent record is *in scope*: active, within its validity, covering the
  recipient (the agency itself or its kind), every category and the purpose, and more
  recent than any refusal or withdrawal overlapping the request;
* **refused** when the latest overlapping decision is a refusal or a withdrawal: the child
  (or the person deciding for them) said no. Sharing then happens only on an authorised
  override: the exception for risk of significant harm;
* **needs override** when no consent covers the request at all.

An override is an :class:`OverrideAuthorisation`: a worker requests it with a lawful basis
from :class:`LawfulBasis` and a written justification, and a duty manager of the worker's
agency authorises it (a duty manager's own request is authorised at once). It covers the
agency's shares within its scope (child, recipient agency, categories, purpose) until it
expires. A share names the authorisation it relies on; nothing else stands in for it.

**What a share does**, all in one transaction: writes the :class:`Disclosure`, writes the
``share`` audit event, and grants the recipient the child's view permission plus the
object permissions the caller names (e.g. the referral's), recording each grant.

**When consent ends** (withdrawn or expired), the disclosures that relied on it end; their
grants are revoked unless another live disclosure still supports the same permission for
the same holder (another consent, or an override). The record keepers of a child (agencies
holding its change permission) never lose their view.

**What a viewer sees.** Record keepers see every category; other agencies and people see
only the categories of live disclosures to them (see :func:`categories_disclosed_to`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from agencies.models import Agency, Role
from agencies.selectors import active_agency, active_memberships, agencies_of, has_role
from audit.models import AuditAction
from audit.services import record
from children.models import (
    CHILD_CATEGORIES,
    Child,
    ChildGroupObjectPermission,
    ChildUserObjectPermission,
)
from consent import signals
from consent.models import (
    Basis,
    ConsentRecord,
    ConsentStatus,
    DataCategory,
    Disclosure,
    DisclosureGrant,
    EndReason,
    GivenBy,
    LawfulBasis,
    OverrideAuthorisation,
    OverrideStatus,
    Purpose,
)
from core import access

logger = logging.getLogger(__name__)

# How long an authorised override may be relied on: long enough to send the referrals an
# emergency needs, short enough that it is not a standing exception to consent.
OVERRIDE_VALIDITY = timedelta(hours=72)

VIEW_CHILD = "view_child"
KEEP_CHILD = "change_child"
CASE_ROLES = (
    Role.HELPLINE_WORKER,
    Role.SOCIAL_WORKER,
    Role.PRACTITIONER,
    Role.DUTY_MANAGER,
)


class Outcome(StrEnum):
    ALLOWED = "allowed"
    NEEDS_OVERRIDE = "needs_override"
    REFUSED = "refused"


class Reason(StrEnum):
    """Why a share was allowed or refused: stable codes the API and the web app show."""

    CONSENT_IN_SCOPE = "consent_in_scope"
    NO_CONSENT = "no_consent"
    CONSENT_REFUSED = "consent_refused"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    CHILD_NOT_VISIBLE = "child_not_visible"
    CATEGORY_NOT_HELD = "category_not_held"
    RECIPIENT_INACTIVE = "recipient_inactive"
    NOT_A_MEMBER = "not_a_member"
    OVERRIDE_NOT_AUTHORISED = "override_not_authorised"
    OVERRIDE_OUT_OF_SCOPE = "override_out_of_scope"
    INVALID_REQUEST = "invalid_request"


REASON_TEXT: dict[Reason, str] = {
    Reason.CONSENT_IN_SCOPE: "A consent record covers this share.",
    Reason.NO_CONSENT: "No consent covers this share: it needs an authorised override.",
    Reason.CONSENT_REFUSED: "Consent to this share was refused: only an authorised override "
    "with a lawful basis allows it.",
    Reason.CONSENT_WITHDRAWN: "Consent to this share was withdrawn: only an authorised "
    "override with a lawful basis allows it.",
    Reason.CHILD_NOT_VISIBLE: "You cannot share a record you cannot see.",
    Reason.CATEGORY_NOT_HELD: "You can only share what has been disclosed to you.",
    Reason.RECIPIENT_INACTIVE: "The recipient is not an active agency or staff member.",
    Reason.NOT_A_MEMBER: "You can only act for an agency you belong to.",
    Reason.OVERRIDE_NOT_AUTHORISED: "The override has not been authorised by a duty manager "
    "of your agency, or it has expired.",
    Reason.OVERRIDE_OUT_OF_SCOPE: "The override does not cover this child, recipient, "
    "categories or purpose.",
    Reason.INVALID_REQUEST: "The share names no categories, or an unknown one.",
}

# Refusals that the caller could not fix with an override: the caller lacks access itself.
_FORBIDDEN = frozenset({Reason.CHILD_NOT_VISIBLE, Reason.CATEGORY_NOT_HELD, Reason.NOT_A_MEMBER})


class SharingRefused(Exception):
    """No share happened: nothing was written, granted or audited as shared."""

    def __init__(self, reason: Reason) -> None:
        self.reason = reason
        super().__init__(REASON_TEXT[reason])

    @property
    def forbidden(self) -> bool:
        """The caller lacks access (403); otherwise the basis is missing (409)."""
        return self.reason in _FORBIDDEN


class StateConflict(Exception):
    """The record is not in a state that allows this (or someone else changed it first)."""


@dataclass(frozen=True)
class SharingDecision:
    outcome: Outcome
    reason: Reason
    # The consent relied on (allowed), or the refusal/withdrawal that blocks (refused).
    consent: ConsentRecord | None = None

    @property
    def allowed(self) -> bool:
        return self.outcome == Outcome.ALLOWED


Recipient = Agency | AbstractBaseUser


# --- deciding ---------------------------------------------------------------------------


def _recipient_agencies(recipient: Recipient) -> list[Agency]:
    if isinstance(recipient, Agency):
        return [recipient] if recipient.is_active else []
    return agencies_of(recipient)


def _clean_categories(categories: Iterable[str]) -> frozenset[str]:
    cleaned = frozenset(categories)
    if not cleaned or not cleaned <= set(DataCategory.values):
        raise SharingRefused(Reason.INVALID_REQUEST)
    return cleaned


def _decision_time(consent: ConsentRecord) -> datetime:
    if consent.status == ConsentStatus.WITHDRAWN and consent.withdrawn_at:
        return consent.withdrawn_at
    return consent.recorded_at


def decide(
    *,
    child: Child,
    recipient: Recipient,
    categories: Iterable[str],
    purpose: str,
    now: datetime | None = None,
) -> SharingDecision:
    """Whether consent allows sharing ``categories`` about ``child`` with ``recipient``."""
    now = now or timezone.now()
    wanted = _clean_categories(categories)
    agencies = _recipient_agencies(recipient)
    records = [
        record_
        for record_ in child.consent_records.prefetch_related("recipient_agencies")
        if purpose in record_.purposes and record_.covers_recipient(agencies)
    ]
    covering = [r for r in records if r.is_current(now) and wanted <= set(r.categories)]
    objections = [
        r
        for r in records
        if r.status in (ConsentStatus.REFUSED, ConsentStatus.WITHDRAWN)
        and wanted & set(r.categories)
        and r.valid_from <= now
    ]
    best = max(covering, key=_decision_time, default=None)
    latest_objection = max(objections, key=_decision_time, default=None)
    if best is not None and (
        latest_objection is None or _decision_time(best) > _decision_time(latest_objection)
    ):
        return SharingDecision(Outcome.ALLOWED, Reason.CONSENT_IN_SCOPE, best)
    if latest_objection is not None:
        reason = (
            Reason.CONSENT_REFUSED
            if latest_objection.status == ConsentStatus.REFUSED
            else Reason.CONSENT_WITHDRAWN
        )
        return SharingDecision(Outcome.REFUSED, reason, latest_objection)
    return SharingDecision(Outcome.NEEDS_OVERRIDE, Reason.NO_CONSENT)


# --- what a viewer may see ------------------------------------------------------------------


def _viewer_holders(viewer: Recipient) -> tuple[list[Agency], AbstractBaseUser | None]:
    if isinstance(viewer, Agency):
        return [viewer], None
    return agencies_of(viewer), viewer


def record_keepers(children: Iterable[Child], viewer: Recipient) -> set[uuid.UUID]:
    """Ids of the children whose record ``viewer`` keeps (holds the change permission)."""
    ids = [c.pk for c in children]
    agencies, user = _viewer_holders(viewer)
    kept = set(
        ChildGroupObjectPermission.objects.filter(
            content_object__in=ids,
            group__in=[a.group_id for a in agencies],
            permission__codename=KEEP_CHILD,
        ).values_list("content_object_id", flat=True)
    )
    if user is not None:
        kept |= set(
            ChildUserObjectPermission.objects.filter(
                content_object__in=ids, user=user, permission__codename=KEEP_CHILD
            ).values_list("content_object_id", flat=True)
        )
    return kept


def _opened_in_emergency(children: Iterable[Child], viewer: Recipient) -> set[uuid.UUID]:
    """Children a person has open by break-glass (governance): they see the whole record
    while the access lasts, as its keepers do."""
    if isinstance(viewer, Agency) or not apps.is_installed("governance"):
        return set()
    from governance.selectors import opened_in_emergency

    return opened_in_emergency(viewer, (c.pk for c in children))


def live_disclosures(now: datetime | None = None) -> models.QuerySet[Disclosure]:
    """Disclosures whose basis still stands (an expired consent no longer counts, even
    before the periodic sweep has marked it)."""
    now = now or timezone.now()
    return Disclosure.objects.filter(ended_at__isnull=True).filter(
        Q(consent__isnull=True)
        | Q(consent__valid_until__isnull=True)
        | Q(consent__valid_until__gt=now)
    )


def categories_for_children(
    viewer: Recipient, children: Iterable[Child], *, emergency: bool = True
) -> dict[uuid.UUID, set[str]]:
    """For each child, the categories ``viewer`` (a person or an agency) may see (without
    what break-glass access shows, unless ``emergency``)."""
    children = list(children)
    if not children:
        return {}
    kept = record_keepers(children, viewer)
    if emergency:
        kept |= _opened_in_emergency(children, viewer)
    result = {c.pk: set(DataCategory.values) if c.pk in kept else set() for c in children}
    agencies, user = _viewer_holders(viewer)
    to_viewer = Q(recipient_agency__in=agencies, recipient_user__isnull=True)
    if user is not None:
        to_viewer |= Q(recipient_user=user)
    rows = (
        live_disclosures()
        .filter(to_viewer, child__in=[c.pk for c in children if c.pk not in kept])
        .values_list("child_id", "categories")
    )
    for child_id, categories in rows:
        result[child_id].update(categories)
    return result


def categories_disclosed_to(viewer: Recipient, child: Child, *, emergency: bool = True) -> set[str]:
    """The data categories about ``child`` that ``viewer`` may see.

    The record keepers (the agency that made the record, and any agency or person given its
    change permission) see everything. Everyone else sees the categories of live
    disclosures to their agency, or to them personally; a withdrawn or expired consent takes
    its categories away again. A person with break-glass access sees everything while it
    lasts (``emergency=False`` leaves that out).
    """
    return categories_for_children(viewer, [child], emergency=emergency)[child.pk]


# --- sharing ---------------------------------------------------------------------------


def _acting_agency(actor: AbstractBaseUser, agency: Agency | None) -> Agency:
    memberships = active_memberships(actor)
    if agency is None:
        agency = active_agency(actor)
    if agency is None or agency.pk not in {m.agency_id for m in memberships}:
        raise SharingRefused(Reason.NOT_A_MEMBER)
    return agency


def _check_override(
    override: OverrideAuthorisation,
    *,
    child: Child,
    acting_agency: Agency,
    recipients: list[Agency],
    categories: frozenset[str],
    purpose: str,
) -> None:
    if override.agency_id != acting_agency.pk or not override.is_usable():
        raise SharingRefused(Reason.OVERRIDE_NOT_AUTHORISED)
    if not has_role(override.authorised_by, [Role.DUTY_MANAGER], override.agency_id):
        raise SharingRefused(Reason.OVERRIDE_NOT_AUTHORISED)
    if (
        override.child_id != child.pk
        or override.recipient_agency_id not in {a.pk for a in recipients}
        or not categories <= set(override.categories)
        or override.purpose != purpose
    ):
        raise SharingRefused(Reason.OVERRIDE_OUT_OF_SCOPE)


def _codename(perm: str) -> str:
    return perm.rsplit(".", 1)[-1]


def share(
    *,
    child: Child,
    recipient: Recipient,
    categories: Iterable[str],
    purpose: str,
    actor: AbstractBaseUser,
    subject: models.Model | None = None,
    grants: Iterable[tuple[models.Model, list[str]]] = (),
    override: OverrideAuthorisation | None = None,
    request: HttpRequest | None = None,
    agency: Agency | None = None,
) -> Disclosure:
    """Share information about ``child`` with an agency or one person, on consent or override.

    ``agency`` is the agency the actor acts for (default: the one they are working for).
    ``grants`` are the further object permissions the share implies, e.g.
    ``[(referral, ["view_referral"])]``. Raises :class:`SharingRefused` (and writes nothing)
    without a consent in scope or a usable override covering the share.
    """
    wanted = _clean_categories(categories)
    purpose = Purpose(purpose)
    with transaction.atomic():
        acting_agency = _acting_agency(actor, agency)
        # Break-glass access is for reading: it never lets information go on to others.
        if not access.can(actor, f"children.{VIEW_CHILD}", child, grants_only=True):
            raise SharingRefused(Reason.CHILD_NOT_VISIBLE)
        held = wanted & set(CHILD_CATEGORIES)
        if not held <= categories_disclosed_to(actor, child, emergency=False):
            raise SharingRefused(Reason.CATEGORY_NOT_HELD)
        recipients = _recipient_agencies(recipient)
        if not recipients:
            raise SharingRefused(Reason.RECIPIENT_INACTIVE)

        consent = None
        if override is not None:
            override = OverrideAuthorisation.objects.select_for_update().get(pk=override.pk)
            _check_override(
                override,
                child=child,
                acting_agency=acting_agency,
                recipients=recipients,
                categories=wanted,
                purpose=purpose,
            )
            recipient_agency = override.recipient_agency
        else:
            decision = decide(child=child, recipient=recipient, categories=wanted, purpose=purpose)
            if not decision.allowed:
                raise SharingRefused(decision.reason)
            # Lock the consent so a withdrawal cannot slip in between the check and the share.
            consent = ConsentRecord.objects.select_for_update().get(pk=decision.consent.pk)
            if not consent.is_current():
                raise SharingRefused(Reason.CONSENT_WITHDRAWN)
            recipient_agency = next(a for a in recipients if consent.covers_recipient([a]))

        recipient_user = None if isinstance(recipient, Agency) else recipient
        disclosure = Disclosure.objects.create(
            child=child,
            categories=sorted(wanted),
            purpose=purpose,
            recipient_agency=recipient_agency,
            recipient_user=recipient_user,
            disclosed_by=actor,
            disclosed_by_agency=acting_agency,
            basis=Basis.OVERRIDE if override is not None else Basis.CONSENT,
            consent=consent,
            override=override,
            subject_type=ContentType.objects.get_for_model(subject) if subject else None,
            subject_id=str(subject.pk) if subject else "",
        )
        holder = recipient_user or recipient_agency
        implied = [(child, [VIEW_CHILD]), *grants]
        _record_grants(disclosure, holder, implied)
        access.grant_all(
            [
                *((perms, holder, obj) for obj, perms in implied),
                # The log entry itself: both sides of the share may read it.
                (["view_disclosure"], acting_agency, disclosure),
                (["view_disclosure"], holder, disclosure),
            ]
        )
        record(
            AuditAction.SHARE,
            actor=actor,
            obj=child,
            agency=acting_agency,
            request=request,
            details={
                "disclosure": str(disclosure.pk),
                "recipient_agency": recipient_agency.pk,
                "recipient_user": recipient_user.pk if recipient_user else None,
                "categories": disclosure.categories,
                "purpose": purpose,
                "basis": disclosure.basis,
                "consent": str(consent.pk) if consent else None,
                "override": str(override.pk) if override else None,
                "subject": f"{disclosure.subject_type.app_label}.{disclosure.subject_type.model}"
                f":{disclosure.subject_id}"
                if subject
                else None,
            },
        )
    return disclosure


def _record_grants(
    disclosure: Disclosure,
    holder: Agency | AbstractBaseUser,
    grants: Iterable[tuple[models.Model, list[str]]],
) -> None:
    """The record of the object permissions a share makes, so ending it revokes them."""
    DisclosureGrant.objects.bulk_create(
        DisclosureGrant(
            disclosure=disclosure,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            permission=_codename(perm),
            agency=holder if isinstance(holder, Agency) else None,
            user=None if isinstance(holder, Agency) else holder,
        )
        for obj, perms in grants
        for perm in perms
    )


# --- consent records ---------------------------------------------------------------------


@transaction.atomic
def record_consent(
    *,
    child: Child,
    actor: AbstractBaseUser,
    agency: Agency,
    given_by: GivenBy | str,
    decision: ConsentStatus | str,
    categories: Iterable[str],
    purposes: Iterable[str],
    recipient_agencies: Iterable[Agency] = (),
    recipient_kinds: Iterable[str] = (),
    given_by_relationship: str = "",
    given_by_name: str = "",
    child_competent: bool | None = None,
    capacity_note: str = "",
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    request: HttpRequest | None = None,
) -> ConsentRecord:
    """Record a consent decision (given: ``active``, or ``refused``) and who may see it.

    A child decides for themselves only when judged competent to; otherwise the decision is
    a parent's, carer's or another person's.
    """
    if decision not in (ConsentStatus.ACTIVE, ConsentStatus.REFUSED):
        raise ValueError("A consent decision is either given (active) or refused.")
    if given_by == GivenBy.CHILD and child_competent is None:
        raise ValueError("Record whether the child is competent to decide.")
    if given_by == GivenBy.CHILD and decision == ConsentStatus.ACTIVE and not child_competent:
        raise ValueError("A child judged not competent to decide cannot give consent.")
    consent = ConsentRecord(
        child=child,
        given_by=given_by,
        given_by_relationship=given_by_relationship,
        given_by_name=given_by_name,
        child_competent=child_competent,
        capacity_note=capacity_note,
        recipient_kinds=sorted(set(recipient_kinds)),
        categories=sorted(set(categories)),
        purposes=sorted(set(purposes)),
        valid_from=valid_from or timezone.now(),
        valid_until=valid_until,
        status=decision,
        recorded_by=actor,
        recorded_by_agency=agency,
    )
    consent.save()
    consent.recipient_agencies.set(list(recipient_agencies))
    # The recording agency and the child's record keeper both keep the consent.
    for keeper in {agency, child.created_by_agency}:
        access.grant(["view_consentrecord", "change_consentrecord"], keeper, consent)
    record(
        AuditAction.CREATE,
        actor=actor,
        obj=consent,
        agency=agency,
        request=request,
        details={"child": str(child.pk), "status": consent.status},
    )
    return consent


def withdraw_consent(
    consent: ConsentRecord,
    *,
    by: AbstractBaseUser,
    reason: str,
    request: HttpRequest | None = None,
    agency: Agency | None = None,
) -> ConsentRecord:
    """Withdraw an active consent: later shares relying on it are refused, and the
    disclosures made on it end, taking their grants with them."""
    if not reason.strip():
        raise ValueError("A withdrawal needs a reason.")
    now = timezone.now()
    agency = agency or active_agency(by)
    with transaction.atomic():
        locked = ConsentRecord.objects.select_for_update().get(pk=consent.pk)
        try:
            locked.withdraw(by=by, agency=agency, reason=reason, at=now)
            locked.save()
        except (TransitionNotAllowed, ConcurrentTransition) as exc:
            raise StateConflict("Only an active consent can be withdrawn.") from exc
        agency_ids, user_ids = _end_disclosures(locked, EndReason.CONSENT_WITHDRAWN, now)
        record(
            AuditAction.TRANSITION,
            actor=by,
            obj=locked,
            agency=agency,
            request=request,
            details={
                "child": str(locked.child_id),
                "to": ConsentStatus.WITHDRAWN,
                "affected_agencies": agency_ids,
            },
        )
        signals.consent_withdrawn.send(
            sender=ConsentRecord, consent=locked, agency_ids=agency_ids, user_ids=user_ids
        )
    return locked


def expire_consents(now: datetime | None = None) -> int:
    """Mark active consents whose ``valid_until`` has passed as expired; returns how many.

    Idempotent: an expired consent is no longer active, so a second run finds nothing.
    Each consent expires in its own transaction, so one failure does not hold up the rest.
    """
    now = now or timezone.now()
    due = ConsentRecord.objects.filter(
        status=ConsentStatus.ACTIVE, valid_until__lte=now
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        with transaction.atomic():
            consent = (
                ConsentRecord.objects.select_for_update()
                .filter(pk=pk, status=ConsentStatus.ACTIVE)
                .first()
            )
            if consent is None:
                continue
            consent.expire(at=now)
            consent.save()
            agency_ids, user_ids = _end_disclosures(consent, EndReason.CONSENT_EXPIRED, now)
            record(
                AuditAction.TRANSITION,
                obj=consent,
                agency=consent.recorded_by_agency,
                details={
                    "child": str(consent.child_id),
                    "to": ConsentStatus.EXPIRED,
                    "affected_agencies": agency_ids,
                },
            )
            signals.consent_expired.send(
                sender=ConsentRecord, consent=consent, agency_ids=agency_ids, user_ids=user_ids
            )
            expired += 1
    if expired:
        logger.info("Expired %d consent records", expired)
    return expired


def _end_disclosures(
    consent: ConsentRecord, reason: EndReason, now: datetime
) -> tuple[list[int], list[int]]:
    """End the disclosures resting on ``consent`` and revoke what nothing else supports.

    Returns the recipient agency ids and person ids whose disclosures ended.
    """
    ending = list(consent.disclosures.filter(ended_at__isnull=True))
    if not ending:
        return [], []
    Disclosure.objects.filter(pk__in=[d.pk for d in ending]).update(ended_at=now, end_reason=reason)
    grants = DisclosureGrant.objects.filter(
        disclosure__in=ending, released_at__isnull=True
    ).select_related("content_type", "agency__group", "user")
    keepers_of = _child_keeper_holders(consent.child)
    for grant in grants:
        supported = (
            DisclosureGrant.objects.filter(
                content_type=grant.content_type_id,
                object_id=grant.object_id,
                permission=grant.permission,
                agency=grant.agency_id,
                user=grant.user_id,
                released_at__isnull=True,
                disclosure__in=live_disclosures(now),
            )
            .exclude(disclosure__in=ending)
            .exists()
        )
        holder = grant.agency or grant.user
        is_keeper = (
            grant.content_type.model_class() is Child
            and grant.permission == VIEW_CHILD
            and (grant.agency_id, grant.user_id) in keepers_of
        )
        grant.released_at = now
        grant.revoked = not supported and not is_keeper
        if grant.revoked:
            obj = grant.content_type.get_object_for_this_type(pk=grant.object_id)
            access.revoke([grant.permission], holder, obj)
        grant.save(update_fields=["released_at", "revoked"])
    agency_ids = sorted({d.recipient_agency_id for d in ending if d.recipient_agency_id})
    user_ids = sorted({d.recipient_user_id for d in ending if d.recipient_user_id})
    return agency_ids, user_ids


def _child_keeper_holders(child: Child) -> set[tuple[int | None, int | None]]:
    """(agency id, None) and (None, user id) pairs holding the child's change permission."""
    groups = ChildGroupObjectPermission.objects.filter(
        content_object=child, permission__codename=KEEP_CHILD
    ).values_list("group__agency__id", flat=True)
    users = ChildUserObjectPermission.objects.filter(
        content_object=child, permission__codename=KEEP_CHILD
    ).values_list("user_id", flat=True)
    return {(a, None) for a in groups if a} | {(None, u) for u in users}


# --- overrides -------------------------------------------------------------------------


@transaction.atomic
def request_override(
    *,
    child: Child,
    actor: AbstractBaseUser,
    agency: Agency,
    recipient_agency: Agency,
    categories: Iterable[str],
    purpose: str,
    lawful_basis: LawfulBasis | str,
    justification: str,
    request: HttpRequest | None = None,
) -> OverrideAuthorisation:
    """Ask a duty manager of ``agency`` to authorise sharing without consent.

    A duty manager asking for themselves authorises at once: they are the authority.
    """
    if not justification.strip():
        raise ValueError("An override needs a written justification.")
    override = OverrideAuthorisation.objects.create(
        child=child,
        agency=agency,
        recipient_agency=recipient_agency,
        categories=sorted(_clean_categories(categories)),
        purpose=Purpose(purpose),
        lawful_basis=LawfulBasis(lawful_basis),
        justification=justification,
        requested_by=actor,
    )
    access.grant(["view_overrideauthorisation"], agency, override)
    record(
        AuditAction.CREATE,
        actor=actor,
        obj=override,
        agency=agency,
        request=request,
        details={"child": str(child.pk), "lawful_basis": override.lawful_basis},
    )
    if has_role(actor, [Role.DUTY_MANAGER], agency):
        return authorise_override(override, by=actor, request=request)
    signals.override_requested.send(sender=OverrideAuthorisation, authorisation=override)
    return override


def _decide_override(
    override: OverrideAuthorisation, by: AbstractBaseUser
) -> OverrideAuthorisation:
    if not has_role(by, [Role.DUTY_MANAGER], override.agency_id):
        raise PermissionError("Only a duty manager of the requesting agency decides an override.")
    return OverrideAuthorisation.objects.select_for_update().get(pk=override.pk)


@transaction.atomic
def authorise_override(
    override: OverrideAuthorisation,
    *,
    by: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> OverrideAuthorisation:
    locked = _decide_override(override, by)
    now = timezone.now()
    try:
        locked.authorise(by=by, at=now, until=now + OVERRIDE_VALIDITY)
        locked.save()
    except (TransitionNotAllowed, ConcurrentTransition) as exc:
        raise StateConflict("This override has already been decided.") from exc
    record(
        AuditAction.TRANSITION,
        actor=by,
        obj=locked,
        agency=locked.agency,
        request=request,
        details={"child": str(locked.child_id), "to": OverrideStatus.AUTHORISED},
    )
    return locked


@transaction.atomic
def refuse_override(
    override: OverrideAuthorisation,
    *,
    by: AbstractBaseUser,
    reason: str,
    request: HttpRequest | None = None,
) -> OverrideAuthorisation:
    if not reason.strip():
        raise ValueError("A refusal needs a reason.")
    locked = _decide_override(override, by)
    try:
        locked.refuse(by=by, at=timezone.now(), reason=reason)
        locked.save()
    except (TransitionNotAllowed, ConcurrentTransition) as exc:
        raise StateConflict("This override has already been decided.") from exc
    record(
        AuditAction.TRANSITION,
        actor=by,
        obj=locked,
        agency=locked.agency,
        request=request,
        details={"child": str(locked.child_id), "to": OverrideStatus.REFUSED},
    )
    return locked
