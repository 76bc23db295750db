"""The object-permission framework: grants, visibility, declared policies, hidden = 404."""

import uuid

import pytest
from django.contrib.auth.models import Permission
from django.urls import include, path
from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from agencies.models import Agency, Role
from audit.models import AuditEvent
from core import access
from core.access import DeclaredAccess, ProtectedViewSetMixin, Scope, policy
from tests.access import Call, assert_access
from tests.factories import AgencyFactory, member

pytestmark = pytest.mark.django_db


class AgencyCaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name"]


class ProtectedAgencies(ProtectedViewSetMixin, viewsets.ModelViewSet):
    """Agencies treated as if they were case data, to exercise the framework end to end."""

    queryset = Agency.objects.all()
    serializer_class = AgencyCaseSerializer
    access_policy = {
        "list": policy(Scope.SHARED),
        "retrieve": policy(Scope.SHARED),
        "partial_update": policy(Scope.SHARED, roles=[Role.SOCIAL_WORKER]),
    }


router = SimpleRouter()
router.register("things", ProtectedAgencies, basename="thing")
urlpatterns = [path("api/", include(router.urls))]


@pytest.fixture
def world(social_services, other_agency):
    target = AgencyFactory(name="Shared Thing")
    hidden = AgencyFactory(name="Hidden Thing")
    access.grant(["view_agency", "change_agency"], social_services, target)
    return target, hidden


def test_visibility_follows_agency_grants_only(social_worker, outsider, world):
    target, _hidden = world
    assert list(access.visible_to(social_worker, Agency.objects.all())) == [target]
    assert list(access.visible_to(outsider, Agency.objects.all())) == []


def test_global_model_permissions_and_superuser_do_not_open_case_data(social_worker, world):
    target, _hidden = world
    social_worker.user_permissions.add(Permission.objects.get(codename="view_agency"))
    social_worker.is_superuser = True
    social_worker.save()
    social_worker.refresh_from_db()
    assert list(access.visible_to(social_worker, Agency.objects.all())) == [target]


def test_revoke_removes_visibility(social_worker, social_services, world):
    target, _ = world
    access.revoke(["view_agency"], social_services, target)
    assert not access.visible_to(social_worker, Agency.objects.all()).exists()


def test_person_grant_and_ended_membership(social_worker, social_services, world):
    _, hidden = world
    access.grant(["view_agency"], social_worker, hidden)
    assert access.can(social_worker, "agencies.view_agency", hidden)
    social_worker.memberships.update(is_active=False)
    from agencies.selectors import forget_memberships

    forget_memberships(social_worker)
    assert not access.can(social_worker, "agencies.view_agency", hidden), (
        "without an active membership nobody sees case data"
    )


def test_undeclared_action_is_denied():
    class Undeclared(APIView):
        permission_classes = [DeclaredAccess]

    request = APIRequestFactory().get("/")
    assert DeclaredAccess().has_permission(request, Undeclared()) is False


@pytest.mark.urls(__name__)
def test_protected_viewset_outsider_404_wrong_role_403_right_person_ok(
    social_worker, social_services, outsider, world
):
    target, _hidden = world
    practitioner = member(social_services, Role.PRACTITIONER)
    assert_access(
        Call("patch", f"/api/things/{target.pk}/", {"name": "Renamed"}, f"/api/things/{10**9}/"),
        allowed=social_worker,
        outsider=outsider,
        wrong_role=practitioner,
        unchanged=lambda: Agency.objects.values("name").get(pk=target.pk),
    )
    target.refresh_from_db()
    assert target.name == "Renamed"


@pytest.mark.urls(__name__)
def test_reads_and_hidden_lookups_are_audited(client_for, social_worker, world):
    target, hidden = world
    client = client_for(social_worker)
    listed = client.get("/api/things/")
    assert [row["id"] for row in listed.json()["results"]] == [target.pk]
    assert client.get(f"/api/things/{target.pk}/").status_code == 200
    assert client.get(f"/api/things/{hidden.pk}/").status_code == 404

    events = list(
        AuditEvent.objects.order_by("sequence").values_list("action", "object_id", "details")
    )
    actions = [action for action, _, _ in events]
    assert actions[-3:] == ["list", "view", "denied"]
    assert events[-3][2]["ids"] == [str(target.pk)]
    assert events[-2][1] == str(target.pk)
    assert events[-1][1] == str(hidden.pk)


@pytest.mark.urls(__name__)
def test_malformed_and_missing_ids_are_plain_404(client_for, social_worker, world):
    client = client_for(social_worker)
    assert client.get(f"/api/things/{uuid.uuid4()}/").status_code == 404
    assert client.get("/api/things/999999/").status_code == 404
