"""Every operation declares who may call it, and nothing bypasses the declaration.

These tests read the live OpenAPI schema and the URL configuration, so an endpoint added
later is checked the moment it exists (issue 10, point 1).
"""

from django.db import models
from django.test.utils import isolate_apps

from agencies.models import Role
from core.access import PUBLIC, DeclaredAccess, Policy, Scope, permission_models
from tests.security.catalogue import api_routes, case_data_models, operations


def test_the_schema_has_operations_to_check():
    labels = {op.label for op in operations()}
    assert "GET /api/v1/auth/me/" in labels
    assert len(labels) >= 10


def test_every_schema_operation_declares_an_access_policy():
    undeclared = [
        f"{op.label} ({op.view_cls.__module__}.{op.view_cls.__qualname__}, action {op.action!r})"
        for op in operations()
        if op.policy is None
    ]
    assert not undeclared, "operations without an access_policy entry:\n" + "\n".join(undeclared)


def test_every_api_route_declares_every_method_it_serves():
    """Also covers routes left out of the schema, which the fuzzer would never reach."""
    undeclared = []
    for route in api_routes("api/v1/"):
        policies = getattr(route.view_cls, "access_policy", {}) or {}
        for method, action in route.handlers():
            if action == "metadata" or not (policies.get(action) or policies.get(method)):
                undeclared.append(f"{method.upper()} {route.pattern} ({route.view_cls.__name__})")
    assert not undeclared, "routes without an access_policy entry:\n" + "\n".join(undeclared)


def test_every_api_route_is_in_the_schema():
    """A route missing from the schema escapes the access matrix and the fuzzer."""
    documented = {(op.view_cls, op.action) for op in operations()}
    missing = [
        f"{method.upper()} {route.pattern} ({route.view_cls.__name__})"
        for route in api_routes("api/v1/")
        for method, action in route.handlers()
        if (route.view_cls, action) not in documented
    ]
    assert not missing, "routes missing from the OpenAPI schema:\n" + "\n".join(missing)


def _all_public(view_cls: type) -> bool:
    policies = getattr(view_cls, "access_policy", {}) or {}
    return bool(policies) and all(p is PUBLIC for p in policies.values())


def test_no_view_replaces_declared_access():
    bypassing = sorted(
        {
            f"{route.view_cls.__module__}.{route.view_cls.__qualname__}"
            for route in api_routes("api/v1/")
            if not any(
                isinstance(p, type) and issubclass(p, DeclaredAccess)
                for p in route.view_cls.permission_classes
            )
            and not _all_public(route.view_cls)
        }
    )
    assert not bypassing, "views whose permission_classes drop DeclaredAccess:\n" + "\n".join(
        bypassing
    )


def test_declarations_name_real_roles_and_scopes():
    wrong = []
    for route in api_routes("api/v1/"):
        for action, declared in (getattr(route.view_cls, "access_policy", {}) or {}).items():
            if not isinstance(declared, Policy):
                wrong.append(f"{route.view_cls.__name__}.{action}: not a Policy")
            elif declared is not PUBLIC and (
                not declared.roles or not declared.roles <= set(Role.values)
            ):
                wrong.append(f"{route.view_cls.__name__}.{action}: roles {sorted(declared.roles)}")
            elif not declared.scopes or not all(isinstance(s, Scope) for s in declared.scopes):
                wrong.append(f"{route.view_cls.__name__}.{action}: scopes {declared.scopes}")
    assert not wrong, "\n".join(wrong)


@isolate_apps("core")
def test_case_data_models_are_found_by_their_permission_tables():
    class Dossier(models.Model):  # noqa: DJ008
        class Meta:
            app_label = "core"

    class Leaflet(models.Model):  # noqa: DJ008
        class Meta:
            app_label = "core"

    permission_models("core.Dossier", "Dossier")
    from django.apps import apps as registry_of_this_test

    found = case_data_models(Dossier._meta.apps)
    assert found == {Dossier: "core.view_dossier"}
    assert Leaflet not in found
    assert Dossier._meta.apps is not registry_of_this_test
