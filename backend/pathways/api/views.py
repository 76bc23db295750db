"""The directory API: every staff member reads; agency admins write their own agency's entries.

Writes reach only the caller's own agencies: another agency's service or pathway answers
404, exactly like one that does not exist; a member of the owning agency without the admin
role gets 403.
"""

import re
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Agency, Role
from agencies.selectors import active_agency, agencies_of, has_role
from core.access import Scope, policy
from pathways import hsds, selectors, services
from pathways.api.serializers import (
    HsdsDocumentSerializer,
    ImportReportSerializer,
    MatchQuerySerializer,
    MatchResponseSerializer,
    PathwaySerializer,
    PathwayWriteSerializer,
    ServiceSerializer,
    ServiceWriteSerializer,
    VerifyAfterSerializer,
)
from pathways.models import Pathway, Service
from pathways.vocabulary import IntakeStatus, NeedCategory, PathwayStatus

READ = policy(Scope.STAFF, summary="Every staff member reads the directory")
ADMIN = policy(
    Scope.OWN_AGENCY,
    roles=[Role.AGENCY_ADMIN],
    summary="Agency admins write their own agency's directory entries",
)


def _owning_agency(request: Request, chosen: Agency | None) -> Agency:
    """The agency a new entry belongs to: the one named, or the caller's only one."""
    administered = agencies_of(request.user, [Role.AGENCY_ADMIN])
    if chosen is None:
        if len(administered) != 1:
            raise ValidationError({"agency": ["Choose the agency this entry belongs to."]})
        return administered[0]
    if chosen.pk not in {a.pk for a in agencies_of(request.user)}:
        # Not the caller's agency: the field's own answer for one that does not exist.
        missing = serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
        detail = ErrorDetail(missing.format(pk_value=chosen.pk), code="does_not_exist")
        raise ValidationError({"agency": [detail]})
    if not has_role(request.user, [Role.AGENCY_ADMIN], chosen):
        raise PermissionDenied("Only this agency's admins can change its directory entries.")
    return chosen


def _own_agency_ids(request: Request) -> list[int]:
    return [agency.pk for agency in agencies_of(request.user)]


def _require_admin_of(request: Request, agency_id: int) -> None:
    if not has_role(request.user, [Role.AGENCY_ADMIN], agency_id):
        raise PermissionDenied("Only this agency's admins can change its directory entries.")


# Each word must match; a few are enough to find a service, and the query stays small.
MAX_SEARCH_WORDS = 5
AGE = re.compile("[0-9]{1,3}")
# An id the database can hold: ASCII digits only ("²" is a digit to str.isdigit, not to int).
ID = re.compile("[0-9]{1,9}")


SERVICE_FILTERS = [
    OpenApiParameter("need", str, enum=NeedCategory.values, description="Need category"),
    OpenApiParameter(
        "region", str, description="Region code; services for every region are included"
    ),
    OpenApiParameter("agency", int, description="Owning agency id"),
    OpenApiParameter("intake_status", str, enum=IntakeStatus.values),
    OpenApiParameter("age", int, description="Only services whose age range includes this age"),
    OpenApiParameter("search", str, description="Words in the name or description"),
    OpenApiParameter("is_active", bool, description="Only active (true) or inactive (false)"),
]


T = TypeVar("T")


def _by_id(what: str) -> Callable[[T], T]:
    return extend_schema(
        parameters=[
            OpenApiParameter(
                "id",
                int,
                OpenApiParameter.PATH,
                description=f"A unique integer value identifying this {what}.",
            )
        ]
    )


@extend_schema_view(
    retrieve=_by_id("service"), partial_update=_by_id("service"), verify=_by_id("service")
)
class ServiceViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Services in the directory (Open Referral HSDS ``service``)."""

    serializer_class = ServiceSerializer
    # Any id shape reaches this view and gets its JSON 404 (the router's default stops at a
    # dot); the schema still says ids are integers.
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    access_policy = {
        "list": READ,
        "retrieve": READ,
        "create": ADMIN,
        "partial_update": ADMIN,
        "verify": ADMIN,
        "stale": ADMIN,
    }

    def get_queryset(self) -> QuerySet[Service]:
        queryset = selectors.services()
        if self.action in {"partial_update", "verify"}:
            queryset = queryset.filter(agency__in=_own_agency_ids(self.request))
        if self.action == "list":
            queryset = self._filtered(queryset)
        return queryset

    def _filtered(self, queryset: QuerySet[Service]) -> QuerySet[Service]:
        params = self.request.query_params
        if params.get("need") in NeedCategory.values:
            queryset = queryset.filter(needs__category=params["need"])
        region = params.get("region", "")
        if region:
            queryset = queryset.filter(
                Q(service_areas__code=region) | Q(service_areas__isnull=True)
            )
        age = params.get("age", "")
        if AGE.fullmatch(age):
            queryset = queryset.filter(
                Q(minimum_age__isnull=True) | Q(minimum_age__lte=int(age)),
                Q(maximum_age__isnull=True) | Q(maximum_age__gte=int(age)),
            )
        for word in params.get("search", "").split()[:MAX_SEARCH_WORDS]:
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(alternate_name__icontains=word)
                | Q(description__icontains=word)
            )
        if ID.fullmatch(params.get("agency", "")):
            queryset = queryset.filter(agency=int(params["agency"]))
        if params.get("intake_status") in IntakeStatus.values:
            queryset = queryset.filter(intake_status=params["intake_status"])
        if params.get("is_active") in {"true", "false"}:
            queryset = queryset.filter(is_active=params["is_active"] == "true")
        return queryset.distinct()

    def _reload(self, service: Service) -> Service:
        return selectors.services().get(pk=service.pk)

    @extend_schema(summary="List directory services", parameters=SERVICE_FILTERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Add a service to my agency's directory entries",
        request=ServiceWriteSerializer,
        responses={201: ServiceSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ServiceWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        agency = _owning_agency(request, data.pop("agency", None))
        service = services.create_service(
            actor=request.user,
            agency=agency,
            need_categories=data.pop("need_categories"),
            service_areas=data.pop("service_areas", []),
            request=request,
            **data,
        )
        return Response(
            ServiceSerializer(self._reload(service)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Change one of my agency's services",
        request=ServiceWriteSerializer,
        responses={200: ServiceSerializer},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        service = self.get_object()
        _require_admin_of(request, service.agency_id)
        serializer = ServiceWriteSerializer(service, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.pop("agency", service.agency) != service.agency:
            raise ValidationError({"agency": ["A service cannot move to another agency."]})
        services.update_service(
            service,
            actor=request.user,
            need_categories=data.pop("need_categories", None),
            service_areas=data.pop("service_areas", None),
            request=request,
            **data,
        )
        return Response(ServiceSerializer(self._reload(service)).data)

    @extend_schema(
        summary="Confirm a service's entry is correct (stamps when and by whom)",
        request=None,
        responses={200: ServiceSerializer},
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        service = self.get_object()
        _require_admin_of(request, service.agency_id)
        services.verify_service(service, actor=request.user, request=request)
        return Response(ServiceSerializer(self._reload(service)).data)

    @extend_schema(
        summary="My agencies' services not verified recently",
        description=(
            "Active services of the agencies I administer that were never verified, or not "
            "for more than `days` days (default: the PATHWAYS_VERIFY_AFTER_DAYS setting). "
            "Oldest first."
        ),
        parameters=[OpenApiParameter("days", int, description="Days since last verification")],
        responses={200: ServiceSerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def stale(self, request: Request) -> Response:
        query = VerifyAfterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        days = query.validated_data.get("days", selectors.verify_after_days())
        administered = agencies_of(request.user, [Role.AGENCY_ADMIN])
        page = self.paginate_queryset(selectors.stale_services(administered, days))
        return self.get_paginated_response(ServiceSerializer(page, many=True).data)


PATHWAY_FILTERS = [
    OpenApiParameter(
        "status",
        str,
        enum=[*PathwayStatus.values, "all"],
        description="Version status; default 'published'",
    ),
    OpenApiParameter("lineage", OpenApiTypes.UUID, description="All versions of one pathway"),
    OpenApiParameter("need", str, enum=NeedCategory.values),
    OpenApiParameter("agency", int, description="Owning agency id"),
]


@extend_schema_view(
    retrieve=_by_id("pathway"),
    partial_update=_by_id("pathway"),
    publish=_by_id("pathway"),
    retire=_by_id("pathway"),
)
class PathwayViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Referral pathways: versioned routes from a situation to an ordered list of services."""

    serializer_class = PathwaySerializer
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    access_policy = {
        "list": READ,
        "retrieve": READ,
        "match": READ,
        "create": ADMIN,
        "partial_update": ADMIN,
        "publish": ADMIN,
        "retire": ADMIN,
    }

    def get_queryset(self) -> QuerySet[Pathway]:
        if self.action in {"partial_update", "publish", "retire"}:
            return selectors.pathways().filter(agency__in=_own_agency_ids(self.request))
        queryset = selectors.pathways_visible_to(self.request.user)
        if self.action == "list":
            queryset = self._filtered(queryset)
        return queryset

    def _filtered(self, queryset: QuerySet[Pathway]) -> QuerySet[Pathway]:
        params = self.request.query_params
        wanted = params.get("status", PathwayStatus.PUBLISHED)
        if wanted in PathwayStatus.values:
            queryset = queryset.filter(status=wanted)
        lineage = params.get("lineage")
        if lineage:
            try:
                queryset = queryset.filter(
                    lineage=serializers.UUIDField().to_internal_value(lineage)
                ).order_by("-version")
            except serializers.ValidationError:
                return queryset.none()
        if params.get("need") in NeedCategory.values:
            queryset = queryset.filter(need_category=params["need"])
        if ID.fullmatch(params.get("agency", "")):
            queryset = queryset.filter(agency=int(params["agency"]))
        return queryset

    def _reload(self, pathway: Pathway) -> Pathway:
        return selectors.pathways().get(pk=pathway.pk)

    @extend_schema(
        summary="List pathways (published versions unless asked)", parameters=PATHWAY_FILTERS
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Draft a new pathway for my agency",
        request=PathwayWriteSerializer,
        responses={201: PathwaySerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = PathwayWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        agency = _owning_agency(request, data.pop("agency", None))
        pathway = services.create_pathway(
            actor=request.user,
            agency=agency,
            steps=_steps(data.pop("steps", [])),
            regions=data.pop("regions", []),
            request=request,
            **data,
        )
        return Response(
            PathwaySerializer(self._reload(pathway)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Edit a pathway",
        description=(
            "A draft changes in place (200). A published version never changes: the edit "
            "becomes the next draft version of the same pathway (same `lineage`, "
            "`version` + 1), answered with 201. Retired versions cannot be edited (409)."
        ),
        request=PathwayWriteSerializer,
        responses={200: PathwaySerializer, 201: PathwaySerializer},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pathway = self.get_object()
        _require_admin_of(request, pathway.agency_id)
        serializer = PathwayWriteSerializer(pathway, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.pop("agency", pathway.agency) != pathway.agency:
            raise ValidationError({"agency": ["A pathway cannot move to another agency."]})
        steps = data.pop("steps", None)
        result = services.edit_pathway(
            pathway,
            actor=request.user,
            steps=_steps(steps) if steps is not None else None,
            regions=data.pop("regions", None),
            request=request,
            **data,
        )
        created = result.pk != pathway.pk
        return Response(
            PathwaySerializer(self._reload(result)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Publish a draft version (retires the version it replaces)",
        request=None,
        responses={200: PathwaySerializer, 409: OpenApiResponse(description="Not a draft")},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        pathway = self.get_object()
        _require_admin_of(request, pathway.agency_id)
        services.publish_pathway(pathway, actor=request.user, request=request)
        return Response(PathwaySerializer(self._reload(pathway)).data)

    @extend_schema(
        summary="Retire a pathway version (it stays readable)",
        request=None,
        responses={200: PathwaySerializer, 409: OpenApiResponse(description="Already retired")},
    )
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: str | None = None) -> Response:
        pathway = self.get_object()
        _require_admin_of(request, pathway.agency_id)
        services.retire_pathway(pathway, actor=request.user, request=request)
        return Response(PathwaySerializer(self._reload(pathway)).data)

    @extend_schema(
        summary="Suggest services for a situation, best first, each with its reasons",
        description=(
            "Steps of matching published pathways come first, in pathway order; then other "
            "active services that meet the need, age and region, open ones before waiting "
            "lists. Services closed to intake always come after every open one."
        ),
        parameters=[MatchQuerySerializer],
        responses={200: MatchResponseSerializer},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def match(self, request: Request) -> Response:
        query = MatchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        kind = params.get("referring_agency_kind")
        if kind is None:
            working_for = active_agency(request.user, getattr(request, "session", None))
            kind = working_for.kind if working_for is not None else None
        region = params.get("region")
        results = selectors.match_services(
            need=params["need"],
            urgency=params["urgency"],
            age=params.get("age"),
            region=region.code if region is not None else None,
            referrer_kind=kind,
        )
        payload = {"need": params["need"], "urgency": params["urgency"], "matches": results}
        return Response(MatchResponseSerializer(payload).data)


def _steps(rows: list[dict[str, Any]]) -> list[services.StepSpec]:
    return [
        services.StepSpec(row["service"], row["response_hours"], row.get("note", ""))
        for row in rows
    ]


class DirectoryExportView(APIView):
    access_policy = {"get": READ}

    @extend_schema(
        summary="The directory as Open Referral HSDS 3.0 JSON",
        description=(
            "Organizations (the agencies), services, locations and service-at-location "
            "records; each object validates against the HSDS 3.0 schema. Platform fields HSDS "
            "has no term for are in each service's `x_safeguarding`."
        ),
        responses={200: HsdsDocumentSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(services.export_directory(actor=request.user, request=request))


class DirectoryImportView(APIView):
    access_policy = {"post": ADMIN}

    @extend_schema(
        summary="Import Open Referral HSDS 3.0 JSON into my agencies' directory entries",
        description=(
            "Accepts an export, a single service, an organization with its services, or a "
            "list of these. Idempotent by HSDS id. Records of agencies I do not administer "
            "and dangling references are skipped with a reason; a file that is not valid "
            "HSDS 3.0 is refused (400) and changes nothing."
        ),
        request=OpenApiTypes.ANY,
        responses={200: ImportReportSerializer},
    )
    def post(self, request: Request) -> Response:
        administered = [a.pk for a in agencies_of(request.user, [Role.AGENCY_ADMIN])]
        try:
            report = services.import_directory(
                request.data, actor=request.user, administered=administered, request=request
            )
        except hsds.InvalidDocument as exc:
            raise ValidationError({"file": exc.errors}) from exc
        return Response(ImportReportSerializer(report.as_dict()).data)
