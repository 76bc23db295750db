"""Agencies and their staff: every member reads the agency list; admins manage their own."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from agencies import services
from agencies.api.serializers import AgencySerializer, MembershipSerializer, RegionSerializer
from agencies.models import Agency, Membership, Region, Role
from agencies.selectors import agencies_of, has_role
from core.access import Scope, policy
from core.query import whole_number

READ_DIRECTORY = policy(Scope.STAFF, summary="Every staff member reads the agency directory")


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    access_policy = {"list": READ_DIRECTORY, "retrieve": READ_DIRECTORY}
    queryset = Region.objects.all()
    serializer_class = RegionSerializer


class AgencyViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AgencySerializer
    access_policy = {
        "list": READ_DIRECTORY,
        "retrieve": READ_DIRECTORY,
        "partial_update": policy(
            Scope.OWN_AGENCY, roles=[Role.AGENCY_ADMIN], summary="Admins edit their own agency"
        ),
    }
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Agency]:
        queryset = Agency.objects.select_related("region").filter(is_active=True)
        if self.action == "partial_update":
            # Another agency's write endpoint does not exist for this caller: 404.
            queryset = queryset.filter(pk__in=[a.pk for a in agencies_of(self.request.user)])
        kind = self.request.query_params.get("kind")
        region = self.request.query_params.get("region")
        if kind:
            queryset = queryset.filter(kind=kind)
        if region:
            queryset = queryset.filter(region__code=region)
        return queryset

    def perform_update(self, serializer: BaseSerializer) -> None:
        agency = serializer.instance
        if not has_role(self.request.user, [Role.AGENCY_ADMIN], agency):
            raise PermissionDenied("Only this agency's admins can change its details.")
        services.update_agency(agency, by=self.request.user, **serializer.validated_data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "agency", int, description="Only this agency's staff (one I administer)"
            )
        ]
    )
)
class MembershipViewSet(
    mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Staff and roles of the agencies the caller administers. Ending a role keeps the record."""

    serializer_class = MembershipSerializer
    _admins = policy(Scope.OWN_AGENCY, roles=[Role.AGENCY_ADMIN], summary="Admins of the agency")
    access_policy = {"list": _admins, "retrieve": _admins, "create": _admins, "destroy": _admins}

    def get_queryset(self) -> QuerySet[Membership]:
        mine = [a.pk for a in agencies_of(self.request.user)]
        queryset = Membership.objects.select_related("user", "agency").filter(agency__in=mine)
        if self.action == "list":
            administered = [a.pk for a in agencies_of(self.request.user, [Role.AGENCY_ADMIN])]
            if not administered:
                raise PermissionDenied("Only agency admins can see staff lists.")
            queryset = queryset.filter(agency__in=administered)
            agency = whole_number(self.request.query_params, "agency")
            if agency is not None:
                queryset = queryset.filter(agency=agency)
        return queryset.order_by("agency__name", "user__username", "role")

    def check_object_permissions(self, request: Request, obj: Membership) -> None:
        super().check_object_permissions(request, obj)
        if not has_role(request.user, [Role.AGENCY_ADMIN], obj.agency_id):
            raise PermissionDenied("Only this agency's admins can manage its staff.")

    @extend_schema(summary="Give a person (new or existing) a role in an agency I administer")
    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        agency = data["agency"]
        if agency.pk not in {a.pk for a in agencies_of(request.user)}:
            # The caller has no relation to that agency: as if it did not exist.
            serializer.fields["agency"].fail("does_not_exist", pk_value=agency.pk)
        if not has_role(request.user, [Role.AGENCY_ADMIN], agency):
            raise PermissionDenied("Only this agency's admins can manage its staff.")
        membership = services.add_staff_member(
            agency=agency,
            username=data["username"],
            role=data["role"],
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            email=data.get("email", ""),
            password=data.get("password"),
            by=request.user,
        )
        return Response(self.get_serializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="End a person's role (kept for the record)")
    def destroy(self, request: Request, *args: object, **kwargs: object) -> Response:
        membership = self.get_object()
        services.end_membership(membership, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
