"""Case plans over the API: thin views that validate, call caseplans.services, serialise.

A plan's parts (team, actions, risk assessments, reviews) are collections under
``case-plans/{plan_pk}/``. Each looks the plan up first, through the same visibility as the
plan itself, so for anyone outside the case team and the lead agency's duty managers every
one of them answers 404, exactly like a plan that does not exist, before any role check.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.dateparse import parse_datetime
from django_fsm import can_proceed
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from agencies.api.acting import acting_agency
from agencies.models import Role
from agencies.selectors import active_memberships
from audit.models import AuditAction
from audit.services import record
from caseplans import risk, selectors, services, timeline
from caseplans.api.serializers import (
    CasePlanCreateSerializer,
    CasePlanListSerializer,
    CasePlanSerializer,
    CasePlanUpdateSerializer,
    CloseSerializer,
    PlanActionCreateSerializer,
    PlanActionSerializer,
    PlanActionUpdateSerializer,
    ReferActionSerializer,
    ReopenSerializer,
    ReviewRecordSerializer,
    ReviewScheduleSerializer,
    ReviewSerializer,
    RiskAssessmentSerializer,
    RiskAssessmentWriteSerializer,
    RiskMatrixSerializer,
    TeamAddSerializer,
    TeamCandidateSerializer,
    TeamMemberSerializer,
    TimelineSerializer,
    TransferLeadSerializer,
)
from caseplans.models import (
    CasePlan,
    LeadAssignment,
    Phase,
    PlanAction,
    PlanStatus,
    Review,
    RiskAssessment,
    TeamMember,
)
from children.models import Child
from consent.api.sharing import refused_to_api_error
from consent.models import DataCategory, OverrideAuthorisation
from consent.services import SharingRefused
from core import access
from core.access import ProtectedViewSetMixin, Scope, policy
from core.query import whole_number
from referrals.api.serializers import ConcernSerializer
from referrals.models import Referral

MANAGERS = (Role.SOCIAL_WORKER, Role.DUTY_MANAGER)
READ = policy(
    Scope.CASE_TEAM,
    Scope.SHARED,
    roles=services.CASE_ROLES,
    summary="The case team and the lead agency's duty managers",
)
MANAGE = policy(
    Scope.CASE_TEAM,
    Scope.SHARED,
    roles=MANAGERS,
    summary="The case lead and the lead agency's duty managers",
)
WORK = policy(
    Scope.CASE_TEAM,
    Scope.SHARED,
    roles=services.CASE_ROLES,
    summary="The plan's managers; the person responsible reports the action's progress",
)
OPEN = policy(
    Scope.OWN_AGENCY,
    roles=services.OPENERS,
    summary="Social workers and duty managers of the lead agency",
)
DUE = policy(
    Scope.CASE_TEAM,
    Scope.OWN_AGENCY,
    roles=MANAGERS,
    summary="Case leads, and duty managers for their agency's plans",
)
REFERENCE_DATA = policy(Scope.STAFF, summary="Any signed-in staff member")

PLAN_PARAMETER = OpenApiParameter(
    "plan_pk", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The case plan's id."
)
LIST_PARAMETERS = [
    OpenApiParameter("status", str, enum=PlanStatus.values, many=True),
    OpenApiParameter("phase", str, enum=Phase.values),
    OpenApiParameter("mine", bool, description="Only the plans I lead"),
    OpenApiParameter(
        "overdue", bool, description="Only plans with an overdue review or risk re-assessment"
    ),
    OpenApiParameter("child", OpenApiTypes.UUID, description="Only the plans for this child"),
]
TRUE = ("true", "1")


def _visible_overrides(request: Request) -> QuerySet[OverrideAuthorisation]:
    return access.visible_to(request.user, OverrideAuthorisation.objects.all())


def _audit_hidden_plan(request: Request, plan_id: object, action_name: str) -> None:
    try:
        exists = CasePlan.objects.filter(pk=plan_id).exists()
    except (ValueError, DjangoValidationError):
        return
    if exists:
        record(
            AuditAction.DENIED,
            request=request,
            object_type=CasePlan._meta.label_lower,
            object_id=str(plan_id),
            details={"reason": "not_visible", "action": action_name},
        )


class CasePlanViewSet(
    ProtectedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Case plans I am on the team of, or oversee. Nothing is deleted: plans are closed."""

    queryset = CasePlan.objects.select_related(
        "child__created_by_agency", "lead", "lead_agency__region", "source_referral"
    )
    http_method_names = ["get", "post", "patch", "head", "options"]
    access_policy = {
        "list": READ,
        "retrieve": READ,
        "timeline": READ,
        "concern": READ,
        "create": OPEN,
        "partial_update": MANAGE,
        "transfer_lead": MANAGE,
        "activate": MANAGE,
        "close": MANAGE,
        "reopen": MANAGE,
        "due": DUE,
        "risk_matrix": REFERENCE_DATA,
    }

    def visible_queryset(self, queryset: QuerySet[CasePlan]) -> QuerySet[CasePlan]:
        return selectors.visible_plans(self.request.user, queryset)

    def get_queryset(self) -> QuerySet[CasePlan]:
        queryset = selectors.with_schedule(self.queryset)
        if self.action == "list":
            queryset = self._filtered(queryset).order_by("-updated_at", "id")
        return queryset

    def _filtered(self, queryset: QuerySet[CasePlan]) -> QuerySet[CasePlan]:
        params = self.request.query_params
        statuses = [s for s in params.getlist("status") if s in PlanStatus.values]
        if statuses:
            queryset = queryset.filter(status__in=statuses)
        if params.get("phase") in Phase.values:
            queryset = queryset.filter(phase=params["phase"])
        if params.get("mine") in TRUE:
            queryset = queryset.filter(lead=self.request.user)
        if params.get("overdue") in TRUE:
            queryset = queryset.filter(Q(review_overdue=True) | Q(reassessment_overdue=True))
        if params.get("child"):
            try:
                queryset = queryset.filter(child_id=params["child"])
            except DjangoValidationError:
                raise ValidationError({"child": "Not a valid id."}) from None
        return queryset

    def get_serializer_class(self) -> type[BaseSerializer]:
        return {
            "list": CasePlanListSerializer,
            "due": CasePlanListSerializer,
            "create": CasePlanCreateSerializer,
            "partial_update": CasePlanUpdateSerializer,
        }.get(self.action, CasePlanSerializer)

    def _page(self, queryset: QuerySet[CasePlan]) -> Response:
        page = self.paginate_queryset(queryset)
        context = {
            **self.get_serializer_context(),
            "disclosed": selectors.disclosed_to(self.request.user, page),
        }
        return self.get_paginated_response(
            CasePlanListSerializer(page, many=True, context=context).data
        )

    def _detail(self, plan: CasePlan, status_code: int = status.HTTP_200_OK) -> Response:
        plan = (
            selectors.with_schedule(self.queryset)
            .prefetch_related(
                Prefetch(
                    "lead_assignments",
                    queryset=LeadAssignment.objects.select_related("lead", "assigned_by"),
                )
            )
            .get(pk=plan.pk)
        )
        user = self.request.user
        disclosed = selectors.disclosed_to(user, [plan])
        manager = selectors.is_manager(user, plan)
        context = {
            **self.get_serializer_context(),
            "disclosed": disclosed,
            "categories": disclosed.children,
            "can_manage": manager,
            "available_transitions": [
                name
                for name in ("activate", "close", "reopen")
                if manager and can_proceed(getattr(plan, name))
            ],
        }
        return Response(CasePlanSerializer(plan, context=context).data, status=status_code)

    @extend_schema(parameters=LIST_PARAMETERS, summary="Case plans I am on the team of or oversee")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._page(self.filter_queryset(self.get_queryset()))

    @extend_schema(summary="One case plan, as far as it is disclosed to me")
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(self.get_object())

    @extend_schema(
        request=CasePlanCreateSerializer,
        responses={201: CasePlanSerializer},
        summary="Open a case plan for a child, or from an accepted referral",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        context = {
            **self.get_serializer_context(),
            "visible": {
                "child": access.visible_to(request.user, Child.objects.all()),
                "referral": access.visible_to(request.user, Referral.objects.all()),
            },
        }
        payload = CasePlanCreateSerializer(data=request.data, context=context)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        referral = data.get("referral")
        agency = referral.to_agency if referral else acting_agency(request, services.OPENERS)
        plan = services.open_plan(
            actor=request.user,
            agency=agency,
            child=data.get("child"),
            referral=referral,
            lead=data.get("lead"),
            phase=data["phase"],
            goals=data.get("goals", ""),
            request=request,
        )
        return self._detail(plan, status.HTTP_201_CREATED)

    @extend_schema(
        request=CasePlanUpdateSerializer,
        responses=CasePlanSerializer,
        summary="Change the phase or goals (a phase change is recorded)",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self.get_object()
        payload = CasePlanUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        plan = services.update_plan(
            plan, actor=request.user, request=request, **payload.validated_data
        )
        return self._detail(plan)

    @extend_schema(
        request=TransferLeadSerializer,
        responses=CasePlanSerializer,
        summary="Hand the lead over to another social worker of the lead agency",
    )
    @action(detail=True, methods=["post"], url_path="transfer-lead")
    def transfer_lead(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        payload = TransferLeadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        plan = services.transfer_lead(
            plan, actor=request.user, request=request, **payload.validated_data
        )
        return self._detail(plan)

    @extend_schema(request=None, responses=CasePlanSerializer, summary="The plan is agreed: active")
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str | None = None) -> Response:
        plan = services.activate_plan(self.get_object(), actor=request.user, request=request)
        return self._detail(plan)

    @extend_schema(
        request=CloseSerializer,
        responses=CasePlanSerializer,
        summary="Close the plan (every action done or not needed)",
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        payload = CloseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        plan = services.close_plan(
            plan,
            actor=request.user,
            reason=payload.validated_data["reason"],
            note=payload.validated_data.get("note", ""),
            request=request,
        )
        return self._detail(plan)

    @extend_schema(
        request=ReopenSerializer, responses=CasePlanSerializer, summary="Reopen a closed plan"
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        payload = ReopenSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        plan = services.reopen_plan(
            plan, actor=request.user, reason=payload.validated_data["reason"], request=request
        )
        return self._detail(plan)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "before", OpenApiTypes.DATETIME, description="Only entries before this instant"
            ),
            OpenApiParameter(
                "limit",
                int,
                description=f"At most this many entries (default {timeline.DEFAULT_LIMIT}, "
                f"up to {timeline.MAX_LIMIT})",
            ),
        ],
        responses=TimelineSerializer,
        summary="The plan's timeline: its history and its referrals' events, oldest first",
    )
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        before = None
        if request.query_params.get("before"):
            before = parse_datetime(request.query_params["before"])
            if before is None:
                raise ValidationError({"before": "Give a date and time."})
        limit = whole_number(request.query_params, "limit", maximum=timeline.MAX_LIMIT)
        categories = selectors.disclosed_to(request.user, [plan]).for_plan(plan)
        entries, older = timeline.entries(
            plan,
            with_notes=DataCategory.CASE_PLAN in categories,
            before=before,
            limit=timeline.DEFAULT_LIMIT if limit is None else limit,
        )
        record(
            AuditAction.VIEW,
            actor=request.user,
            obj=plan,
            request=request,
            details={"view": "timeline", "entries": len(entries)},
        )
        context = {**self.get_serializer_context(), "plan_categories": categories}
        return Response(
            TimelineSerializer({"results": entries, "older": older}, context=context).data
        )

    @extend_schema(
        responses=ConcernSerializer,
        summary="Read the concern narrative of the referral the plan was opened from "
        "(recorded in the audit trail)",
    )
    @action(detail=True, methods=["get"])
    def concern(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        referral = plan.source_referral
        if referral is None:
            raise Http404
        categories = selectors.disclosed_to(request.user, [plan]).children.get(plan.child_id, ())
        if DataCategory.DISCLOSURE_NARRATIVE not in categories:
            raise PermissionDenied("The disclosure narrative has not been shared with you.")
        record(
            AuditAction.VIEW,
            actor=request.user,
            obj=referral,
            request=request,
            details={"field": "concern", "case_plan": plan.reference},
        )
        return Response(ConcernSerializer({"concern": referral.concern}).data)

    @extend_schema(
        responses=CasePlanListSerializer(many=True),
        summary="Plans with an overdue review or risk re-assessment that I answer for",
    )
    @action(detail=False, methods=["get"])
    def due(self, request: Request) -> Response:
        queryset = selectors.due_for(request.user, self.filter_queryset(self.get_queryset()))
        return self._page(queryset)

    @extend_schema(
        responses=RiskMatrixSerializer,
        summary="The 5 x 5 risk matrix: likelihood x severity, and the level of each cell",
    )
    @action(detail=False, methods=["get"], url_path="risk-matrix")
    def risk_matrix(self, request: Request) -> Response:
        return Response(RiskMatrixSerializer(risk.matrix()).data)


# --- the plan's parts --------------------------------------------------------------------


class PlanPartViewSet(ProtectedViewSetMixin, viewsets.GenericViewSet):
    """A collection inside one case plan, reached only through a plan the caller sees."""

    plan: CasePlan

    def check_permissions(self, request: Request) -> None:
        # The plan first: hidden is 404 whatever the caller's role (anonymous callers have no
        # memberships and go straight to the 401 of the declared access).
        if active_memberships(request.user):
            self.plan = self._visible_plan()
        super().check_permissions(request)

    def _visible_plan(self) -> CasePlan:
        plan_id = self.kwargs.get("plan_pk")
        try:
            plan = (
                selectors.visible_plans(
                    self.request.user, CasePlan.objects.select_related("child", "lead_agency")
                )
                .filter(pk=plan_id)
                .first()
            )
        except (ValueError, DjangoValidationError):
            plan = None
        if plan is None:
            _audit_hidden_plan(self.request, plan_id, self.action or "")
            raise Http404
        return plan

    def visible_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(plan=self.plan)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if getattr(self, "plan", None) is not None:
            context["plan_categories"] = selectors.disclosed_to(
                self.request.user, [self.plan]
            ).for_plan(self.plan)
            context["visible"] = {"override": _visible_overrides(self.request)}
        return context


@extend_schema_view(
    list=extend_schema(
        parameters=[
            PLAN_PARAMETER,
            OpenApiParameter("current", bool, description="Only current members"),
        ],
        summary="The case team, with past members",
    ),
    create=extend_schema(
        parameters=[PLAN_PARAMETER],
        request=TeamAddSerializer,
        responses={201: TeamMemberSerializer},
        summary="Add a member (from another agency: shared with them on consent or override)",
    ),
    remove=extend_schema(
        parameters=[PLAN_PARAMETER],
        request=None,
        responses=TeamMemberSerializer,
        summary="End a membership (kept for the record) and revoke what it gave",
    ),
    candidates=extend_schema(
        parameters=[
            PLAN_PARAMETER,
            OpenApiParameter("agency", int, description="Only the staff of this agency"),
            OpenApiParameter("role", str, enum=[r.value for r in services.CASE_ROLES]),
        ],
        responses=TeamCandidateSerializer(many=True),
        summary="Staff in a case role who could join the team or take the lead",
    ),
)
class TeamViewSet(PlanPartViewSet, mixins.ListModelMixin):
    queryset = TeamMember.objects.select_related("user", "agency__region", "added_by").order_by(
        "started_at", "id"
    )
    serializer_class = TeamMemberSerializer
    access_policy = {"list": READ, "create": MANAGE, "remove": MANAGE, "candidates": MANAGE}

    def get_queryset(self) -> QuerySet[TeamMember]:
        queryset = super().get_queryset()
        if self.action == "list" and self.request.query_params.get("current") in TRUE:
            queryset = queryset.filter(ended_at__isnull=True)
        return queryset

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = TeamAddSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            member = services.add_member(
                self.plan,
                actor=request.user,
                user=data["user"],
                role=data["role"],
                agency=data.get("agency"),
                categories=data.get("categories", ()),
                purpose=data["purpose"],
                override=data.get("override"),
                request=request,
            )
        except SharingRefused as refused:
            raise refused_to_api_error(refused) from refused
        member = self.get_queryset().get(pk=member.pk)
        return Response(TeamMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def remove(
        self, request: Request, plan_pk: str | None = None, pk: str | None = None
    ) -> Response:
        member = services.remove_member(
            self.plan, self.get_object(), actor=request.user, request=request
        )
        return Response(TeamMemberSerializer(self.get_queryset().get(pk=member.pk)).data)

    @action(detail=False, methods=["get"])
    def candidates(self, request: Request, plan_pk: str | None = None) -> Response:
        params = request.query_params
        roles = [r for r in services.CASE_ROLES if not params.get("role") or r == params["role"]]
        queryset = selectors.team_candidates(
            self.plan, roles, agency=whole_number(params, "agency")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(TeamCandidateSerializer(page, many=True).data)


def _referral_request(data: dict[str, Any]) -> services.ReferralRequest:
    return services.ReferralRequest(
        urgency=data["urgency"],
        concern=data["concern"],
        shared_categories=data.get("shared_categories"),
        purpose=data["purpose"],
        pathway=data.get("pathway"),
        override=data.get("override"),
        send=data["send"],
    )


@extend_schema_view(
    list=extend_schema(parameters=[PLAN_PARAMETER], summary="The plan's actions"),
    retrieve=extend_schema(parameters=[PLAN_PARAMETER], summary="One action"),
    create=extend_schema(
        parameters=[PLAN_PARAMETER],
        request=PlanActionCreateSerializer,
        responses={201: PlanActionSerializer},
        summary="Add an action; with a service, refer to it (sent unless send is false)",
    ),
    partial_update=extend_schema(
        parameters=[PLAN_PARAMETER],
        request=PlanActionUpdateSerializer,
        responses=PlanActionSerializer,
        summary="Change an action, or report its progress and outcome",
    ),
    refer=extend_schema(
        parameters=[PLAN_PARAMETER],
        request=ReferActionSerializer,
        responses=PlanActionSerializer,
        summary="Refer a planned action to a service (again, after a declined referral)",
    ),
)
class ActionViewSet(PlanPartViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = PlanAction.objects.select_related(
        "responsible_service",
        "responsible_agency__region",
        "responsible_person",
        "referral",
        "created_by",
    ).order_by("created_at", "id")
    serializer_class = PlanActionSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    access_policy = {
        "list": READ,
        "retrieve": READ,
        "create": MANAGE,
        "refer": MANAGE,
        "partial_update": WORK,
    }

    def _answer(self, action_obj: PlanAction, code: int = status.HTTP_200_OK) -> Response:
        action_obj = self.get_queryset().get(pk=action_obj.pk)
        return Response(
            PlanActionSerializer(action_obj, context=self.get_serializer_context()).data,
            status=code,
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = PlanActionCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        service = data.get("service")
        try:
            created = services.add_action(
                self.plan,
                actor=request.user,
                need_category=data["need_category"],
                description=data["description"],
                due_date=data.get("due_date"),
                responsible_agency=data.get("responsible_agency"),
                responsible_person=data.get("responsible_person"),
                service=service,
                referral=_referral_request(data) if service is not None else None,
                request=request,
            )
        except SharingRefused as refused:
            raise refused_to_api_error(refused) from refused
        return self._answer(created, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        target = self.get_object()
        payload = PlanActionUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        updated = services.update_action(
            self.plan, target, actor=request.user, request=request, **payload.validated_data
        )
        return self._answer(updated)

    @action(detail=True, methods=["post"])
    def refer(
        self, request: Request, plan_pk: str | None = None, pk: str | None = None
    ) -> Response:
        target = self.get_object()
        payload = ReferActionSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            updated = services.refer_action(
                self.plan,
                target,
                actor=request.user,
                service=data["service"],
                referral=_referral_request(data),
                request=request,
            )
        except SharingRefused as refused:
            raise refused_to_api_error(refused) from refused
        return self._answer(updated)


@extend_schema_view(
    list=extend_schema(parameters=[PLAN_PARAMETER], summary="The plan's risk assessments"),
    retrieve=extend_schema(parameters=[PLAN_PARAMETER], summary="One risk assessment"),
    create=extend_schema(
        parameters=[PLAN_PARAMETER],
        request=RiskAssessmentWriteSerializer,
        responses={201: RiskAssessmentSerializer},
        summary="Draft a risk assessment",
    ),
    partial_update=extend_schema(
        parameters=[PLAN_PARAMETER],
        request=RiskAssessmentWriteSerializer,
        responses=RiskAssessmentSerializer,
        summary="Change a draft (409 once signed: start a new one instead)",
    ),
    sign=extend_schema(
        parameters=[PLAN_PARAMETER],
        request=None,
        responses=RiskAssessmentSerializer,
        summary="Sign the draft: it becomes current, immutable, and supersedes the last",
    ),
)
class RiskAssessmentViewSet(PlanPartViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = (
        RiskAssessment.objects.select_related("created_by", "signed_by", "superseded_by")
        .prefetch_related("items")
        .order_by("-created_at", "id")
    )
    serializer_class = RiskAssessmentSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    access_policy = {
        "list": READ,
        "retrieve": READ,
        "create": MANAGE,
        "partial_update": MANAGE,
        "sign": MANAGE,
    }

    def _answer(self, assessment: RiskAssessment, code: int = status.HTTP_200_OK) -> Response:
        assessment = self.get_queryset().get(pk=assessment.pk)
        return Response(
            RiskAssessmentSerializer(assessment, context=self.get_serializer_context()).data,
            status=code,
        )

    @staticmethod
    def _entries(items: list[dict[str, Any]] | None) -> list[services.RiskEntry] | None:
        if items is None:
            return None
        return [services.RiskEntry(**item) for item in items]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = RiskAssessmentWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        assessment = services.start_assessment(
            self.plan,
            actor=request.user,
            next_review_date=data["next_review_date"],
            items=self._entries(data.get("items")) or [],
            summary=data.get("summary", ""),
            request=request,
        )
        return self._answer(assessment, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assessment = self.get_object()
        payload = RiskAssessmentWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        assessment = services.update_assessment(
            self.plan,
            assessment,
            actor=request.user,
            next_review_date=data.get("next_review_date"),
            items=self._entries(data.get("items")),
            summary=data.get("summary"),
            request=request,
        )
        return self._answer(assessment)

    @action(detail=True, methods=["post"])
    def sign(self, request: Request, plan_pk: str | None = None, pk: str | None = None) -> Response:
        assessment = services.sign_assessment(
            self.plan, self.get_object(), actor=request.user, request=request
        )
        return self._answer(assessment)


@extend_schema_view(
    list=extend_schema(parameters=[PLAN_PARAMETER], summary="The plan's reviews"),
    retrieve=extend_schema(parameters=[PLAN_PARAMETER], summary="One review"),
    create=extend_schema(
        parameters=[PLAN_PARAMETER],
        request=ReviewScheduleSerializer,
        responses={201: ReviewSerializer},
        summary="Schedule a review",
    ),
    record_review=extend_schema(
        parameters=[PLAN_PARAMETER],
        request=ReviewRecordSerializer,
        responses=ReviewSerializer,
        summary="Record a review that took place, and schedule the next",
    ),
)
class ReviewViewSet(PlanPartViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = (
        Review.objects.select_related("plan", "scheduled_by", "recorded_by")
        .prefetch_related("attendees")
        .order_by("scheduled_for", "created_at", "id")
    )
    serializer_class = ReviewSerializer
    access_policy = {"list": READ, "retrieve": READ, "create": MANAGE, "record_review": MANAGE}

    def _answer(self, review: Review, code: int = status.HTTP_200_OK) -> Response:
        review = self.get_queryset().get(pk=review.pk)
        return Response(
            ReviewSerializer(review, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ReviewScheduleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        review = services.schedule_review(
            self.plan,
            actor=request.user,
            scheduled_for=payload.validated_data["scheduled_for"],
            request=request,
        )
        return self._answer(review, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="record", url_name="record")
    def record_review(
        self, request: Request, plan_pk: str | None = None, pk: str | None = None
    ) -> Response:
        review = self.get_object()
        payload = ReviewRecordSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        review = services.record_review(
            self.plan,
            review,
            actor=request.user,
            decisions=data["decisions"],
            held_on=data.get("held_on"),
            attendees=data.get("attendees", []),
            other_attendees=data.get("other_attendees", ""),
            next_review_date=data.get("next_review_date"),
            request=request,
        )
        return self._answer(review)
