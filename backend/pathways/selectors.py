"""Read queries over the directory: listings without N+1, visibility, freshness, matching."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from agencies.models import Agency
from agencies.selectors import agencies_of
from pathways.models import Pathway, PathwayStep, Service
from pathways.vocabulary import (
    IntakeStatus,
    MatchReasonCode,
    MatchSource,
    NeedCategory,
    PathwayStatus,
    Urgency,
)

User = AbstractBaseUser | AnonymousUser

INTAKE_ORDER = {IntakeStatus.ACCEPTING: 0, IntakeStatus.WAITLIST: 1, IntakeStatus.CLOSED: 2}


def services() -> QuerySet[Service]:
    """Services with everything their representation shows, in a fixed number of queries."""
    return Service.objects.select_related(
        "agency", "agency__region", "last_verified_by"
    ).prefetch_related("needs", "service_areas")


def pathways() -> QuerySet[Pathway]:
    steps = PathwayStep.objects.select_related(
        "service", "service__agency", "service__agency__region"
    ).order_by("position")
    return Pathway.objects.select_related("agency", "agency__region").prefetch_related(
        "regions", Prefetch("steps", queryset=steps)
    )


def pathways_visible_to(user: User) -> QuerySet[Pathway]:
    """Published and retired versions for every staff member; drafts only for their agency."""
    own = [agency.pk for agency in agencies_of(user)]
    return pathways().filter(~Q(status=PathwayStatus.DRAFT) | Q(agency__in=own))


def verify_after_days() -> int:
    return int(settings.PATHWAYS_VERIFY_AFTER_DAYS)


def stale_services(agencies: list[Agency], days: int) -> QuerySet[Service]:
    """Active services of ``agencies`` never verified, or not verified for more than ``days``."""
    cutoff = timezone.now() - timedelta(days=days)
    return (
        services()
        .filter(agency__in=agencies, is_active=True)
        .filter(Q(last_verified_at__isnull=True) | Q(last_verified_at__lt=cutoff))
        .order_by(F("last_verified_at").asc(nulls_first=True), "agency__name", "name", "pk")
    )


# --- matching ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    code: MatchReasonCode
    detail: str


@dataclass
class Match:
    """One suggested service and why it was suggested."""

    service: Service
    source: MatchSource
    response_hours: int
    pathway: Pathway | None = None
    step: int | None = None
    reasons: list[Reason] = field(default_factory=list)
    rank: int = 0


def _age_text(low: int | None, high: int | None) -> str:
    if low is None and high is None:
        return "any age"
    if high is None:
        return f"ages {low} and over"
    if low is None:
        return f"ages up to {high}"
    return f"ages {low} to {high}"


def _service_reasons(
    service: Service, need: str, urgency: str, age: int | None, region: str | None
) -> list[Reason]:
    reasons = []
    if need in service.need_categories:
        reasons.append(Reason(MatchReasonCode.NEED, f"Provides {NeedCategory(need).label.lower()}"))
    if age is not None and service.serves_age(age):
        reasons.append(
            Reason(
                MatchReasonCode.AGE,
                f"Eligible: {_age_text(service.minimum_age, service.maximum_age)}",
            )
        )
    areas = list(service.service_areas.all())
    if region is not None:
        names = [area.name for area in areas if area.code == region]
        if names:
            reasons.append(Reason(MatchReasonCode.REGION, f"Serves {names[0]}"))
        elif not areas:
            reasons.append(Reason(MatchReasonCode.REGION, "Serves every region"))
    status = IntakeStatus(service.intake_status)
    if status == IntakeStatus.CLOSED:
        reasons.append(
            Reason(
                MatchReasonCode.INTAKE, "Closed to new referrals: suggested only as a last resort"
            )
        )
    else:
        reasons.append(Reason(MatchReasonCode.INTAKE, status.label))
    hours = service.acknowledgement_hours(urgency)
    reasons.append(
        Reason(
            MatchReasonCode.ACKNOWLEDGEMENT,
            f"Acknowledges {Urgency(urgency).label.lower()} referrals within {hours} h",
        )
    )
    return reasons


def _pathway_fits(
    pathway: Pathway, age: int | None, region: str | None, referrer_kind: str | None
) -> bool:
    if age is not None and not pathway.fits_age(age):
        return False
    codes = {r.code for r in pathway.regions.all()}
    if region is not None and codes and region not in codes:
        return False
    return pathway.fits_referrer(referrer_kind)


def match_services(
    *,
    need: str,
    urgency: str,
    age: int | None = None,
    region: str | None = None,
    referrer_kind: str | None = None,
) -> list[Match]:
    """Services for a situation, best first.

    Order: the steps of matching published pathways (pathway by pathway, steps in order),
    then other active services that meet the need, the age and the region, open ones before
    waiting lists, quickest to acknowledge first. Services closed to intake always come
    after every open one, so they are never the first suggestion.
    """
    step_queryset = (
        PathwayStep.objects.filter(service__is_active=True)
        .select_related("service", "service__agency", "service__agency__region")
        .prefetch_related("service__needs", "service__service_areas")
        .order_by("position")
    )
    candidates = (
        Pathway.objects.filter(status=PathwayStatus.PUBLISHED, need_category=need, urgency=urgency)
        .prefetch_related("regions", Prefetch("steps", queryset=step_queryset))
        .order_by("name", "pk")
    )
    results: list[Match] = []
    seen: set[int] = set()
    for pathway in candidates:
        if not _pathway_fits(pathway, age, region, referrer_kind):
            continue
        for step in pathway.steps.all():
            if step.service_id in seen:
                continue
            seen.add(step.service_id)
            reason = Reason(
                MatchReasonCode.PATHWAY_STEP,
                f"Step {step.position} of the pathway “{pathway.name}” (version "
                f"{pathway.version}): respond within {step.response_hours} h",
            )
            results.append(
                Match(
                    service=step.service,
                    source=MatchSource.PATHWAY,
                    response_hours=step.response_hours,
                    pathway=pathway,
                    step=step.position,
                    reasons=[
                        reason,
                        *_service_reasons(step.service, need, urgency, age, region),
                    ],
                )
            )

    others = services().filter(is_active=True, needs__category=need).exclude(pk__in=seen)
    if age is not None:
        others = others.filter(
            Q(minimum_age__isnull=True) | Q(minimum_age__lte=age),
            Q(maximum_age__isnull=True) | Q(maximum_age__gte=age),
        )
    if region is not None:
        others = others.filter(Q(service_areas__isnull=True) | Q(service_areas__code=region))
    directory = sorted(
        others.distinct(),
        key=lambda s: (INTAKE_ORDER[s.intake_status], s.acknowledgement_hours(urgency), s.name),
    )
    results.extend(
        Match(
            service=service,
            source=MatchSource.DIRECTORY,
            response_hours=service.acknowledgement_hours(urgency),
            reasons=_service_reasons(service, need, urgency, age, region),
        )
        for service in directory
    )
    # A stable sort: closed services sink below every open one, other order is kept.
    results.sort(key=lambda m: m.service.intake_status == IntakeStatus.CLOSED)
    for rank, result in enumerate(results, start=1):
        result.rank = rank
    return results
