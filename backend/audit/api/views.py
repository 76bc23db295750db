"""The data protection officer's view of the audit trail. For anyone else it does not exist."""

from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import MethodNotAllowed, NotFound
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Role
from audit.api.serializers import (
    AuditEventSerializer,
    AuditFilterSerializer,
    ChainVerificationSerializer,
)
from audit.models import AuditAction, AuditEvent
from audit.services import record, verify_chain
from core.access import DeclaredAccess, Policy, Scope, declared_policy, policy

DPO_ONLY = policy(Scope.DPO, roles=[Role.DPO], summary="Data protection officers only")
AUDIT_EVENTS = AuditEvent._meta.label_lower


class AuditTrailAccess(DeclaredAccess):
    """Only the roles the view declares (the DPO); any other signed-in person gets 404.

    A 403, or even a 405, would tell them the audit trail is there; the refusal is still
    recorded. Only someone let in learns which methods exist.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user.is_authenticated:
            return False
        policies: dict[str, Policy] = getattr(view, "access_policy", {})
        if not any(declared.admits(request.user) for declared in policies.values()):
            record(
                AuditAction.DENIED,
                request=request,
                object_type=AUDIT_EVENTS,
                details={"code": "not_found", "method": request.method, "reason": "role"},
            )
            raise NotFound()
        declared = declared_policy(view, request)
        if declared is None or not declared.admits(request.user):
            raise MethodNotAllowed(request.method)
        return True


class AuditEventListView(ListAPIView):
    serializer_class = AuditEventSerializer
    permission_classes = [AuditTrailAccess]
    access_policy = {"get": DPO_ONLY}
    http_method_names = ["get"]

    def get_queryset(self) -> QuerySet[AuditEvent]:
        filters = self.filters
        queryset = AuditEvent.objects.select_related("actor", "agency").order_by("-sequence")
        if "actor" in filters:
            queryset = queryset.filter(actor_id=filters["actor"])
        for field in ("object_type", "object_id", "action"):
            if field in filters:
                queryset = queryset.filter(**{field: filters[field]})
        if "since" in filters:
            queryset = queryset.filter(timestamp__gte=filters["since"])
        if "until" in filters:
            queryset = queryset.filter(timestamp__lt=filters["until"])
        return queryset

    @cached_property
    def filters(self) -> dict[str, Any]:
        serializer = AuditFilterSerializer(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        parameters=[AuditFilterSerializer],
        summary="Audit events, newest first (data protection officers only)",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = self.list(request, *args, **kwargs)
        record(
            AuditAction.LIST,
            request=request,
            object_type=AUDIT_EVENTS,
            details={
                "ids": [str(row["sequence"]) for row in response.data["results"]],
                "filters": sorted(self.filters),
            },
        )
        return response


class AuditVerifyView(APIView):
    permission_classes = [AuditTrailAccess]
    access_policy = {"get": DPO_ONLY}
    http_method_names = ["get"]

    @extend_schema(
        responses=ChainVerificationSerializer,
        summary="Recompute the audit chain end to end (data protection officers only)",
    )
    def get(self, request: Request) -> Response:
        result = verify_chain()
        record(
            AuditAction.VERIFY,
            request=request,
            object_type=AUDIT_EVENTS,
            details=result.as_details(),
        )
        return Response(ChainVerificationSerializer(result).data)
