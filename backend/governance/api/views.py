"""Break-glass access to a child's record and its review; legal holds (DPOs).

Nothing is deleted here: accesses expire or are revoked, holds are released, all on record.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from agencies.models import Role
from agencies.selectors import agencies_of, has_role
from children.models import Child
from core import access
from core.access import Scope, policy
from governance import services
from governance.api.serializers import (
    BreakGlassAccessSerializer,
    BreakGlassRequestSerializer,
    BreakGlassReviewSerializer,
    LegalHoldCreateSerializer,
    LegalHoldSerializer,
    ReleaseSerializer,
)
from governance.models import BreakGlassAccess, LegalHold, ReviewStatus

DPOS = policy(Scope.OWN_AGENCY, roles=[Role.DPO], summary="DPOs of the agency concerned")


class ChildBreakGlassView(generics.GenericAPIView):
    """Open a child's record in an emergency, outside one's normal access."""

    queryset = Child.objects.all()
    serializer_class = BreakGlassRequestSerializer
    access_policy = {
        "post": policy(
            Scope.EMERGENCY,
            roles=services.EMERGENCY_ROLES,
            summary="Duty managers and DPOs, any child record by its id, with a reason",
        )
    }

    def get_queryset(self) -> QuerySet[Child]:
        # Only the roles allowed to break the glass reach records they cannot see: to anyone
        # else a hidden record is a 404, exactly like one that does not exist.
        if has_role(self.request.user, services.EMERGENCY_ROLES):
            return Child.objects.all()
        return access.visible_to(self.request.user, Child.objects.all())

    @extend_schema(
        request=BreakGlassRequestSerializer,
        responses={201: BreakGlassAccessSerializer},
        summary="Break the glass: open this child's record for a limited time, with a reason",
        description="The record becomes readable to me for BREAK_GLASS_MINUTES. The access "
        "is on the audit trail and the DPOs of my agency are asked to review it. 409 when I "
        "can see the record already or have it open already, or when my agency has no DPO "
        "but me to review it.",
    )
    def post(self, request: Request, pk: str | None = None) -> Response:
        child = self.get_object()
        serializer = BreakGlassRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            grant = services.break_glass(
                child, by=request.user, reason=serializer.validated_data["reason"], request=request
            )
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(BreakGlassAccessSerializer(grant).data, status=status.HTTP_201_CREATED)


def _agencies(request: Request, action: str | None) -> list[int]:
    """Lists show the agencies where the caller is a DPO; a lookup reaches those of every
    agency they belong to, so a colleague in another role gets 403, an outsider 404."""
    roles = [Role.DPO] if action == "list" else None
    return [a.pk for a in agencies_of(request.user, roles)]


def _require_dpo_of(request: Request, agency_id: int) -> None:
    if not has_role(request.user, [Role.DPO], agency_id):
        raise PermissionDenied("Only the agency's DPOs see this.")


@extend_schema_view(
    list=extend_schema(
        summary="Break-glass accesses of my agencies, to review",
        parameters=[
            OpenApiParameter(
                "status", str, enum=ReviewStatus.values, description="e.g. pending: to review"
            )
        ],
    ),
    retrieve=extend_schema(summary="One break-glass access"),
)
class BreakGlassViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = BreakGlassAccessSerializer
    access_policy = {"list": DPOS, "retrieve": DPOS, "review": DPOS}

    def check_object_permissions(self, request: Request, obj: BreakGlassAccess) -> None:
        super().check_object_permissions(request, obj)
        _require_dpo_of(request, obj.agency_id)

    def get_queryset(self) -> QuerySet[BreakGlassAccess]:
        queryset = BreakGlassAccess.objects.filter(
            agency__in=_agencies(self.request, self.action)
        ).select_related("child", "user", "reviewed_by")
        wanted = self.request.query_params.get("status")
        if self.action == "list" and wanted:
            if wanted not in ReviewStatus.values:
                raise ValidationError({"status": ["Not a review status."]})
            queryset = queryset.filter(review_status=wanted)
        return queryset

    @extend_schema(
        request=BreakGlassReviewSerializer,
        responses=BreakGlassAccessSerializer,
        summary="Sign the access off as appropriate or inappropriate (not my own)",
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        grant = self.get_object()
        serializer = BreakGlassReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            grant = services.review_break_glass(
                grant, by=request.user, request=request, **serializer.validated_data
            )
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(BreakGlassAccessSerializer(grant).data)


@extend_schema_view(
    list=extend_schema(
        summary="Legal holds my agencies placed",
        parameters=[
            OpenApiParameter("active", bool, description="Only holds not yet released"),
        ],
    ),
    retrieve=extend_schema(summary="One legal hold"),
)
class LegalHoldViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Holds keep a child's records from the retention job until they are released."""

    access_policy = {"list": DPOS, "retrieve": DPOS, "create": DPOS, "release": DPOS}

    def check_object_permissions(self, request: Request, obj: LegalHold) -> None:
        super().check_object_permissions(request, obj)
        _require_dpo_of(request, obj.agency_id)

    def get_serializer_class(self) -> type[BaseSerializer]:
        return LegalHoldCreateSerializer if self.action == "create" else LegalHoldSerializer

    def get_queryset(self) -> QuerySet[LegalHold]:
        queryset = LegalHold.objects.filter(
            agency__in=_agencies(self.request, self.action)
        ).select_related("child", "placed_by", "released_by")
        active = self.request.query_params.get("active")
        if self.action == "list" and active in {"true", "false"}:
            queryset = queryset.filter(released_at__isnull=active == "true")
        return queryset

    @extend_schema(
        request=LegalHoldCreateSerializer,
        responses={201: LegalHoldSerializer},
        summary="Hold a child's records: the retention job leaves them until released",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            hold = services.place_legal_hold(
                serializer.validated_data["child"],
                by=request.user,
                reason=serializer.validated_data["reason"],
                request=request,
            )
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(LegalHoldSerializer(hold).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ReleaseSerializer,
        responses=LegalHoldSerializer,
        summary="Release the hold (kept on record); retention applies again",
    )
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str | None = None) -> Response:
        hold = self.get_object()
        serializer = ReleaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            hold = services.release_legal_hold(
                hold,
                by=request.user,
                note=serializer.validated_data.get("note", ""),
                request=request,
            )
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(LegalHoldSerializer(hold).data)
