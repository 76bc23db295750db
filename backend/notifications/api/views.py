"""The caller's own notifications: list and catch up, count unread, mark read."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.access import Scope, policy
from notifications import services
from notifications.api.serializers import (
    NotificationListQuerySerializer,
    NotificationSerializer,
    ReadAllResultSerializer,
    ReadAllSerializer,
    UnreadCountSerializer,
)
from notifications.models import Notification

OWN = policy(Scope.SELF, summary="Staff members reach their own notifications only")


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    access_policy = {"list": OWN, "unread_count": OWN, "read": OWN, "read_all": OWN}

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return Notification.objects.none()
        # Someone else's notification is not found, exactly like one that does not exist.
        return services.notifications_of(self.request.user)

    @extend_schema(
        summary="My notifications, newest first; with `after`, oldest first from that id",
        parameters=[NotificationListQuerySerializer],
    )
    def list(self, request: Request) -> Response:
        query = NotificationListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        queryset = self.get_queryset()
        if query.validated_data["unread"]:
            queryset = queryset.filter(read_at__isnull=True)
        after = query.validated_data.get("after")
        if after is not None:
            # Ascending, so paging through a catch-up never skips one that arrives meanwhile.
            queryset = queryset.filter(id__gt=after).order_by("id")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="How many of my notifications are unread",
        request=None,
        responses=UnreadCountSerializer,
    )
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request: Request) -> Response:
        count = self.get_queryset().filter(read_at__isnull=True).count()
        return Response(UnreadCountSerializer({"unread": count}).data)

    @extend_schema(
        summary="Mark one of my notifications read",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        request=None,
        responses={200: NotificationSerializer, 404: OpenApiResponse(description="Not found")},
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = services.mark_read(self.get_object())
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary="Mark all my notifications read (up to an id, when given)",
        request=ReadAllSerializer,
        responses=ReadAllResultSerializer,
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        body = ReadAllSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        marked = services.mark_all_read(request.user, up_to=body.validated_data.get("up_to"))
        return Response(ReadAllResultSerializer({"marked": marked}).data)
