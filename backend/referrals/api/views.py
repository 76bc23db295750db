"""Referrals over the API: thin views that validate, call referrals.services, serialise."""

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from agencies.api.acting import acting_agency
from agencies.models import Role
from agencies.selectors import agencies_of
from audit.models import AuditAction
from audit.services import record
from children.models import Child
from consent import services as consent_services
from consent.api.sharing import refused_to_api_error
from consent.models import DataCategory, OverrideAuthorisation
from core import access
from core.access import ProtectedViewSetMixin, Scope, policy
from core.pagination import Rows
from core.query import whole_number
from referrals import selectors, services
from referrals.api.serializers import (
    ROW_COLUMNS,
    ConcernSerializer,
    ReferralActionSerializer,
    ReferralCreateSerializer,
    ReferralDraftSerializer,
    ReferralEventSerializer,
    ReferralListSerializer,
    ReferralSerializer,
    StatusCountsSerializer,
)
from referrals.fhir import to_fhir_task
from referrals.models import Referral, ReferralStatus

READERS = (*services.SENDER_ROLES, Role.DPO)
READ = policy(
    Scope.OWN_AGENCY, Scope.SHARED, roles=READERS, summary="Sending and receiving agencies"
)
SEND_SIDE = policy(Scope.OWN_AGENCY, roles=services.SENDER_ROLES, summary="The sending agency")
RECEIVE_SIDE = policy(Scope.SHARED, roles=services.RECEIVER_ROLES, summary="The receiving service")

BOX_PARAMETERS = [
    OpenApiParameter(
        "box",
        str,
        enum=list(selectors.Box.CHOICES),
        description="incoming: sent to my agencies; outgoing: sent by them",
    ),
]
LIST_PARAMETERS = [
    *BOX_PARAMETERS,
    OpenApiParameter("status", str, enum=ReferralStatus.values, many=True),
    OpenApiParameter("urgency", str),
    OpenApiParameter("overdue", bool, description="Only referrals whose clock has run out"),
    OpenApiParameter("service", int),
]


def _transition_endpoint(name: str) -> Callable[..., Response]:
    """The ``POST referrals/{id}/<name>/`` endpoint for one action of the status machine."""
    requires = services.ACTIONS[name].requires

    def endpoint(self: "ReferralViewSet", request: Request, pk: str | None = None) -> Response:
        referral = self.get_object()
        payload = ReferralActionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            referral = services.transition(
                referral, name, actor=request.user, note=payload.note_for(name), request=request
            )
        except consent_services.SharingRefused as refused:
            raise refused_to_api_error(refused) from refused
        return self._detail(referral)

    # DRF routes an extra action by its function name, so name it before decorating.
    endpoint.__name__ = endpoint.__qualname__ = name
    summary = f"{name.capitalize()} the referral" + (f" (with a {requires})" if requires else "")
    return extend_schema(
        request=ReferralActionSerializer, responses=ReferralSerializer, summary=summary
    )(action(detail=True, methods=["post"], url_path=name, url_name=name)(endpoint))


class ReferralViewSet(
    ProtectedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Referrals my agencies sent or received. Nothing is deleted: drafts are cancelled."""

    queryset = Referral.objects.select_related(
        "child", "parent", "service", "pathway", "from_agency__region", "to_agency__region"
    )
    http_method_names = ["get", "post", "patch", "head", "options"]
    access_policy = {
        "list": READ,
        "retrieve": READ,
        "history": READ,
        "concern": READ,
        "fhir": READ,
        "counts": READ,
        "create": SEND_SIDE,
        "partial_update": SEND_SIDE,
        **{
            name: SEND_SIDE if step.side == services.Side.SENDER else RECEIVE_SIDE
            for name, step in services.ACTIONS.items()
        },
    }

    def get_queryset(self) -> QuerySet[Referral]:
        queryset = selectors.with_clocks(self.queryset)
        if self.action in ("list", "counts"):
            queryset = self._filtered(queryset)
        if self.action == "list":
            queryset = selectors.ordered_for_work(queryset)
        return queryset

    def _filtered(self, queryset: QuerySet[Referral]) -> QuerySet[Referral]:
        params = self.request.query_params
        box = params.get("box")
        if box in selectors.Box.CHOICES:
            queryset = selectors.in_box(queryset, self.request.user, box)
        if self.action == "counts":
            return queryset
        statuses = [s for s in params.getlist("status") if s in ReferralStatus.values]
        if statuses:
            queryset = queryset.filter(status__in=statuses)
        if params.get("urgency"):
            queryset = queryset.filter(urgency=params["urgency"])
        service = whole_number(params, "service")
        if service is not None:
            queryset = queryset.filter(service_id=service)
        if params.get("overdue") in ("true", "1"):
            queryset = queryset.filter(is_overdue=True)
        return queryset

    def get_serializer_class(self) -> type[BaseSerializer]:
        return {
            "list": ReferralListSerializer,
            "create": ReferralCreateSerializer,
            "partial_update": ReferralDraftSerializer,
        }.get(self.action, ReferralSerializer)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if self.action in ("create", "partial_update"):
            user = self.request.user
            context["visible"] = {
                "child": access.visible_to(user, Child.objects.all()),
                "parent": access.visible_to(user, Referral.objects.all()),
                "override": OverrideAuthorisation.objects.filter(
                    agency__in=[a.pk for a in agencies_of(user)]
                ),
            }
        return context

    def _detail(self, referral: Referral, status_code: int = status.HTTP_200_OK) -> Response:
        referral = (
            self.get_queryset()
            .prefetch_related(
                Prefetch(
                    "onward_referrals", queryset=Referral.objects.only("id", "reference", "parent")
                )
            )
            .get(pk=referral.pk)
        )
        context = {
            **super().get_serializer_context(),
            "categories": consent_services.categories_for_children(
                self.request.user, [referral.child]
            ),
            "available_actions": services.available_actions(self.request.user, referral),
        }
        return Response(ReferralSerializer(referral, context=context).data, status=status_code)

    def paginate_queryset(self, queryset: QuerySet[Referral]) -> list[Any] | None:
        # The count and the page (and the audit of the page read) plan their joins as written.
        with selectors.planned_as_written():
            return super().paginate_queryset(Rows(queryset, ROW_COLUMNS))

    @extend_schema(parameters=LIST_PARAMETERS, summary="Inbox, outbox, or every referral I can see")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="One referral, as far as my agency may see it")
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(self.get_object())

    @extend_schema(
        request=ReferralCreateSerializer,
        responses={201: ReferralSerializer},
        summary="Draft a referral (or an onward referral with parent)",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        parent = data.pop("parent", None)
        agency = parent.to_agency if parent else acting_agency(request, services.SENDER_ROLES)
        referral = services.create_referral(
            actor=request.user,
            agency=agency,
            child=data.pop("child", None),
            new_child=data.pop("new_child", None),
            parent=parent,
            request=request,
            **data,
        )
        return self._detail(referral, status.HTTP_201_CREATED)

    @extend_schema(
        request=ReferralDraftSerializer, responses=ReferralSerializer, summary="Edit a draft"
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        referral = self.get_object()
        payload = self.get_serializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        referral = services.update_draft(
            referral, actor=request.user, request=request, **payload.validated_data
        )
        return self._detail(referral)

    @extend_schema(responses=ReferralEventSerializer(many=True), summary="Status history")
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request: Request, pk: str | None = None) -> Response:
        referral = self.get_object()
        events = referral.events.select_related("by", "by_agency__region").order_by("at", "id")
        return Response(ReferralEventSerializer(events, many=True).data)

    @extend_schema(
        responses=ConcernSerializer,
        summary="Read the concern narrative (recorded in the audit trail)",
    )
    @action(detail=True, methods=["get"])
    def concern(self, request: Request, pk: str | None = None) -> Response:
        referral = self.get_object()
        categories = consent_services.categories_disclosed_to(request.user, referral.child)
        if DataCategory.DISCLOSURE_NARRATIVE not in categories:
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied("The concern narrative has not been shared with your agency.")
        record(
            AuditAction.VIEW,
            actor=request.user,
            obj=referral,
            request=request,
            details={"field": "concern"},
        )
        return Response({"concern": referral.concern})

    @extend_schema(
        responses={200: {"type": "object", "additionalProperties": True}},
        summary="The referral as an HL7 FHIR R4 Task with its ServiceRequest",
    )
    @action(detail=True, methods=["get"])
    def fhir(self, request: Request, pk: str | None = None) -> Response:
        referral = self.get_object()
        categories = consent_services.categories_disclosed_to(request.user, referral.child)
        include = DataCategory.DISCLOSURE_NARRATIVE in categories
        record(
            AuditAction.EXPORT,
            actor=request.user,
            obj=referral,
            request=request,
            details={"format": "fhir-r4-task", "concern": include},
        )
        return Response(to_fhir_task(referral, include_concern=include))

    @extend_schema(
        parameters=BOX_PARAMETERS, responses=StatusCountsSerializer, summary="Counts per status"
    )
    @action(detail=False, methods=["get"])
    def counts(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        return Response(
            {"counts": selectors.status_counts(queryset), "statuses": ReferralStatus.values}
        )

    send = _transition_endpoint("send")
    cancel = _transition_endpoint("cancel")
    acknowledge = _transition_endpoint("acknowledge")
    accept = _transition_endpoint("accept")
    decline = _transition_endpoint("decline")
    start = _transition_endpoint("start")
    hold = _transition_endpoint("hold")
    resume = _transition_endpoint("resume")
    complete = _transition_endpoint("complete")
    fail = _transition_endpoint("fail")
