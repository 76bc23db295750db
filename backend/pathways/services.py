"""The only place that changes the directory: services, their verification, pathway versions.

Every change is written to the audit trail with ids only (never names or free text).
"""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max, Model
from django.http import HttpRequest
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework.request import Request

from agencies.models import Agency, Region
from audit.services import record
from core.exceptions import Conflict
from pathways import hsds
from pathways.models import (
    Location,
    OrganizationRecord,
    Pathway,
    PathwayStep,
    Service,
    ServiceAtLocation,
    ServiceNeed,
)
from pathways.vocabulary import PathwayStatus

User = get_user_model()
AnyRequest = Request | HttpRequest | None


@dataclass(frozen=True)
class StepSpec:
    """One step of a pathway as an admin writes it; positions follow the list order."""

    service: Service
    response_hours: int
    note: str = ""


def _set_needs(service: Service, needs: Iterable[str]) -> None:
    wanted = set(needs)
    service.needs.exclude(category__in=wanted).delete()
    held = set(service.needs.values_list("category", flat=True))
    ServiceNeed.objects.bulk_create(
        [ServiceNeed(service=service, category=need) for need in sorted(wanted - held)]
    )


@transaction.atomic
def create_service(
    *,
    actor: AbstractBaseUser | None,
    agency: Agency,
    need_categories: Iterable[str] = (),
    service_areas: Iterable[Region] = (),
    request: AnyRequest = None,
    **fields: Any,
) -> Service:
    """Add a service to ``agency``'s part of the directory."""
    service = Service.objects.create(agency=agency, **fields)
    _set_needs(service, need_categories)
    service.service_areas.set(service_areas)
    record("create", actor=actor, obj=service, request=request, details={"agency": agency.pk})
    return service


@transaction.atomic
def update_service(
    service: Service,
    *,
    actor: AbstractBaseUser | None,
    need_categories: Iterable[str] | None = None,
    service_areas: Iterable[Region] | None = None,
    request: AnyRequest = None,
    **changes: Any,
) -> Service:
    """Change a service's details; only the names of the changed fields are audited."""
    changed = sorted(changes)
    for name, value in changes.items():
        setattr(service, name, value)
    service.save()
    if need_categories is not None:
        _set_needs(service, need_categories)
        changed.append("need_categories")
    if service_areas is not None:
        service.service_areas.set(service_areas)
        changed.append("service_areas")
    record("update", actor=actor, obj=service, request=request, details={"fields": changed})
    return service


@transaction.atomic
def verify_service(
    service: Service, *, actor: AbstractBaseUser, request: AnyRequest = None
) -> Service:
    """Record that an admin checked the entry is still correct, and when."""
    service.last_verified_at = timezone.now()
    service.last_verified_by = actor
    service.save(update_fields=["last_verified_at", "last_verified_by", "updated_at"])
    record(
        "update",
        actor=actor,
        obj=service,
        request=request,
        details={"fields": ["last_verified_at", "last_verified_by"], "verified": True},
    )
    return service


# --- pathways ---------------------------------------------------------------------------


def _write_steps(pathway: Pathway, steps: Sequence[StepSpec]) -> None:
    pathway.steps.all().delete()
    PathwayStep.objects.bulk_create(
        [
            PathwayStep(
                pathway=pathway,
                position=position,
                service=step.service,
                response_hours=step.response_hours,
                note=step.note,
            )
            for position, step in enumerate(steps, start=1)
        ]
    )


@transaction.atomic
def create_pathway(
    *,
    actor: AbstractBaseUser | None,
    agency: Agency,
    steps: Sequence[StepSpec],
    regions: Iterable[Region] = (),
    request: AnyRequest = None,
    **fields: Any,
) -> Pathway:
    """Start a new pathway as a draft (version 1 of a new lineage)."""
    pathway = Pathway.objects.create(agency=agency, created_by=actor, **fields)
    pathway.regions.set(regions)
    _write_steps(pathway, steps)
    record(
        "create",
        actor=actor,
        obj=pathway,
        request=request,
        details={"agency": agency.pk, "lineage": str(pathway.lineage), "version": 1},
    )
    return pathway


@transaction.atomic
def edit_pathway(
    pathway: Pathway,
    *,
    actor: AbstractBaseUser | None,
    steps: Sequence[StepSpec] | None = None,
    regions: Iterable[Region] | None = None,
    request: AnyRequest = None,
    **changes: Any,
) -> Pathway:
    """Change a pathway. A draft changes in place; a published version is never changed:
    the edit becomes the next draft version of the same lineage, which is returned.

    Raises :class:`Conflict` for a retired version, or when the lineage already has a draft
    (edit that draft instead).
    """
    current = Pathway.objects.select_for_update().get(pk=pathway.pk)
    if current.status == PathwayStatus.RETIRED:
        raise Conflict("A retired pathway version cannot be edited.")
    if current.status == PathwayStatus.PUBLISHED:
        if Pathway.objects.filter(lineage=current.lineage, status=PathwayStatus.DRAFT).exists():
            raise Conflict("This pathway already has a draft version: edit the draft.")
        target = _new_version(current, actor)
        if steps is None:
            steps = [
                StepSpec(step.service, step.response_hours, step.note)
                for step in current.steps.select_related("service")
            ]
        if regions is None:
            regions = list(current.regions.all())
    else:
        target = current
    for name, value in changes.items():
        setattr(target, name, value)
    target.save()
    if regions is not None:
        target.regions.set(regions)
    if steps is not None:
        _write_steps(target, steps)
    record(
        "create" if target.pk != current.pk else "update",
        actor=actor,
        obj=target,
        request=request,
        details={
            "lineage": str(target.lineage),
            "version": target.version,
            "from_version": current.version,
            "fields": sorted([*changes, *(["steps"] if steps is not None else [])]),
        },
    )
    return target


def _new_version(published: Pathway, actor: AbstractBaseUser | None) -> Pathway:
    latest = Pathway.objects.filter(lineage=published.lineage).aggregate(v=Max("version"))["v"]
    return Pathway.objects.create(
        lineage=published.lineage,
        version=latest + 1,
        agency=published.agency,
        name=published.name,
        description=published.description,
        need_category=published.need_category,
        urgency=published.urgency,
        minimum_age=published.minimum_age,
        maximum_age=published.maximum_age,
        referring_agency_kinds=list(published.referring_agency_kinds),
        created_by=actor,
    )


def _locked(pathway: Pathway) -> Pathway:
    return Pathway.objects.select_for_update().get(pk=pathway.pk)


def _transition(pathway: Pathway, name: str, past: str) -> None:
    try:
        getattr(pathway, name)()
    except TransitionNotAllowed as exc:
        raise Conflict(f"A {pathway.status} pathway cannot be {past}.") from exc


def _save_transition(pathway: Pathway) -> None:
    try:
        pathway.save()
    except ConcurrentTransition as exc:
        raise Conflict("Someone else changed this pathway at the same time.") from exc


@transaction.atomic
def publish_pathway(
    pathway: Pathway, *, actor: AbstractBaseUser | None, request: AnyRequest = None
) -> Pathway:
    """Publish a draft version; the version it replaces (if any) is retired in the same step."""
    current = _locked(pathway)
    if not current.steps.exists():
        raise Conflict("A pathway needs at least one step before it can be published.")
    now = timezone.now()
    replaced = (
        Pathway.objects.select_for_update()
        .filter(lineage=current.lineage, status=PathwayStatus.PUBLISHED)
        .first()
    )
    _transition(current, "publish", "published")
    if replaced is not None:
        replaced.retire()
        replaced.retired_at = now
        _save_transition(replaced)
        record(
            "transition",
            actor=actor,
            obj=replaced,
            request=request,
            details={"from": "published", "to": "retired", "superseded_by": current.pk},
        )
    current.published_at = now
    current.published_by = actor
    _save_transition(current)
    record(
        "transition",
        actor=actor,
        obj=current,
        request=request,
        details={"from": "draft", "to": "published", "version": current.version},
    )
    return current


@transaction.atomic
def retire_pathway(
    pathway: Pathway, *, actor: AbstractBaseUser | None, request: AnyRequest = None
) -> Pathway:
    """Stop offering a pathway version (published or draft); it stays readable."""
    current = _locked(pathway)
    previous = current.status
    _transition(current, "retire", "retired")
    current.retired_at = timezone.now()
    _save_transition(current)
    record(
        "transition",
        actor=actor,
        obj=current,
        request=request,
        details={"from": previous, "to": "retired", "version": current.version},
    )
    return current


# --- HSDS import ------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOutcome:
    """What happened to one HSDS object of an import file (ids and reasons only)."""

    type: str
    id: str
    where: str
    reason: str = ""


@dataclass
class ImportReport:
    created: list[ImportOutcome] = field(default_factory=list)
    updated: list[ImportOutcome] = field(default_factory=list)
    unchanged: list[ImportOutcome] = field(default_factory=list)
    skipped: list[ImportOutcome] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[dict[str, str]]]:
        return {name: [asdict(o) for o in getattr(self, name)] for name in REPORT_KEYS}


REPORT_KEYS = ("created", "updated", "unchanged", "skipped")
NOT_YOURS = "the organization is not an agency you administer"


class _Skip(Exception):
    """One record cannot be imported; the reason goes into the report."""


def _snapshot(obj: Model, *extra: object) -> tuple[object, ...]:
    values = tuple(
        getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in {"id", "created_at", "updated_at"}
    )
    return (*values, *extra)


class _Importer:
    def __init__(
        self,
        found: hsds.Collected,
        *,
        actor: AbstractBaseUser | None,
        request: AnyRequest,
        administered: Collection[int] | None,
    ) -> None:
        self.found = found
        self.actor = actor
        self.request = request
        self.administered = administered
        self.report = ImportReport()
        self.agencies: dict[str, Agency] = {}
        self.refused_orgs: set[str] = set()
        self.locations: dict[str, Location] = {}
        self.services: dict[str, Service] = {}
        self.refused: set[str] = set()

    def run(self) -> ImportReport:
        for kind, apply in (
            ("organization", self._organization),
            ("location", self._location),
            ("service", self._service),
            ("service_at_location", self._service_at_location),
        ):
            for entry in self.found.entries[kind]:
                hsds_id = str(entry.data["id"]).lower()
                try:
                    outcome, obj = apply(hsds_id, entry.data)
                except _Skip as skip:
                    self.refused.add(hsds_id)
                    self.report.skipped.append(ImportOutcome(kind, hsds_id, entry.where, str(skip)))
                    continue
                if outcome is None:
                    continue  # the same organization, already handled earlier in the file
                getattr(self.report, outcome).append(ImportOutcome(kind, hsds_id, entry.where))
                if outcome != "unchanged":
                    record(
                        "create" if outcome == "created" else "update",
                        actor=self.actor,
                        obj=obj,
                        request=self.request,
                        details={"source": "hsds_import", "hsds_id": hsds_id},
                    )
        return self.report

    def _may_write(self, agency: Agency) -> bool:
        return self.administered is None or agency.pk in self.administered

    def _organization(self, hsds_id: str, data: dict[str, Any]) -> tuple[str | None, Model]:
        if hsds_id in self.agencies:
            return None, self.agencies[hsds_id]
        existing = (
            OrganizationRecord.objects.select_related("agency__region")
            .filter(hsds_id=hsds_id)
            .first()
        )
        agency = existing.agency if existing else Agency.objects.filter(name=data["name"]).first()
        if agency is None or not self._may_write(agency):
            self.refused_orgs.add(hsds_id)
            if self.administered is not None:
                raise _Skip(NOT_YOURS)
            raise _Skip("no agency on the platform matches this organization (HSDS id or name)")
        if existing is None and OrganizationRecord.objects.filter(agency=agency).exists():
            self.refused_orgs.add(hsds_id)
            raise _Skip("the matching agency is already linked to a different HSDS id")
        fields = hsds.organization_fields(data, agency)
        self.agencies[hsds_id] = agency
        if existing is None:
            return "created", OrganizationRecord.objects.create(
                agency=agency, hsds_id=hsds_id, **fields
            )
        before = _snapshot(existing)
        for name, value in fields.items():
            setattr(existing, name, value)
        if _snapshot(existing) == before:
            return "unchanged", existing
        existing.save()
        return "updated", existing

    def _agency_for(self, data: dict[str, Any]) -> Agency:
        org_id = str(data.get("organization_id") or "").lower()
        if not org_id:
            raise _Skip("organization_id is missing")
        if org_id in self.refused_orgs:
            raise _Skip("its organization was skipped")
        agency = self.agencies.get(org_id)
        if agency is None:
            record_ = OrganizationRecord.objects.select_related("agency").filter(hsds_id=org_id)
            found = record_.first()
            if found is None:
                raise _Skip("dangling reference: organization_id matches no organization")
            agency = found.agency
        if not self._may_write(agency):
            raise _Skip(NOT_YOURS)
        return agency

    def _location(self, hsds_id: str, data: dict[str, Any]) -> tuple[str, Model]:
        agency = self._agency_for(data)
        try:
            fields = hsds.location_fields(data)
        except ValueError as exc:
            raise _Skip(str(exc)) from exc
        existing = Location.objects.select_related("agency").filter(hsds_id=hsds_id).first()
        if existing is None:
            location = Location.objects.create(hsds_id=hsds_id, agency=agency, **fields)
            self.locations[hsds_id] = location
            return "created", location
        if not self._may_write(existing.agency):
            raise _Skip(NOT_YOURS)
        before = _snapshot(existing)
        existing.agency = agency
        for name, value in fields.items():
            setattr(existing, name, value)
        self.locations[hsds_id] = existing
        if _snapshot(existing) == before:
            return "unchanged", existing
        existing.save()
        return "updated", existing

    def _service(self, hsds_id: str, data: dict[str, Any]) -> tuple[str, Model]:
        agency = self._agency_for(data)
        try:
            mapped = hsds.service_fields(data)
        except ValueError as exc:
            raise _Skip(str(exc)) from exc
        regions = {r.name: r for r in Region.objects.filter(name__in=mapped.region_names)}
        for index, name in enumerate(mapped.region_names):
            if name not in regions:
                raise _Skip(f"service_areas[{index}] is not a region on the platform")
        fields = dict(mapped.fields)
        fields["last_verified_by"] = (
            User.objects.filter(username=mapped.verified_by_username).first()
            if mapped.verified_by_username
            else None
        )
        existing = (
            Service.objects.select_related("agency")
            .prefetch_related("needs", "service_areas")
            .filter(hsds_id=hsds_id)
            .first()
        )
        region_list = [regions[name] for name in mapped.region_names]
        if existing is None:
            service = Service.objects.create(hsds_id=hsds_id, agency=agency, **fields)
            _set_needs(service, mapped.need_categories)
            service.service_areas.set(region_list)
            self.services[hsds_id] = service
            return "created", service
        if not self._may_write(existing.agency):
            raise _Skip(NOT_YOURS)
        before = _snapshot(
            existing,
            sorted(existing.need_categories),
            sorted(r.pk for r in existing.service_areas.all()),
        )
        existing.agency = agency
        for name, value in fields.items():
            setattr(existing, name, value)
        after = _snapshot(
            existing, sorted(mapped.need_categories), sorted(r.pk for r in region_list)
        )
        self.services[hsds_id] = existing
        if after == before:
            return "unchanged", existing
        existing.save()
        _set_needs(existing, mapped.need_categories)
        existing.service_areas.set(region_list)
        return "updated", existing

    def _resolve(self, kind: str, hsds_id: str) -> Service | Location:
        if hsds_id in self.refused:
            raise _Skip(f"its {kind} was skipped")
        cache = self.services if kind == "service" else self.locations
        model = Service if kind == "service" else Location
        found = (
            cache.get(hsds_id)
            or model.objects.select_related("agency").filter(hsds_id=hsds_id).first()
        )
        if found is None:
            raise _Skip(f"dangling reference: {kind}_id matches no {kind}")
        return found

    def _service_at_location(self, hsds_id: str, data: dict[str, Any]) -> tuple[str, Model]:
        service_id = str(data.get("service_id") or "").lower()
        location_id = str(data.get("location_id") or "").lower()
        if not service_id or not location_id:
            raise _Skip("service_id and location_id are both needed")
        service = self._resolve("service", service_id)
        location = self._resolve("location", location_id)
        if not self._may_write(service.agency):
            raise _Skip(NOT_YOURS)
        fields = hsds.service_at_location_fields(data)
        existing = ServiceAtLocation.objects.filter(hsds_id=hsds_id).first()
        if existing is None:
            if ServiceAtLocation.objects.filter(service=service, location=location).exists():
                raise _Skip("the service is already linked to this location under another id")
            return "created", ServiceAtLocation.objects.create(
                hsds_id=hsds_id, service=service, location=location, **fields
            )
        before = _snapshot(existing)
        existing.service, existing.location = service, location
        for name, value in fields.items():
            setattr(existing, name, value)
        if _snapshot(existing) == before:
            return "unchanged", existing
        existing.save()
        return "updated", existing


def import_directory(
    document: object,
    *,
    actor: AbstractBaseUser | None,
    administered: Collection[int] | None,
    request: AnyRequest = None,
) -> ImportReport:
    """Import an HSDS 3.0 document, idempotently by HSDS id.

    ``administered`` limits writes to those agency ids (an agency admin's import); None
    allows every agency (the operator's management command). A document that is not valid
    HSDS raises :class:`pathways.hsds.InvalidDocument` and changes nothing; records that
    cannot be used (dangling references, another agency's entries) are skipped with a reason
    and the rest is imported, all in one transaction.
    """
    found = hsds.collect(document)
    with transaction.atomic():
        report = _Importer(found, actor=actor, request=request, administered=administered).run()
        record(
            "import",
            actor=actor,
            request=request,
            object_type="pathways.service",
            details={
                "format": f"hsds-{hsds.HSDS_VERSION}",
                **{key: len(getattr(report, key)) for key in REPORT_KEYS},
            },
        )
    return report


def export_directory(
    *, actor: AbstractBaseUser | None, request: AnyRequest = None
) -> dict[str, Any]:
    """The directory as HSDS 3.0 JSON: agencies with entries, services, locations, links."""
    with_entries = set(Service.objects.values_list("agency_id", flat=True)) | set(
        Location.objects.values_list("agency_id", flat=True)
    )
    missing = with_entries - set(
        OrganizationRecord.objects.filter(agency__in=with_entries).values_list(
            "agency_id", flat=True
        )
    )
    OrganizationRecord.objects.bulk_create(
        [OrganizationRecord(agency_id=agency_id) for agency_id in sorted(missing)],
        ignore_conflicts=True,
    )
    records = {r.agency_id: r for r in OrganizationRecord.objects.filter(agency__in=with_entries)}
    document = hsds.export_directory(records)
    record(
        "export",
        actor=actor,
        request=request,
        object_type="pathways.service",
        details={
            "format": f"hsds-{hsds.HSDS_VERSION}",
            "services": len(document["services"]),
            "locations": len(document["locations"]),
        },
    )
    return document
