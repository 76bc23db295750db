"""The access-matrix engine: one operation x every role x sampled objects (issue 10, point 2).

For each operation of the live schema it works out, from the declaration and the data alone,
what each caller should get, calls the endpoint through the real API stack, and records every
case and every mismatch. The callers are the anonymous one and a demo user of each role
(:meth:`World.callers_for`); the objects, one of each class for each caller: their agency's,
shared with it (each state, for a write), visible to them outside the operation's scope,
hidden in their region and in the other. What is checked (:func:`judge`):

* an object the caller may not see answers exactly like an id that does not exist (404, same
  body), whatever their role;
* a caller whose role the policy does not admit gets 403 on an object the operation reaches
  and a read open to their role shows them; where only their role's reads or only the
  operation's scope would show it, 403 or the answer for a missing id;
* an object a caller the policy admits may reach is never a 404; one only visible to them
  outside the operation's scope is refused (403, or like a missing id); a refused write
  changes nothing;
* lists and searches name no object the caller may not reach;
* a PATCH/PUT that tries to set every read-only field changes none of them;
* a write that points a relation at an object the caller may not reach is refused.

Writes run in savepoints that are rolled back, so cases never disturb each other.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django_fsm import FSMFieldMixin
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.response import Response

from agencies.models import Agency
from core.access import PUBLIC
from tests.security.catalogue import Operation, case_data_models
from tests.security.world import (
    Caller,
    World,
    may_reach,
    may_see,
    owner_agency_path,
    owner_region,
)

SUCCESS = range(200, 300)
CRUD_ACTIONS = {"list", "retrieve", "create", "update", "partial_update", "destroy"}


@dataclass
class MatrixResult:
    operation: str
    cases: int = 0
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    by_basis: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def check(self, ok: bool, message: str) -> None:
        self.cases += 1
        if not ok:
            self.failures.append(message)


def _body(response: Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.content


def _row(model: type[models.Model], pk: object) -> dict[str, Any] | None:
    """The object's stored values, without the columns the database stamps on every save."""
    stamped = {
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    row = model._default_manager.filter(pk=pk).values().first()
    if row is None:
        return None
    # Encrypted columns come back sealed, with a fresh nonce on every save: compare plaintext.
    return {
        k: v.decrypt(pk) if hasattr(v, "decrypt") else v for k, v in row.items() if k not in stamped
    }


def _missing_value(schema: dict[str, Any], model: type[models.Model] | None) -> str:
    if schema.get("format") == "uuid" or (
        model is not None and isinstance(model._meta.pk, models.UUIDField)
    ):
        return str(uuid.uuid4())
    if schema.get("type") == "integer" or (
        model is not None and isinstance(model._meta.pk, models.AutoField)
    ):
        top = model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0
        return str(int(top) + 10**6)
    return f"missing-{uuid.uuid4().hex[:12]}"


def _stem(param: str) -> str:
    name = param.removeprefix("parent_lookup_")
    for suffix in ("_pk", "_id", "_lookup"):
        name = name.removesuffix(suffix)
    return name.replace("-", "_")


def _lookup_field(op: Operation) -> str:
    return getattr(op.view_cls, "lookup_field", "pk") or "pk"


def bind(op: Operation, obj: models.Model) -> dict[str, object] | None:
    """Path parameters reaching ``obj`` through ``op`` (parents bound by foreign key)."""
    params = [p["name"] for p in op.path_params]
    lookup = getattr(op.view_cls, "lookup_url_kwarg", None) or _lookup_field(op)
    values: dict[str, object] = {}
    for name in params:
        if name == lookup or (name == "id" and lookup == "pk"):
            values[name] = getattr(obj, _lookup_field(op))
            continue
        try:
            fk = obj._meta.get_field(_stem(name))
        except models.FieldDoesNotExist:
            return None
        values[name] = getattr(obj, fk.attname)
    return values


def _state_field(model: type[models.Model]) -> str | None:
    for f in model._meta.concrete_fields:
        if isinstance(f, FSMFieldMixin):
            return f.attname
    return None


class Expect(Enum):
    SERVED = "served"  # admitted and within the operation's scope: never a 404
    AS_MISSING = "as missing"  # exactly the status and body of an id that does not exist
    FORBIDDEN = "403"  # seen by the caller, refused for their role
    REFUSED = "403 or as missing"  # seen only outside this operation's scope or roles


def judge(*, admitted: bool, in_reach: bool, seen_by_role: bool, seen: bool) -> Expect:
    """What a caller must get on one existing object (DeclaredAccess, core.access).

    ``in_reach``: within the operation's declared scopes for the caller; ``seen_by_role``:
    reached by a single-object read of the model whose roles admit the caller; ``seen``:
    reached by any such read, or by this operation, whatever the role (never for anonymous).

    An object the caller may not see is a 404 like a missing id, whatever their role. One
    they may see and this operation reaches, but their role is refused, is a 403. In between
    (a directory entry outside a write's scope; an object in scope that no read open to
    their role shows them) either answer reveals nothing they could not know.
    """
    if not seen:
        return Expect.AS_MISSING
    if admitted:
        if in_reach:
            return Expect.SERVED
        return Expect.REFUSED if seen_by_role else Expect.AS_MISSING
    return Expect.FORBIDDEN if in_reach and seen_by_role else Expect.REFUSED


class Engine:
    def __init__(self, world: World, seed: int = 10) -> None:
        self.world = world
        self.random = random.Random(seed)

    # -- calls ----------------------------------------------------------------------------

    def call(
        self, caller: Caller, op: Operation, url: str, data: Any = None, rollback: bool = True
    ) -> Response:
        client = caller.client()
        send: Callable[..., Response] = getattr(client, op.method)
        if op.is_write and data is None:
            data = _valid_looking_body(op)
        if not op.is_write or not rollback:
            return send(url, data, format="json") if data is not None else send(url)
        with transaction.atomic():
            response = send(url, data, format="json")
            transaction.set_rollback(True)
        return response

    def _write_and_compare(
        self,
        caller: Caller,
        op: Operation,
        url: str,
        model: type[models.Model],
        pk: object,
        data: Any = None,
    ) -> tuple[Response, dict[str, Any] | None, dict[str, Any] | None]:
        """Send a write in a savepoint; return the response and the row before and after."""
        before = _row(model, pk)
        with transaction.atomic():
            response = self.call(caller, op, url, data, rollback=False)
            after = _row(model, pk)
            transaction.set_rollback(True)
        return response, before, after

    # -- the matrix -----------------------------------------------------------------------

    def run(self, op: Operation) -> MatrixResult:
        result = MatrixResult(op.label)
        policy = op.policy
        if policy is None:
            result.check(False, f"{op.label}: no declared policy")
            return result
        admin_like = next((c for c in self.world.staff() if c.admitted_by(policy)), None)
        model = op.model(admin_like.user) if admin_like else None
        if op.path_params:
            if model is None:
                result.notes.append("reaches no model: only refusals checked")
                self._refusals_only(op, result)
            else:
                self._objects(op, model, result)
        elif op.is_collection_read and model is not None:
            self._collection(op, model, {}, result)
        else:
            self._plain(op, model, result)
        return result

    def _expected_refusal(self, caller: Caller, op: Operation) -> set[int] | None:
        """The statuses a caller outside the policy may get, or None when it admits them.

        Anonymous callers get 401. A wrong role gets 403, or 404 from an endpoint that hides
        itself from other roles (the audit trail); on an operation that names an object, an
        id that does not exist is 404 for every signed-in caller (the object's absence is
        answered before the role).
        """
        if op.policy is PUBLIC:
            return None
        if caller.is_anonymous:
            return {401}
        if caller.admitted_by(op.policy):
            return None
        return {404} if op.path_params else {403, 404}

    def _refusals_only(self, op: Operation, result: MatrixResult) -> None:
        for caller in self.world.callers_for(op.label):
            expected = self._expected_refusal(caller, op)
            if expected is None:
                continue
            response = self.call(caller, op, op.url())
            result.check(
                response.status_code in expected,
                f"{op.label} as {caller.name}: {response.status_code}, expected {expected}",
            )

    def _plain(self, op: Operation, model: type[models.Model] | None, result: MatrixResult) -> None:
        """Operations on no particular object: refusals, no server error, and relations."""
        for caller in self.world.callers_for(op.label):
            expected = self._expected_refusal(caller, op)
            if expected is not None:
                response = self.call(caller, op, op.url())
                result.check(
                    response.status_code in expected,
                    f"{op.label} as {caller.name}: {response.status_code}, expected {expected}",
                )
                continue
            response = self.call(caller, op, op.url())
            result.check(
                response.status_code < 500,
                f"{op.label} as {caller.name}: server error {response.status_code}",
            )
            if op.method == "post" and model is not None and op.policy is not PUBLIC:
                self._relations_on_create(op, model, caller, result)

    # -- object operations ----------------------------------------------------------------

    def _objects(self, op: Operation, model: type[models.Model], result: MatrixResult) -> None:
        pool = list(model._default_manager.order_by("pk")[:300])
        bound = [(obj, bind(op, obj)) for obj in pool]
        bound = [(obj, values) for obj, values in bound if values is not None]
        if pool and not bound:
            result.notes.append("path parameters could not be bound to objects")
        lookup_param = op.path_params[-1]
        missing_values = dict(bound[0][1]) if bound else {}
        missing_values[lookup_param["name"]] = _missing_value(lookup_param.get("schema", {}), model)
        if op.is_collection_read:
            self._nested_collection(op, model, bound, result)
            return
        if not bound:
            result.notes.append("no objects in the demo data: only refusals checked")
        state = _state_field(model)
        for caller in self.world.callers_for(op.label):
            missing = self.call(caller, op, op.url(**missing_values))
            refusal = self._expected_refusal(caller, op)
            if refusal is not None:
                result.check(
                    missing.status_code in refusal,
                    f"{op.label} as {caller.name} on a missing id: {missing.status_code}, "
                    f"expected {refusal}",
                )
            else:
                # A write may validate its body before it looks the object up (400).
                result.check(
                    missing.status_code == 404 or (op.is_write and missing.status_code == 400),
                    f"{op.label} as {caller.name} on a missing id: {missing.status_code}",
                )
            if not bound:
                continue
            reach = may_reach(caller, op, model)
            pks = [o.pk for o, _ in bound]
            reachable = set(reach.queryset.filter(pk__in=pks).values_list("pk", flat=True))
            seen_by_role = may_see(caller, model, self.world, pks, by_role=True)
            seen = may_see(caller, model, self.world, pks, by_role=False) | reachable
            deep = True  # the read-only and relation probes: once per caller and operation
            admitted = refusal is None
            for label, obj, values, others in self._sample(
                caller,
                bound,
                reachable,
                seen,
                state if admitted and op.is_write else None,
                detailed=admitted,
            ):
                url = op.url(**values)
                result.by_basis[reach.basis] += 1
                where = f"{op.label} as {caller.name} on {label} {model.__name__} {obj.pk}"
                expected = judge(
                    admitted=refusal is None,
                    in_reach=obj.pk in reachable,
                    seen_by_role=obj.pk in seen_by_role,
                    seen=obj.pk in seen and not caller.is_anonymous,
                )
                if expected is Expect.SERVED:
                    self._reachable(
                        op, model, caller, obj, url, where, result, deep=deep, others=others
                    )
                    deep = False
                    continue
                if op.is_write:
                    response, before, after = self._write_and_compare(
                        caller, op, url, model, obj.pk
                    )
                    result.check(before == after, f"{where}: a refused write changed the row")
                else:
                    response = self.call(caller, op, url)
                as_missing = response.status_code == missing.status_code and (
                    _body(response) == _body(missing)
                )
                status = response.status_code
                if expected is Expect.AS_MISSING:
                    ok, want = as_missing, f"the answer for a missing id ({missing.status_code})"
                elif expected is Expect.FORBIDDEN:
                    ok, want = status == 403, "403 (the caller sees it; the role is refused)"
                else:
                    ok, want = status == 403 or as_missing, "403 or the answer for a missing id"
                result.check(ok, f"{where}: {status}, expected {want}")

    def _sample(
        self,
        caller: Caller,
        bound: list[tuple[models.Model, dict[str, object]]],
        reachable: set[object],
        seen: set[object],
        state: str | None,
        *,
        detailed: bool,
    ) -> Iterable[tuple[str, models.Model, dict[str, object], list[dict[str, object]]]]:
        """One object of each class (with up to three others of it, bound): own, shared (per
        state, for a write), visible outside the operation's scope, hidden in the caller's
        region and in the other.

        A caller the policy refuses is refused the same way whatever the state or region, so
        for them (``detailed`` false) one object each of what they reach, see, and do not see;
        the anonymous caller sees nothing, so one object.
        """
        classes: dict[str, list[tuple[models.Model, dict[str, object]]]] = defaultdict(list)
        for obj, values in bound:
            if caller.is_anonymous:
                name = "hidden"
            elif not detailed:
                name = (
                    "reachable"
                    if obj.pk in reachable
                    else "visible-outside-scope"
                    if obj.pk in seen
                    else "hidden"
                )
            elif obj.pk in reachable:
                owned = self._owned_by(caller, obj)
                name = "own" if owned else "shared" if owned is False else "reachable"
                if state:
                    name += f"[{getattr(obj, state)}]"
            elif obj.pk in seen:
                name = "visible-outside-scope"
            else:
                region = owner_region(obj)
                name = (
                    "hidden-other-region"
                    if region is not None and region not in caller.region_ids
                    else "hidden"
                )
            classes[name].append((obj, values))
        for name in sorted(classes):
            members = list(classes[name])
            self.random.shuffle(members)
            (obj, values), others = members[0], [v for _, v in members[1:4]]
            yield name, obj, values, others

    @staticmethod
    def _owned_by(caller: Caller, obj: models.Model) -> bool | None:
        path = owner_agency_path(type(obj))
        if path is None:
            return None
        agency_id = obj.pk if path == "pk" else getattr(obj, f"{path}_id")
        return agency_id in caller.agency_ids

    def _reachable(
        self,
        op: Operation,
        model: type[models.Model],
        caller: Caller,
        obj: models.Model,
        url: str,
        where: str,
        result: MatrixResult,
        *,
        deep: bool,
        others: list[dict[str, object]],
    ) -> None:
        if not op.is_write:
            status = self.call(caller, op, url).status_code
            # A detail action may read a part some objects lack (a case plan opened without a
            # referral has no concern narrative: 404); then another of the class must be served.
            retry = status == 404 and op.action not in CRUD_ACTIONS
            for values in others if retry else []:
                status = self.call(caller, op, op.url(**values)).status_code
                if status != 404:
                    break
            result.check(status == 200, f"{where}: {status}")
            return
        response, before, after = self._write_and_compare(caller, op, url, model, obj.pk)
        result.check(
            response.status_code != 404 and response.status_code < 500,
            f"{where}: {response.status_code}",
        )
        if response.status_code >= 400:
            result.check(before == after, f"{where}: refused ({response.status_code}) but changed")
        if deep and op.method in {"put", "patch"}:
            serializer = self._serializer(op, caller, obj)
            if serializer is not None:
                probe = _UpdateProbe(self, op, model, caller, obj, url, where, result)
                probe.read_only_fields(serializer)
                probe.relations(serializer)

    def _serializer(
        self, op: Operation, caller: Caller, obj: models.Model | None = None
    ) -> serializers.Serializer | None:
        view = op.view(caller.user, **({"pk": obj.pk} if obj is not None else {}))
        view.action = op.action
        try:
            return view.get_serializer(obj) if obj is not None else view.get_serializer()
        except Exception:
            return None

    def _scoped_relations(
        self, serializer: serializers.Serializer
    ) -> list[tuple[str, type[models.Model], bool]]:
        """Writable relations whose target is case data or the owning agency."""
        found = []
        protected = case_data_models()
        for name, f in serializer.fields.items():
            if f.read_only:
                continue
            many = isinstance(f, serializers.ManyRelatedField)
            relation = f.child_relation if many else f
            if not isinstance(relation, serializers.RelatedField):
                continue
            target = (
                getattr(relation.get_queryset(), "model", None)
                if hasattr(relation, "get_queryset")
                else None
            )
            source = relation.source if not many else f.source
            if target in protected or (target is Agency and source == "agency"):
                found.append((name, target, many))
        return found

    def _hidden_target(self, caller: Caller, target: type[models.Model]) -> models.Model | None:
        if target is Agency:
            return Agency.objects.exclude(pk__in=caller.agency_ids).order_by("pk").first()
        from core.access import visible_to

        visible = visible_to(caller.user, target._default_manager.all())
        return target._default_manager.exclude(pk__in=visible.values("pk")).order_by("pk").first()

    def _relations_on_create(
        self, op: Operation, model: type[models.Model], caller: Caller, result: MatrixResult
    ) -> None:
        serializer = self._serializer(op, caller)
        if serializer is None:
            return
        body = _valid_looking_body(op)
        for name, target, many in self._scoped_relations(serializer):
            hidden = self._hidden_target(caller, target)
            if hidden is None:
                continue
            data = {**body, name: [str(hidden.pk)] if many else str(hidden.pk)}
            before = model._default_manager.count()
            with transaction.atomic():
                response = self.call(caller, op, op.url(), data, rollback=False)
                after = model._default_manager.count()
                transaction.set_rollback(True)
            result.check(
                response.status_code not in SUCCESS and after == before,
                f"{op.label} as {caller.name}: creating with {name} pointing at an unreachable "
                f"{target.__name__} answered {response.status_code}",
            )

    # -- collections ----------------------------------------------------------------------

    def _collection(
        self,
        op: Operation,
        model: type[models.Model],
        values: dict[str, object],
        result: MatrixResult,
        callers: Iterable[Caller] | None = None,
    ) -> None:
        everyone = self.world.callers_for(op.label)
        admitted = [c for c in everyone if self._expected_refusal(c, op) is None]
        for caller in callers if callers is not None else everyone:
            refusal = self._expected_refusal(caller, op)
            url = op.url(**values)
            if refusal is not None:
                response = self.call(caller, op, url)
                result.check(
                    response.status_code in refusal,
                    f"{op.label} as {caller.name}: {response.status_code}, expected {refusal}",
                )
                continue
            reach = may_reach(caller, op, model)
            allowed = {str(pk) for pk in reach.queryset.values_list("pk", flat=True)}
            # A directory is everyone's: one unfiltered page proves it answers. Elsewhere every
            # caller lists unfiltered, and each filter is tried by one of the admitted callers
            # in turn (a filter that bypasses visibility leaks to any of them).
            base, *filtered = _query_variants(op)
            turn = admitted.index(caller)
            variants = [base]
            if reach.basis != "directory":
                variants += filtered[turn :: len(admitted)]
            for query in variants:
                status, listed = self._listed_ids(caller, op, url, query)
                where = f"{op.label}{_qs(query)} as {caller.name}"
                if status != 200:
                    result.check(status < 500, f"{where}: server error {status}")
                    continue
                result.by_basis[reach.basis] += 1
                leaked = sorted(set(listed) - allowed)
                result.check(not leaked, f"{where}: lists {len(leaked)} unreachable ids")

    def _listed_ids(
        self, caller: Caller, op: Operation, url: str, query: dict[str, str]
    ) -> tuple[int, list[str]]:
        """The status of the first page and the ids of every listed object (all pages)."""
        ids: list[str] = []
        for page in range(1, 21):
            response = caller.client().get(url, {**query, "page_size": 100, "page": page})
            if response.status_code != 200:
                return (response.status_code, ids) if page == 1 else (200, ids)
            body = response.json()
            rows = body.get("results", []) if isinstance(body, dict) else body
            ids += [str(row["id"]) for row in rows if isinstance(row, dict) and "id" in row]
            if not isinstance(body, dict) or not body.get("next"):
                break
        return 200, ids

    def _nested_collection(
        self,
        op: Operation,
        model: type[models.Model],
        bound: list[tuple[models.Model, dict[str, object]]],
        result: MatrixResult,
    ) -> None:
        """Each caller lists under a parent holding objects they may reach, and under one
        holding none: neither page may name an object they may not reach."""
        for caller in self.world.callers_for(op.label):
            reachable = set(
                may_reach(caller, op, model)
                .queryset.filter(pk__in=[o.pk for o, _ in bound])
                .values_list("pk", flat=True)
            )
            open_parents = {tuple(sorted(v.items())) for o, v in bound if o.pk in reachable}
            closed = {tuple(sorted(v.items())) for _, v in bound} - open_parents
            for parents in (open_parents, closed):
                if parents:
                    parent = self.random.choice(sorted(parents))
                    self._collection(op, model, dict(parent), result, callers=[caller])


@dataclass(frozen=True)
class _UpdateProbe:
    """The probes an admitted PATCH/PUT gets on one object it may write."""

    engine: Engine
    op: Operation
    model: type[models.Model]
    caller: Caller
    obj: models.Model
    url: str
    where: str
    result: MatrixResult

    def _write(self, data: Any) -> tuple[Response, dict[str, Any] | None, dict[str, Any] | None]:
        return self.engine._write_and_compare(
            self.caller, self.op, self.url, self.model, self.obj.pk, data
        )

    def read_only_fields(self, serializer: serializers.Serializer) -> None:
        """PATCH/PUT every read-only field with another object's value: none may change."""
        other = self.model._default_manager.exclude(pk=self.obj.pk).order_by("?").first()
        read_only = {
            name: _donor_value(f, other)
            for name, f in serializer.fields.items()
            if f.read_only and not isinstance(f, serializers.HiddenField)
        }
        if not read_only:
            return
        _, _, base_after = self._write({})
        response, _, after = self._write(read_only)
        changed = sorted(
            k for k in (after or {}) if (base_after or {}).get(k) != (after or {}).get(k)
        )
        self.result.check(
            not changed and response.status_code < 500,
            f"{self.where}: writing read-only fields {sorted(read_only)} changed {changed} "
            f"({response.status_code})",
        )

    def relations(self, serializer: serializers.Serializer) -> None:
        """Point each scoped relation at an object the caller may not reach: refused, or
        accepted without effect."""
        for name, target, many in self.engine._scoped_relations(serializer):
            hidden = self.engine._hidden_target(self.caller, target)
            if hidden is None:
                continue
            value = [str(hidden.pk)] if many else str(hidden.pk)
            response, before, after = self._write({name: value})
            # Refused, or accepted without effect: either way the relation did not move.
            self.result.check(
                before == after and response.status_code < 500,
                f"{self.where}: pointing {name} at an unreachable {target.__name__} was accepted "
                f"({response.status_code})",
            )


def _query_variants(op: Operation) -> list[dict[str, str]]:
    """The required parameters alone, then with each documented enum value of each query
    parameter in turn (boxes, statuses, categories)."""
    base = {
        p["name"]: str(_example(_deref(p.get("schema", {})), p["name"]))
        for p in op.query_params
        if p.get("required")
    }
    variants: list[dict[str, str]] = [base]
    for param in op.query_params:
        schema = _deref(param.get("schema", {}))
        enum = schema.get("enum") or _deref(schema.get("items", {})).get("enum") or []
        variants += [{**base, param["name"]: str(v)} for v in enum[:3] if v not in (None, "")]
        if param["name"] in {"search", "q"}:
            variants.append({**base, param["name"]: "a"})
    return variants


def _qs(query: dict[str, str]) -> str:
    return "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""


def _donor_value(f: serializers.Field, other: models.Model | None) -> Any:
    """Another object's value of a read-only field, as the API would show it; a value of the
    right shape where there is none (no other object, or a value only the view can work out)."""
    if other is None:
        return _junk(f)
    try:
        return f.to_representation(f.get_attribute(other))
    except (AttributeError, KeyError, TypeError, ValueError, ObjectDoesNotExist, SkipField):
        return _junk(f)


def _junk(f: serializers.Field) -> Any:
    """A value of the right shape for a read-only field that has no donor value."""
    if isinstance(f, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        return 10**6
    if isinstance(f, serializers.BooleanField):
        return True
    if isinstance(f, serializers.DateTimeField):
        return "2001-01-01T00:00:00Z"
    if isinstance(f, serializers.ChoiceField):
        return next(iter(f.choices), "x")
    return "security-suite"


def _valid_looking_body(op: Operation) -> dict[str, Any]:
    """A request body with every required property filled from the request schema."""
    content = op.spec.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = _deref(content.get("schema", {}))
    body: dict[str, Any] = {}
    for name in schema.get("required", []):
        prop = _deref(schema.get("properties", {}).get(name, {}))
        body[name] = _example(prop, name)
    return body


def _deref(schema: dict[str, Any]) -> dict[str, Any]:
    from tests.security.catalogue import live_schema

    while "$ref" in schema:
        schema = live_schema()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _deref(schema["allOf"][0])
    return schema


def _example(prop: dict[str, Any], name: str) -> Any:
    if "enum" in prop:
        return next(v for v in prop["enum"] if v is not None)
    kind = prop.get("type")
    fmt = prop.get("format")
    if kind == "integer":
        return max(1, prop.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return {}
    if fmt == "email":
        return "security.suite@example.org"
    if fmt == "date":
        return datetime.date.today().isoformat()
    if fmt == "date-time":
        return datetime.datetime.now(datetime.UTC).isoformat()
    if fmt == "uuid":
        return str(uuid.uuid4())
    return f"suite-{name}-{uuid.uuid4().hex[:6]}"[: prop.get("maxLength", 40)]
