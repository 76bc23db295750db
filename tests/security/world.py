"""The demo world as the security suite sees it: every demo user (and an anonymous caller)
with a token, their roles and agencies, and an independent answer to "may they see this?".

The answer comes from the declarations and the grant tables, never from the view under
test: a view that filters wrongly is caught because this module did not ask it.
"""

from __future__ import annotations

import functools
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet
from knox.models import AuthToken
from rest_framework.test import APIClient

from agencies.demo import USERS
from agencies.models import Agency
from agencies.selectors import active_memberships
from core.access import Policy, Scope, visible_to
from tests.security.catalogue import Operation, case_data_models

ANONYMOUS = "anonymous"


@dataclass
class Caller:
    name: str
    user: Any = None
    token: str = ""
    roles: frozenset[str] = frozenset()
    agency_ids: frozenset[int] = frozenset()
    region_ids: frozenset[int] = frozenset()
    _client: APIClient | None = field(default=None, repr=False, compare=False)

    @property
    def is_anonymous(self) -> bool:
        return self.user is None

    def client(self) -> APIClient:
        """This caller's client, one for the whole run: a new client loads every middleware
        again (WhiteNoise indexes every static file), which would cost more than most calls.
        Cookies a previous response set are dropped, so each call stands on the token alone."""
        if self._client is None:
            self._client = APIClient()
            if self.token:
                self._client.credentials(HTTP_AUTHORIZATION=f"Token {self.token}")
        self._client.cookies.clear()
        return self._client

    def admitted_by(self, policy: Policy) -> bool:
        return not self.is_anonymous and bool(self.roles & policy.roles)


@dataclass
class World:
    callers: list[Caller] = field(default_factory=list)
    _readers: dict[type[models.Model], list[Operation]] = field(default_factory=dict)

    @classmethod
    def build(cls) -> World:
        callers = [Caller(ANONYMOUS)]
        users = get_user_model().objects.filter(username__in=[u.username for u in USERS])
        for user in users.order_by("username"):
            memberships = active_memberships(user)
            _, token = AuthToken.objects.create(user)
            callers.append(
                Caller(
                    name=user.username,
                    user=user,
                    token=token,
                    roles=frozenset(m.role for m in memberships),
                    agency_ids=frozenset(m.agency_id for m in memberships),
                    region_ids=frozenset(m.agency.region_id for m in memberships),
                )
            )
        return cls(callers)

    def staff(self) -> list[Caller]:
        return [c for c in self.callers if not c.is_anonymous]

    def callers_for(self, operation: str) -> list[Caller]:
        """The anonymous caller and one demo user of each role for one operation.

        Which user stands for a role turns from one operation to the next (by a hash of the
        operation's name, so a run is repeatable): every role calls every operation, and every
        demo user, from either region and every kind of agency, calls some of them.
        """
        turn = zlib.crc32(operation.encode())
        by_role: dict[str, list[Caller]] = defaultdict(list)
        for caller in self.staff():
            for role in sorted(caller.roles):
                by_role[role].append(caller)
        picked = [c for c in self.callers if c.is_anonymous]
        for role in sorted(by_role):
            members = by_role[role]
            choice = members[turn % len(members)]
            if choice not in picked:
                picked.append(choice)
        return picked

    def readers_of(self, model: type[models.Model]) -> list[Operation]:
        """The single-object reads (GET with an id) of the schema that answer ``model``."""
        if model not in self._readers:
            from tests.security.catalogue import operations

            found = []
            for op in operations():
                if op.method != "get" or not op.path_params or op.is_collection_read:
                    continue
                admitted = next(
                    (c for c in self.staff() if op.policy and c.admitted_by(op.policy)), None
                )
                if admitted is not None and op.model(admitted.user) is model:
                    found.append(op)
            self._readers[model] = found
        return self._readers[model]


# --- who owns an object ------------------------------------------------------------------


@functools.cache
def owner_agency_path(model: type[models.Model]) -> str | None:
    """The lookup from ``model`` to the agency that owns its objects, if it has one."""
    if model is Agency:
        return "pk"
    agency_fks = [
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, models.ForeignKey) and f.related_model is Agency
    ]
    for preferred in ("agency", "owner_agency", "lead_agency", "from_agency"):
        if preferred in agency_fks:
            return preferred
    created = [name for name in agency_fks if name.startswith(("created_by", "recorded_by"))]
    return created[0] if created else None


def owner_region(obj: models.Model) -> int | None:
    path = owner_agency_path(type(obj))
    if path is None:
        return None
    agency_id = obj.pk if path == "pk" else getattr(obj, f"{path}_id")
    return Agency.objects.filter(pk=agency_id).values_list("region_id", flat=True).first()


def _parent_case_data_fk(model: type[models.Model]) -> tuple[str, type[models.Model]] | None:
    protected = case_data_models()
    for f in model._meta.get_fields():
        if isinstance(f, models.ForeignKey) and f.related_model in protected:
            return f.name, f.related_model
    return None


def _self_fk(model: type[models.Model]) -> str | None:
    user_model = get_user_model()
    for name in ("recipient", "user", "owner"):
        try:
            f = model._meta.get_field(name)
        except models.FieldDoesNotExist:
            continue
        if isinstance(f, models.ForeignKey) and f.related_model is user_model:
            return name
    return None


def may_see(
    caller: Caller,
    model: type[models.Model],
    world: World,
    pks: list[object],
    *,
    by_role: bool,
) -> set[object]:
    """Of ``pks``, the objects some single-object read of ``model`` reaches for the caller by
    its declared scopes: only reads whose roles admit the caller (``by_role``), or any."""
    seen: set[object] = set()
    for reader in world.readers_of(model):
        if by_role and not caller.admitted_by(reader.policy):
            continue
        reach = may_reach(caller, reader, model).queryset
        seen |= set(reach.filter(pk__in=pks).values_list("pk", flat=True))
    return seen


@dataclass(frozen=True)
class Visibility:
    """The objects of one model that one caller may reach through one operation."""

    queryset: QuerySet
    basis: str  # "grants", "ownership", "self", "directory" or "view" (the view's own word)


def may_reach(caller: Caller, op: Operation, model: type[models.Model]) -> Visibility:
    """Objects of ``model`` the caller may reach through ``op``, by its declared scopes."""
    everything = model._default_manager.all()
    policy = op.policy
    if caller.is_anonymous or policy is None or not caller.roles:
        return Visibility(everything.none(), "refusal")
    scopes = set(policy.scopes)
    if scopes & {Scope.PUBLIC, Scope.STAFF}:
        return Visibility(op.view(caller.user).get_queryset(), "directory")
    allowed = everything.none()
    basis = []
    protected = case_data_models()
    if scopes & {Scope.SHARED, Scope.CASE_TEAM, Scope.DPO}:
        perm = getattr(op.view_cls, "visibility_perm", None)
        if model in protected:
            allowed |= visible_to(caller.user, everything, perm or protected[model])
            basis.append("grants")
        elif (parent := _parent_case_data_fk(model)) is not None:
            name, parent_model = parent
            parents = visible_to(caller.user, parent_model._default_manager.all(), None)
            allowed |= everything.filter(**{f"{name}__in": parents.values("pk")})
            basis.append("grants")
    if Scope.OWN_AGENCY in scopes and (path := owner_agency_path(model)) is not None:
        allowed |= everything.filter(**{f"{path}__in": caller.agency_ids})
        basis.append("ownership")
    if Scope.SELF in scopes and (name := _self_fk(model)) is not None:
        allowed |= everything.filter(**{name: caller.user})
        basis.append("self")
    if not basis:
        return Visibility(op.view(caller.user).get_queryset(), "view")
    return Visibility(allowed, "+".join(basis))
