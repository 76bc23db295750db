"""Nobody holds a global permission on case data once the demo world is seeded: a global
permission would mean "every object" (issue 10, point 1; DESIGN.md §3)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from tests.security.catalogue import case_data_models

pytestmark = pytest.mark.django_db


def test_nobody_holds_global_permissions_on_case_data_after_seed_demo(world):
    protected = case_data_models()
    content_types = ContentType.objects.get_for_models(*protected).values()
    perms = Permission.objects.filter(content_type__in=list(content_types))
    by_group = Group.objects.filter(permissions__in=perms).values_list("name", flat=True)
    by_user = (
        get_user_model()
        .objects.filter(user_permissions__in=perms)
        .values_list("username", flat=True)
    )
    assert not list(by_group), f"groups with global case-data permissions: {sorted(by_group)}"
    assert not list(by_user), f"users with global case-data permissions: {sorted(by_user)}"
    assert get_user_model().objects.filter(username="social.north").exists(), "seeded world"
