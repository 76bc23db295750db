"""The live API and data model, discovered rather than listed.

Everything the security suite checks comes from here: the operations of the OpenAPI schema
the code generates (each resolved to the Django view that serves it and the access policy it
declares), the routes Django actually serves, and the case-data models (those with guardian
direct foreign-key permission tables). An endpoint or model added later is covered the moment
it exists, without anyone editing a list.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps as django_apps
from django.apps.registry import Apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from drf_spectacular.generators import SchemaGenerator
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core.access import Policy

WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
_PARAM = re.compile(r"{([^}]+)}")


@functools.cache
def live_schema() -> dict[str, Any]:
    """The OpenAPI document exactly as ``/api/schema/`` serves it."""
    return SchemaGenerator().get_schema(request=None, public=True)


@dataclass(frozen=True)
class Operation:
    """One path + method of the schema and the view code behind it."""

    path: str
    method: str
    spec: dict[str, Any] = field(repr=False, compare=False)
    view_cls: type[APIView] = field(compare=False)
    initkwargs: dict[str, Any] = field(repr=False, compare=False)
    actions: dict[str, str] | None = field(repr=False, compare=False)
    action: str = field(compare=False)

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def path_params(self) -> list[dict[str, Any]]:
        return [p for p in self.spec.get("parameters", []) if p.get("in") == "path"]

    @property
    def query_params(self) -> list[dict[str, Any]]:
        return [p for p in self.spec.get("parameters", []) if p.get("in") == "query"]

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS

    @property
    def is_collection_read(self) -> bool:
        """A GET that answers a page or list of objects (a list or a search)."""
        if self.method != "get" or (self.path_params and self.action != "list"):
            return False
        body = self.spec.get("responses", {}).get("200", {}).get("content", {})
        schema = body.get("application/json", {}).get("schema", {})
        return self.action == "list" or _is_list_schema(schema)

    @property
    def policy(self) -> Policy | None:
        """What :func:`core.access.declared_policy` will find for this operation."""
        if self.action == "metadata":
            return None
        policies: dict[str, Policy] = getattr(self.view_cls, "access_policy", {}) or {}
        return policies.get(self.action) or policies.get(self.method)

    def url(self, **values: object) -> str:
        """The path with its parameters filled in (missing ones get a placeholder)."""
        params = {p["name"]: p for p in self.path_params}

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in values:
                return str(values[name])
            return placeholder(params.get(name, {}).get("schema", {}))

        return _PARAM.sub(fill, self.path)

    def view(self, user: Any, **kwargs: object) -> APIView:
        """A view instance set up as it would be for ``user`` calling this operation."""
        django_request = getattr(APIRequestFactory(), self.method)(self.url(**kwargs))
        view = self.view_cls(**self.initkwargs)
        if self.actions is not None:
            view.action_map = self.actions
        view.args, view.kwargs, view.format_kwarg = (), dict(kwargs), None
        request: Request = view.initialize_request(django_request)
        request.user = user
        view.request = request
        view.headers = {}
        return view

    def model(self, user: Any) -> type[models.Model] | None:
        """The model whose objects this operation reaches, if it reaches any."""
        queryset = getattr(self.view_cls, "queryset", None)
        if queryset is not None:
            return queryset.model
        try:
            return self.view(user).get_queryset().model
        except Exception:
            serializer = getattr(self.view_cls, "serializer_class", None)
            return getattr(getattr(serializer, "Meta", None), "model", None)


def _is_list_schema(schema: dict[str, Any]) -> bool:
    if schema.get("type") == "array":
        return True
    ref = schema.get("$ref", "")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        target = live_schema()["components"]["schemas"].get(name, {})
        return "results" in target.get("properties", {})
    return False


def placeholder(schema: dict[str, Any]) -> str:
    """A syntactically valid path value for a parameter of this schema."""
    if schema.get("format") == "uuid":
        return str(uuid.UUID(int=1))
    if schema.get("type") == "integer":
        return "1"
    return "placeholder"


@functools.cache
def operations() -> tuple[Operation, ...]:
    """Every operation in the live schema, resolved to the view that serves it."""
    found = []
    for path, methods in sorted(live_schema()["paths"].items()):
        for method, spec in methods.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            probe = Operation(path, method, spec, APIView, {}, None, method)
            func = resolve(probe.url()).func
            actions = getattr(func, "actions", None)
            action = actions.get(method, method) if actions else method
            found.append(
                Operation(
                    path=path,
                    method=method,
                    spec=spec,
                    view_cls=func.cls,
                    initkwargs=getattr(func, "initkwargs", {}),
                    actions=actions,
                    action=action,
                )
            )
    return tuple(found)


def operation_ids() -> list[str]:
    return [op.label for op in operations()]


@dataclass(frozen=True)
class Route:
    """One Django URL pattern served by a DRF view, with the methods it answers."""

    pattern: str
    view_cls: type[APIView]
    actions: dict[str, str] | None

    def handlers(self) -> Iterator[tuple[str, str]]:
        """(method, action) for each method the route really dispatches."""
        if self.actions is not None:
            for method, action in self.actions.items():
                if method in self.view_cls.http_method_names:
                    yield method, action
            return
        for method in self.view_cls.http_method_names:
            if method not in {"head", "options"} and hasattr(self.view_cls, method):
                yield method, method


def api_routes(prefix: str = "api/") -> list[Route]:
    """Every DRF route under ``prefix``, including any left out of the schema."""
    found: list[Route] = []

    def walk(patterns: list[URLPattern | URLResolver], base: str) -> None:
        for entry in patterns:
            text = base + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, text)
                continue
            cls = getattr(entry.callback, "cls", None)
            if text.startswith(prefix) and cls is not None and issubclass(cls, APIView):
                found.append(Route(text, cls, getattr(entry.callback, "actions", None)))

    walk(get_resolver().url_patterns, "")
    return found


# --- data -------------------------------------------------------------------------------


def case_data_models(registry: Apps = django_apps) -> dict[type[models.Model], str]:
    """Models whose objects are protected by guardian direct foreign-key permission tables,
    each with the name of its view permission (``app.view_model``)."""
    found: dict[type[models.Model], str] = {}
    for model in registry.get_models():
        if not issubclass(model, UserObjectPermissionBase | GroupObjectPermissionBase):
            continue
        target = model._meta.get_field("content_object").related_model
        if target is None:  # guardian's generic tables: not used for case data
            continue
        found[target] = f"{target._meta.app_label}.view_{target._meta.model_name}"
    return found
