"""Child records: list, record, read and complete them; who knows what; subject access."""

from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.api.acting import acting_agency
from agencies.models import Role
from agencies.selectors import agencies_of, has_role
from audit.models import AuditAction, AuditEvent
from audit.services import record
from children import services
from children.api.serializers import (
    AuditAccessSerializer,
    ChildSavedSerializer,
    ChildSerializer,
    ChildWriteSerializer,
    DuplicateCheckSerializer,
    DuplicateResolutionSerializer,
)
from children.exports import subject_access_document
from children.models import Child, ChildGroupObjectPermission, DuplicateCheck
from consent import services as consent_services
from consent.api.serializers import (
    DisclosureSerializer,
    ShareSerializer,
    SharingDecisionSerializer,
    SharingQuestionSerializer,
)
from consent.api.sharing import refused_to_api_error
from consent.models import Disclosure, OverrideAuthorisation
from core import access
from core.access import ProtectedViewSetMixin, Scope, policy
from core.exceptions import Conflict

CASE_WORKERS = (Role.HELPLINE_WORKER, Role.SOCIAL_WORKER, Role.PRACTITIONER, Role.DUTY_MANAGER)
CASE_READERS = (*CASE_WORKERS, Role.DPO)
RECORDERS = (Role.HELPLINE_WORKER, Role.SOCIAL_WORKER)
OVERSIGHT = (Role.DUTY_MANAGER, Role.DPO, Role.SOCIAL_WORKER)

DUPLICATE_MESSAGES = {
    "visible": "A record with the same name and date of birth already exists: check it is "
    "not the same child.",
    "asked": "A record with the same name and date of birth may exist that you cannot see: "
    "your duty manager has been asked to check.",
}


def _possible_duplicate(finding: services.DuplicateFinding) -> dict[str, Any] | None:
    if not finding:
        return None
    return {
        "references": finding.visible_references,
        "duty_manager_asked": finding.duty_manager_asked,
        "message": DUPLICATE_MESSAGES["asked" if finding.duty_manager_asked else "visible"],
    }


class ChildViewSet(
    ProtectedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Child records. Nothing is deleted through the API."""

    queryset = Child.objects.select_related("created_by_agency").order_by("-created_at", "id")
    serializer_class = ChildSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    access_policy = {
        "list": policy(Scope.OWN_AGENCY, Scope.SHARED, roles=CASE_READERS),
        "retrieve": policy(Scope.OWN_AGENCY, Scope.SHARED, roles=CASE_READERS),
        "create": policy(
            Scope.OWN_AGENCY, roles=RECORDERS, summary="Helpline and social workers record"
        ),
        "partial_update": policy(
            Scope.OWN_AGENCY,
            roles=(*RECORDERS, Role.DUTY_MANAGER),
            summary="The agency keeping the record completes it",
        ),
        "disclosures": policy(
            Scope.OWN_AGENCY,
            Scope.SHARED,
            Scope.DPO,
            roles=OVERSIGHT,
            summary="Duty managers and DPOs of agencies that see the child; the record "
            "keeper's social workers; the lead of a case plan for the child",
        ),
        "subject_access_export": policy(Scope.DPO, roles=[Role.DPO]),
        "sharing_decision": policy(Scope.OWN_AGENCY, Scope.SHARED, roles=CASE_WORKERS),
        "share": policy(Scope.OWN_AGENCY, Scope.SHARED, roles=CASE_WORKERS),
    }

    def visible_queryset(self, queryset: QuerySet[Child]) -> QuerySet[Child]:
        # For writing, only the record keepers' copy exists: a recipient that may read the
        # child gets the same 404 on a change as anyone else the record is not kept for.
        perm = "children.change_child" if self.action == "partial_update" else None
        return access.visible_to(self.request.user, queryset, perm)

    def get_queryset(self) -> QuerySet[Child]:
        queryset = super().get_queryset()
        reference = self.request.query_params.get("reference")
        if self.action == "list" and reference:
            queryset = queryset.filter(reference=reference.strip().upper())
        return queryset

    def _context_for(self, children: list[Child]) -> dict[str, Any]:
        return {
            **self.get_serializer_context(),
            "categories": consent_services.categories_for_children(self.request.user, children),
        }

    def _saved(self, child: Child, finding: services.DuplicateFinding, code: int) -> Response:
        data = ChildSerializer(child, context=self._context_for([child])).data
        data["possible_duplicate"] = _possible_duplicate(finding)
        return Response(data, status=code)

    @extend_schema(
        summary="Child records I may see",
        parameters=[OpenApiParameter("reference", str, description="Exact reference, C-XXXXXX")],
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        serializer = ChildSerializer(page, many=True, context=self._context_for(page))
        return self.get_paginated_response(serializer.data)

    @extend_schema(summary="One child, minimised to what my agency has been told")
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        child = self.get_object()
        return Response(ChildSerializer(child, context=self._context_for([child])).data)

    @extend_schema(
        request=ChildWriteSerializer,
        responses={201: ChildSavedSerializer},
        summary="Record a child (details optional: a child may be anonymous at first)",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ChildWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        child, finding = services.record_child(
            actor=request.user,
            agency=acting_agency(request, RECORDERS),
            request=request,
            **serializer.validated_data,
        )
        return self._saved(child, finding, status.HTTP_201_CREATED)

    @extend_schema(
        request=ChildWriteSerializer,
        responses={200: ChildSavedSerializer},
        summary="Complete or correct a child's details (the record keeper only)",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        child = self.get_object()
        serializer = ChildWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        child, finding = services.update_child(
            child,
            actor=request.user,
            agency=acting_agency(request, (*RECORDERS, Role.DUTY_MANAGER)),
            changes=serializer.validated_data,
            request=request,
        )
        return self._saved(child, finding, status.HTTP_200_OK)

    # --- who knows what ------------------------------------------------------------------

    def _check_oversight(self, child: Child) -> None:
        """Duty managers and DPOs of an agency that sees the child, the record keeper's
        social workers, or the lead of a case plan for the child."""
        seeing = set(
            ChildGroupObjectPermission.objects.filter(
                content_object=child,
                permission__codename="view_child",
                group__agency__in=[a.pk for a in agencies_of(self.request.user)],
            ).values_list("group__agency__id", flat=True)
        )
        user = self.request.user
        if any(has_role(user, [Role.DUTY_MANAGER, Role.DPO], agency) for agency in seeing):
            return
        if has_role(user, [Role.SOCIAL_WORKER], child.created_by_agency_id):
            return
        if apps.is_installed("caseplans"):
            from caseplans.selectors import leads_child

            if leads_child(user, child):
                return
        raise PermissionDenied("Only duty managers, DPOs and the case's social workers see this.")

    @extend_schema(
        summary="Who knows what about this child: every disclosure and recorded access",
        description="Every disclosure, and the recorded accesses one page at a time.",
        parameters=[
            OpenApiParameter("page", int, description="A page of the recorded accesses."),
            OpenApiParameter("page_size", int, description="Recorded accesses per page."),
        ],
        responses=inline_serializer(
            "ChildDisclosureLog",
            {
                "child_reference": serializers.CharField(),
                "disclosures": DisclosureSerializer(many=True),
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": AuditAccessSerializer(many=True),
            },
        ),
    )
    @action(detail=True, methods=["get"])
    def disclosures(self, request: Request, pk: str | None = None) -> Response:
        child = self.get_object()
        self._check_oversight(child)
        disclosures = (
            Disclosure.objects.filter(child=child)
            .select_related(
                "child",
                "recipient_agency",
                "recipient_user",
                "disclosed_by",
                "disclosed_by_agency",
                "override__authorised_by",
                "subject_type",
            )
            .order_by("-disclosed_at")
        )
        child_id = str(child.pk)
        events = (
            AuditEvent.objects.annotate(details_text=Cast("details", TextField()))
            .filter(
                Q(object_type=Child._meta.label_lower, object_id=child_id)
                | Q(details_text__contains=child_id)
            )
            .select_related("agency")
            .order_by("-sequence")
        )
        page = self.paginator.paginate_queryset(events, request, view=self)
        record(
            AuditAction.VIEW,
            actor=request.user,
            obj=child,
            request=request,
            details={"view": "disclosures"},
        )
        context = {
            **self.get_serializer_context(),
            "viewer_agency_ids": {a.pk for a in agencies_of(request.user)},
        }
        response = self.paginator.get_paginated_response(
            AuditAccessSerializer(page, many=True).data
        )
        response.data = {
            "child_reference": child.reference,
            "disclosures": DisclosureSerializer(disclosures, many=True, context=context).data,
            **response.data,
        }
        return response

    @extend_schema(
        summary="Subject access export: the child's record, consents and disclosures",
        description="For the data protection officer. Other people's personal data is "
        "redacted; free text written by staff is listed for review before release. The "
        "export is recorded in the audit trail.",
        responses=inline_serializer(
            "SubjectAccessExport", {"document": serializers.DictField()}, many=False
        ),
    )
    @action(detail=True, methods=["get"], url_path="subject-access-export")
    def subject_access_export(self, request: Request, pk: str | None = None) -> Response:
        child = self.get_object()
        document = subject_access_document(child, viewer=request.user)
        record(
            AuditAction.EXPORT,
            actor=request.user,
            obj=child,
            request=request,
            details={
                "kind": "subject_access",
                "consents": len(document["consents"]),
                "disclosures": len(document["disclosures"]),
                "redactions": len(document["redactions"]),
            },
        )
        return Response({"document": document})

    # --- sharing -------------------------------------------------------------------------

    @extend_schema(
        request=SharingQuestionSerializer,
        responses=SharingDecisionSerializer,
        summary="Would consent allow this share? (changes nothing)",
    )
    @action(detail=True, methods=["post"], url_path="sharing-decision")
    def sharing_decision(self, request: Request, pk: str | None = None) -> Response:
        child = self.get_object()
        serializer = SharingQuestionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        decision = consent_services.decide(
            child=child,
            recipient=data["recipient_agency"],
            categories=data["categories"],
            purpose=data["purpose"],
        )
        return Response(
            {
                "outcome": decision.outcome,
                "reason": decision.reason,
                "detail": consent_services.REASON_TEXT[decision.reason],
                "consent": decision.consent.pk if decision.consent else None,
            }
        )

    @extend_schema(
        request=ShareSerializer,
        responses={201: DisclosureSerializer},
        summary="Share this child's information with an agency or person",
        description="Allowed on a consent in scope, or on an authorised override of your "
        "agency. Refused with 409 when neither covers the share (nothing is written) and "
        "403 when you may not share what you ask to.",
    )
    @action(detail=True, methods=["post"])
    def share(self, request: Request, pk: str | None = None) -> Response:
        child = self.get_object()
        serializer = ShareSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        agency = acting_agency(request, CASE_WORKERS)
        override = None
        if data.get("override"):
            override = (
                access.visible_to(request.user, OverrideAuthorisation.objects.all())
                .filter(pk=data["override"])
                .first()
            )
            if override is None:
                raise serializers.ValidationError({"override": "No such override."})
        try:
            disclosure = consent_services.share(
                child=child,
                recipient=data.get("recipient_agency") or data["recipient_user"],
                categories=data["categories"],
                purpose=data["purpose"],
                actor=request.user,
                override=override,
                request=request,
                agency=agency,
            )
        except consent_services.SharingRefused as refused:
            raise refused_to_api_error(refused) from None
        context = {**self.get_serializer_context(), "viewer_agency_ids": {agency.pk}}
        return Response(
            DisclosureSerializer(disclosure, context=context).data, status=status.HTTP_201_CREATED
        )


class DuplicateCheckViewSet(ProtectedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Possible duplicates the person recording could not see, for duty managers to check."""

    queryset = DuplicateCheck.objects.select_related(
        "new_child", "existing_child", "raising_agency", "holding_agency"
    ).order_by("-raised_at", "pk")
    serializer_class = DuplicateCheckSerializer
    _duty = policy(Scope.SHARED, roles=[Role.DUTY_MANAGER], summary="Both agencies' duty managers")
    access_policy = {"list": _duty, "retrieve": _duty, "resolve": _duty}

    def get_serializer_context(self) -> dict[str, Any]:
        return {
            **super().get_serializer_context(),
            "viewer_agency_ids": {a.pk for a in agencies_of(self.request.user)},
        }

    @extend_schema(
        request=DuplicateResolutionSerializer,
        responses=DuplicateCheckSerializer,
        summary="Record whether the two records are the same child",
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        check = self.get_object()
        serializer = DuplicateResolutionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            check = services.resolve_duplicate_check(
                check,
                by=request.user,
                outcome=serializer.validated_data["outcome"],
                request=request,
            )
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from None
        except services.CheckAlreadyResolved as exc:
            raise Conflict(str(exc)) from None
        return Response(self.get_serializer(check).data)
