"""Canaries: unique strings planted in every encrypted and every categorised field of the demo
data, so that a leak anywhere (a response, the raw database, a log line) can be traced back
to the field it came from (issue 10, points 3 and 4).

What is planted is found, not listed:

* **encrypted fields**: every model field that is a :class:`core.fields.EncryptedField`;
* **categorised fields**: a model, or its models module, may declare ``FIELDS_BY_CATEGORY``
  (data category → field names), as ``children.models`` does. A field listed there carries
  that category; a caller may see its value only when the category is disclosed to them.
  An app that adds categorised data elsewhere declares the same mapping beside its model
  and is covered without touching this suite.

Who may know a planted value is worked out from the grant and disclosure tables, never by
asking the serializer under test.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db import models

from core.access import visible_to
from tests.security.catalogue import case_data_models
from tests.security.plugin import plant
from tests.security.world import Caller

PER_FIELD = 6  # objects planted per field: enough to reach every caller class, cheap to check


def encrypted_field_classes() -> tuple[type[models.Field], ...]:
    try:
        from core.fields import EncryptedField
    except ImportError:
        return ()
    return (EncryptedField,)


def encrypted_fields(models_: Iterable[type[models.Model]] | None = None) -> list[models.Field]:
    classes = encrypted_field_classes()
    if not classes:
        return []
    return [
        f
        for model in (models_ if models_ is not None else apps.get_models())
        for f in model._meta.concrete_fields
        if isinstance(f, classes)
    ]


def category_mapping(model: type[models.Model]) -> dict[str, str]:
    """Field name → data category, from ``FIELDS_BY_CATEGORY`` on the model or its module."""
    declared = getattr(model, "FIELDS_BY_CATEGORY", None)
    if declared is None:
        module = sys.modules.get(model.__module__)
        declared = getattr(module, "FIELDS_BY_CATEGORY", None)
    if not declared:
        return {}
    names = {f.name for f in model._meta.concrete_fields}
    listed = {name for fields in declared.values() for name in fields}
    if not listed <= names:  # the module's mapping is about another of its models
        return {}
    return {name: str(category) for category, fields in declared.items() for name in fields}


@dataclass(frozen=True)
class Canary:
    value: str
    model: type[models.Model]
    field: str
    pk: object
    category: str | None

    @property
    def where(self) -> str:
        suffix = f" [{self.category}]" if self.category else ""
        return f"{self.model._meta.label}.{self.field} #{self.pk}{suffix}"


@dataclass
class Planting:
    canaries: list[Canary]
    fields: list[str]  # every field that can carry a canary
    unexercised: list[str]  # fields with no demo row to carry a canary (empty JSON included)
    unplantable: list[str]  # fields whose type cannot hold a string (dates)


def _inject(structure: object, value: str) -> object:
    """The same JSON shape with every string in it replaced by the canary."""
    if isinstance(structure, str):
        return value
    if isinstance(structure, list):
        return [_inject(item, value) for item in structure]
    if isinstance(structure, dict):
        return {key: _inject(item, value) for key, item in structure.items()}
    return structure


def _has_text(structure: object) -> bool:
    return _inject(structure, "") != structure


def _canary_value(f: models.Field, value: str, current: object) -> object | None:
    internal = f.get_internal_type()
    if isinstance(f, models.JSONField) or "JSON" in type(f).__name__:
        # Keep the shape the application expects (e.g. a list of contact objects).
        return _inject(current, value) if _has_text(current) else None
    if isinstance(f, models.DateField | models.DateTimeField) or "Date" in type(f).__name__:
        return None
    if internal in {"TextField", "CharField"} or isinstance(f, models.TextField | models.CharField):
        if f.max_length is not None and f.max_length < len(value):
            return None
        return value
    return None


def plant_everywhere() -> Planting:
    """Put a fresh canary into every encrypted and categorised field of the demo data."""
    targets: dict[tuple[type[models.Model], str], str | None] = {}
    for f in encrypted_fields():
        targets[(f.model, f.name)] = category_mapping(f.model).get(f.name)
    for model in apps.get_models():
        for name, category in category_mapping(model).items():
            targets[(model, name)] = category
    planted: list[Canary] = []
    unexercised, unplantable, fields = [], [], []
    for (model, name), category in sorted(
        targets.items(), key=lambda t: (t[0][0]._meta.label, t[0][1])
    ):
        label = f"{model._meta.label}.{name}"
        f = model._meta.get_field(name)
        if _canary_value(f, "x", "x") is None and _canary_value(f, "x", ["x"]) is None:
            unplantable.append(label)
            continue
        fields.append(label)
        objects = list(model._default_manager.order_by("pk")[: PER_FIELD * 4])
        carriers = [(o, _canary_value(f, "x", getattr(o, name))) for o in objects]
        carriers = [o for o, shaped in carriers if shaped is not None][:PER_FIELD]
        if not carriers:
            unexercised.append(label)
        for obj in carriers:
            where = Canary("", model, name, obj.pk, category).where
            value = plant(where)
            setattr(obj, name, _canary_value(f, value, getattr(obj, name)))
            obj.save(update_fields=[name])
            planted.append(Canary(value, model, name, obj.pk, category))
    return Planting(planted, fields, unexercised, unplantable)


# --- who may know a planted value -----------------------------------------------------------


def _child_of(obj: models.Model) -> models.Model | None:
    if obj._meta.label == "children.Child":
        return obj
    try:
        obj._meta.get_field("child")
    except models.FieldDoesNotExist:
        return None
    return obj.child


def disclosed_categories(caller: Caller, child: models.Model) -> set[str] | None:
    """Categories about ``child`` the caller may see, from the disclosure tables.

    The record keepers (the agency that made the record, or anyone holding its change
    permission) see every category; anyone else, the categories of live disclosures to their
    agency or to them personally. ``None`` when the consent app is not installed.
    """
    try:
        disclosure = apps.get_model("consent", "Disclosure")
    except LookupError:
        return None
    keeper = (
        getattr(child, "created_by_agency_id", None) in caller.agency_ids
        or visible_to(
            caller.user,
            type(child)._default_manager.filter(pk=child.pk),
            f"{child._meta.app_label}.change_{child._meta.model_name}",
        ).exists()
    )
    if keeper:
        return {"*"}
    rows = disclosure.objects.filter(child=child, ended_at__isnull=True).filter(
        models.Q(recipient_agency__in=caller.agency_ids, recipient_user__isnull=True)
        | models.Q(recipient_user=caller.user)
    )
    return {c for categories in rows.values_list("categories", flat=True) for c in categories}


def may_know(caller: Caller, canary: Canary, oversight: bool = False) -> bool:
    """Whether the caller may be shown this planted value.

    ``oversight``: the operation is the data protection officer's (DPO scope) and the caller
    is one; subject access covers every category of what they can reach.
    """
    if caller.is_anonymous:
        return False
    obj = canary.model._default_manager.get(pk=canary.pk)
    protected = case_data_models()
    hidden = (
        canary.model in protected
        and not visible_to(
            caller.user, canary.model._default_manager.filter(pk=canary.pk), protected[canary.model]
        ).exists()
    )
    if hidden:
        return oversight
    if canary.category is None or oversight:
        return True
    child = _child_of(obj)
    if child is None:
        return True
    disclosed = disclosed_categories(caller, child)
    return disclosed is None or "*" in disclosed or canary.category in disclosed
