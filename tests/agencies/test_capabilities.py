"""The web app offers a screen only to roles the API lets in: capabilities follow the policies."""

import pytest

from agencies.capabilities import capabilities_for
from agencies.models import Role
from audit.api.views import AuditEventListView
from children.api.views import ChildViewSet
from consent.api.views import ConsentViewSet, OverrideViewSet
from pathways.api.views import ServiceViewSet

CAPABILITY_POLICIES = [
    ("children.view", ChildViewSet.access_policy["list"]),
    ("children.create", ChildViewSet.access_policy["create"]),
    ("children.subject_access", ChildViewSet.access_policy["subject_access_export"]),
    ("consents.record", ConsentViewSet.access_policy["create"]),
    ("sharing.authorise_override", OverrideViewSet.access_policy["authorise"]),
    ("directory.manage", ServiceViewSet.access_policy["create"]),
    ("audit.view", AuditEventListView.access_policy["get"]),
]


@pytest.mark.parametrize(("capability", "declared"), CAPABILITY_POLICIES)
@pytest.mark.parametrize("role", Role.values)
def test_a_role_has_the_capability_exactly_when_the_policy_admits_it(role, capability, declared):
    assert (capability in capabilities_for({role})) == (role in declared.roles)
