"""Consent records, the disclosure log, and duty managers' override authorisations."""

import uuid
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.api.acting import acting_agency
from agencies.models import Role
from agencies.selectors import agencies_of
from children.models import Child
from consent import services
from consent.api.serializers import (
    ConsentCreateSerializer,
    ConsentRecordSerializer,
    DisclosureSerializer,
    LawfulBasisSerializer,
    OverrideRequestSerializer,
    OverrideSerializer,
    ReasonSerializer,
)
from consent.models import ConsentRecord, Disclosure, LawfulBasis, OverrideAuthorisation
from core import access
from core.access import ProtectedViewSetMixin, Scope, policy
from core.exceptions import Conflict

CASE_WORKERS = (Role.HELPLINE_WORKER, Role.SOCIAL_WORKER, Role.PRACTITIONER, Role.DUTY_MANAGER)
CASE_READERS = (*CASE_WORKERS, Role.DPO)

CHILD_FILTER = OpenApiParameter("child", uuid.UUID, description="Only this child's records")


def _visible_child(request: Request, child_id: uuid.UUID) -> Child:
    """The child, if the caller may see it; otherwise a 404 like any hidden object."""
    child = access.visible_to(request.user, Child.objects.all()).filter(pk=child_id).first()
    if child is None:
        raise NotFound()
    return child


def _filter_by_child(request: Request, queryset: QuerySet) -> QuerySet:
    child = request.query_params.get("child")
    if not child:
        return queryset
    try:
        return queryset.filter(child=uuid.UUID(child))
    except ValueError:
        raise ValidationError({"child": "Not a valid id."}) from None


def _rejected(exc: Exception) -> ValidationError:
    return ValidationError({"non_field_errors": [str(exc)]})


class ConsentViewSet(ProtectedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Consent records: kept by the agency that recorded them and the child's record keeper."""

    queryset = (
        ConsentRecord.objects.select_related(
            "child", "recorded_by", "recorded_by_agency", "withdrawn_by"
        )
        .prefetch_related("recipient_agencies")
        .order_by("-recorded_at", "pk")
    )
    serializer_class = ConsentRecordSerializer
    access_policy = {
        "list": policy(Scope.OWN_AGENCY, Scope.SHARED, roles=CASE_READERS),
        "retrieve": policy(Scope.OWN_AGENCY, Scope.SHARED, roles=CASE_READERS),
        "create": policy(Scope.OWN_AGENCY, Scope.SHARED, roles=CASE_WORKERS),
        "withdraw": policy(Scope.OWN_AGENCY, Scope.SHARED, roles=CASE_WORKERS),
    }

    def get_queryset(self) -> QuerySet[ConsentRecord]:
        queryset = super().get_queryset()
        if self.action == "list":
            queryset = _filter_by_child(self.request, queryset)
        return queryset

    @extend_schema(parameters=[CHILD_FILTER], summary="Consent records I may see")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=ConsentCreateSerializer,
        responses={201: ConsentRecordSerializer},
        summary="Record a consent decision (given or refused) for a child I may see",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ConsentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        child = _visible_child(request, data.pop("child"))
        try:
            consent = services.record_consent(
                child=child,
                actor=request.user,
                agency=acting_agency(request, CASE_WORKERS),
                request=request,
                **data,
            )
        except ValueError as exc:
            raise _rejected(exc) from None
        return Response(self.get_serializer(consent).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ReasonSerializer,
        responses=ConsentRecordSerializer,
        summary="Withdraw consent: later shares relying on it are refused and its grants end",
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        consent = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            consent = services.withdraw_consent(
                consent,
                by=request.user,
                reason=serializer.validated_data["reason"],
                request=request,
                agency=acting_agency(request, CASE_WORKERS),
            )
        except services.StateConflict as exc:
            raise Conflict(str(exc)) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=consent.pk)).data)


class DisclosureViewSet(ProtectedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """What was shared with whom: visible to both sides of each disclosure."""

    queryset = Disclosure.objects.select_related(
        "child",
        "recipient_agency",
        "recipient_user",
        "disclosed_by",
        "disclosed_by_agency",
        "override__authorised_by",
        "subject_type",
    ).order_by("-disclosed_at", "pk")
    serializer_class = DisclosureSerializer
    access_policy = {
        "list": policy(Scope.OWN_AGENCY, Scope.SHARED, Scope.DPO, roles=CASE_READERS),
        "retrieve": policy(Scope.OWN_AGENCY, Scope.SHARED, Scope.DPO, roles=CASE_READERS),
    }

    def get_queryset(self) -> QuerySet[Disclosure]:
        queryset = super().get_queryset()
        if self.action == "list":
            queryset = _filter_by_child(self.request, queryset)
        return queryset

    def get_serializer_context(self) -> dict[str, Any]:
        return {
            **super().get_serializer_context(),
            "viewer_agency_ids": {a.pk for a in agencies_of(self.request.user)},
        }

    @extend_schema(parameters=[CHILD_FILTER], summary="The disclosure log")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


class OverrideViewSet(
    ProtectedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Sharing without consent: a worker asks, a duty manager of their agency decides.

    A duty manager's own request is authorised at once. An authorised override is then named
    in a share (``override``) by any of the agency's staff, within its scope, for 72 hours.
    """

    queryset = OverrideAuthorisation.objects.select_related(
        "child", "agency", "recipient_agency", "requested_by", "authorised_by"
    ).order_by("-requested_at", "pk")
    serializer_class = OverrideSerializer
    _duty = policy(Scope.OWN_AGENCY, roles=[Role.DUTY_MANAGER], summary="Duty managers decide")
    access_policy = {
        "list": policy(Scope.OWN_AGENCY, roles=CASE_READERS),
        "retrieve": policy(Scope.OWN_AGENCY, roles=CASE_READERS),
        "create": policy(Scope.OWN_AGENCY, Scope.SHARED, roles=CASE_WORKERS),
        "authorise": _duty,
        "refuse": _duty,
    }

    def get_queryset(self) -> QuerySet[OverrideAuthorisation]:
        queryset = super().get_queryset()
        if self.action == "list":
            queryset = _filter_by_child(self.request, queryset)
            wanted = self.request.query_params.get("status")
            if wanted:
                queryset = queryset.filter(status=wanted)
        return queryset

    @extend_schema(
        parameters=[
            CHILD_FILTER,
            OpenApiParameter("status", str, enum=["requested", "authorised", "refused"]),
        ],
        summary="My agency's override requests and authorisations",
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=OverrideRequestSerializer,
        responses={201: OverrideSerializer},
        summary="Ask to share without consent (authorised at once when I am a duty manager)",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = OverrideRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        child = _visible_child(request, data.pop("child"))
        try:
            override = services.request_override(
                child=child,
                actor=request.user,
                agency=acting_agency(request, CASE_WORKERS),
                request=request,
                **data,
            )
        except (ValueError, services.SharingRefused) as exc:
            raise _rejected(exc) from None
        return Response(
            self.get_serializer(self.get_queryset().get(pk=override.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def _decide(self, request: Request, decide: Any, **kwargs: Any) -> Response:
        override = self.get_object()
        try:
            override = decide(override, by=request.user, request=request, **kwargs)
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from None
        except services.StateConflict as exc:
            raise Conflict(str(exc)) from None
        except ValueError as exc:
            raise _rejected(exc) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=override.pk)).data)

    @extend_schema(request=None, responses=OverrideSerializer, summary="Authorise the override")
    @action(detail=True, methods=["post"])
    def authorise(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, services.authorise_override)

    @extend_schema(
        request=ReasonSerializer, responses=OverrideSerializer, summary="Refuse the override"
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str | None = None) -> Response:
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._decide(
            request, services.refuse_override, reason=serializer.validated_data["reason"]
        )


class LawfulBasisView(APIView):
    access_policy = {"get": policy(Scope.STAFF)}

    @extend_schema(
        responses=LawfulBasisSerializer(many=True),
        summary="The lawful bases an override may rest on",
    )
    def get(self, request: Request) -> Response:
        return Response([{"value": v, "label": label} for v, label in LawfulBasis.choices])
