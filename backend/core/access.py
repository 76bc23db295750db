"""Object-level access: the one mechanism deciding who sees and acts on case data.

Three parts, used together by every protected endpoint:

* **Grants.** Object permissions live in django-guardian's direct foreign-key tables
  (:func:`permission_models` builds them for a model). Only domain services grant or revoke,
  through :func:`grant` and :func:`revoke`, to an agency (its group) or to one person.
  Global model permissions are never consulted (``accept_global_perms=False``), so nobody
  "sees every object" by holding a model permission.
* **Visibility.** :func:`visible_to` narrows a queryset to the objects a person may see.
  :class:`ProtectedViewSetMixin` applies it to every lookup, so an object the caller may not
  see answers 404, exactly like one that does not exist. Besides grants, an app may make
  objects visible for a time by a rule of its own (:func:`add_visibility_source`: break-glass
  access), checked on every lookup, so the access ends at its instant without any clean-up.
* **Declared policies.** Each endpoint declares, per action, which roles may call it and
  whose objects it reaches (:class:`Policy`). :class:`DeclaredAccess` refuses any action
  without a declaration (deny by default) and any caller without one of the roles (403).
  The security suite reads these declarations to check every operation in the schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from guardian.shortcuts import get_objects_for_user, remove_perm
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model
from rest_framework.permissions import BasePermission

from agencies.models import Agency, Role
from agencies.selectors import active_memberships

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

    from core.pagination import Rows

User = AbstractBaseUser | AnonymousUser


class Scope(StrEnum):
    """Whose objects an operation reaches."""

    PUBLIC = "public"  # anyone, signed in or not: only sign-in and its CSRF token
    STAFF = "staff"  # any signed-in staff member: the directory, their own profile
    OWN_AGENCY = "own_agency"  # the caller's own agency's records
    SHARED = "shared"  # objects granted to the caller's agency or to the caller (sent/received)
    CASE_TEAM = "case_team"  # the case plans whose team the caller is on
    DPO = "dpo"  # the data protection officer's oversight
    SELF = "self"  # the caller's own items, such as notifications
    # Any record by its id, outside the caller's normal access: break-glass, only with a
    # recorded reason, for a limited time, reviewed by a DPO.
    EMERGENCY = "emergency"


ANY_ROLE: frozenset[str] = frozenset(Role.values)


@dataclass(frozen=True)
class Policy:
    """Who may call one operation: holders of ``roles``, on objects within ``scopes``."""

    scopes: tuple[Scope, ...]
    roles: frozenset[str] = ANY_ROLE
    summary: str = ""

    def admits(self, user: User) -> bool:
        return any(m.role in self.roles for m in active_memberships(user))


def policy(*scopes: Scope, roles: Iterable[str] | None = None, summary: str = "") -> Policy:
    return Policy(
        scopes=scopes, roles=frozenset(roles) if roles is not None else ANY_ROLE, summary=summary
    )


# --- grants -----------------------------------------------------------------------------


def permission_models(
    model_path: str, model_name: str
) -> tuple[type[UserObjectPermissionBase], type[GroupObjectPermissionBase]]:
    """Guardian's direct foreign-key permission tables for one model (fast joins, real FKs).

    Call it at module level in the model's ``models.py`` and bind both results to names,
    e.g. ``ReferralUserPermission, ReferralGroupPermission = permission_models(...)``.
    """
    app_label = model_path.split(".")[0]
    classes = []
    for base, suffix in ((UserObjectPermissionBase, "User"), (GroupObjectPermissionBase, "Group")):
        name = f"{model_name}{suffix}ObjectPermission"
        meta = type("Meta", (base.Meta,), {"app_label": app_label, "abstract": False})
        attrs = {
            "__module__": f"{app_label}.models",
            "Meta": meta,
            "content_object": models.ForeignKey(model_path, on_delete=models.CASCADE),
        }
        classes.append(type(name, (base,), attrs))
    return classes[0], classes[1]


def _holder(to: Agency | Group | AbstractBaseUser) -> Group | AbstractBaseUser:
    return to.group if isinstance(to, Agency) else to


Holder = Agency | Group | AbstractBaseUser


def grant(perms: Iterable[str], to: Holder, obj: models.Model) -> None:
    """Give an agency (its group), a group or a person these object permissions on ``obj``.

    ``perms`` are codenames such as ``"view_referral"``. Granting twice is harmless.
    """
    grant_all([(perms, to, obj)])


def grant_all(grants: Iterable[tuple[Iterable[str], Holder, models.Model]]) -> None:
    """Make several :func:`grant` s at once: one query finds the permissions, one insert per
    grant table writes them (what a share does: the child, the subject and the log entry)."""
    wanted = [(perm.rsplit(".", 1)[-1], to, obj) for perms, to, obj in grants for perm in perms]
    if not wanted:
        return
    content_types = ContentType.objects.get_for_models(*{type(obj) for _, _, obj in wanted})
    lookup = Q()
    for codename, _, obj in wanted:
        lookup |= Q(codename=codename, content_type=content_types[type(obj)])
    permission_ids = {
        (content_type_id, codename): pk
        for pk, content_type_id, codename in Permission.objects.filter(lookup).values_list(
            "pk", "content_type_id", "codename"
        )
    }
    rows: dict[type[models.Model], list[models.Model]] = {}
    for codename, to, obj in wanted:
        key = (content_types[type(obj)].pk, codename)
        if key not in permission_ids:
            raise Permission.DoesNotExist(f"No permission {codename} on {obj._meta.label}.")
        if isinstance(to, Agency | Group):
            model = get_group_obj_perms_model(obj)
            group_id = to.group_id if isinstance(to, Agency) else to.pk
            row = model(permission_id=permission_ids[key], group_id=group_id, content_object=obj)
        else:
            model = get_user_obj_perms_model(obj)
            row = model(permission_id=permission_ids[key], user_id=to.pk, content_object=obj)
        rows.setdefault(model, []).append(row)
    for model, batch in rows.items():
        # The tables are unique on (holder, permission, object): an existing grant stays.
        model.objects.bulk_create(batch, ignore_conflicts=True)


def revoke(perms: Iterable[str], frm: Agency | Group | AbstractBaseUser, obj: models.Model) -> None:
    """Take these object permissions on ``obj`` away from an agency, group or person."""
    holder = _holder(frm)
    for perm in perms:
        remove_perm(perm, holder, obj)


def view_perm(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.view_{model._meta.model_name}"


# A visibility source answers, for a person and a permission (``app.codename``), the primary
# keys it makes reachable (a queryset of them, or None for none).
VisibilitySource = Callable[[AbstractBaseUser, str], QuerySet | None]
_visibility_sources: dict[str, list[VisibilitySource]] = {}


def add_visibility_source(model_label: str, source: VisibilitySource) -> None:
    """Make objects of ``model_label`` (``app.model``) visible by ``source`` as well as by
    grants. Call it from the app's ``ready()``; adding the same source twice is harmless."""
    sources = _visibility_sources.setdefault(model_label.lower(), [])
    if source not in sources:
        sources.append(source)


def visible_to(
    user: User, queryset: QuerySet, perm: str | None = None, *, grants_only: bool = False
) -> QuerySet:
    """The part of ``queryset`` that ``user`` may see through object permissions (and any
    visibility source of its model, unless ``grants_only``: what a person may pass on to
    others rests on grants alone, never on emergency access).

    Superusers get no special treatment and global permissions are ignored: access to case
    data is only ever through a grant on the object, or a time-limited source.
    """
    if not active_memberships(user):
        return queryset.none()
    perm = perm or view_perm(queryset.model)
    visible = _granted(user, queryset, perm)
    sources = () if grants_only else _visibility_sources.get(queryset.model._meta.label_lower, ())
    for source in sources:
        extra = source(user, perm)
        if extra is not None:
            visible = visible | queryset.filter(pk__in=extra)
    return visible


def _granted(user: User, queryset: QuerySet, perm: str) -> QuerySet:
    """``queryset`` narrowed to what ``user`` holds ``perm`` on, through one of their groups or
    personally: guardian's rule, in a query shape the database plans well.

    Guardian's ``get_objects_for_user`` filters by ``pk IN (grants) OR pk IN (grants)`` with
    the queryset nested again inside each; PostgreSQL then reads every grant of the group and
    fetches each object back by primary key, whatever page is asked for (seconds for a large
    inbox). Here a grant is an EXISTS on the direct foreign-key table with the group ids and
    the permission id known in advance, a semi-join the database runs either way round:
    probing the grant's unique index (group, permission, object) for each row of an ordered
    page, or joining all the group's grants for a count. The personal branch is added only
    for someone who holds a personal grant of that permission, because an OR of two EXISTS
    cannot be planned as a join.
    """
    model = queryset.model
    user_grants = get_user_obj_perms_model(model)
    group_grants = get_group_obj_perms_model(model)
    app_label, _, codename = perm.rpartition(".")
    if (
        user_grants.objects.is_generic()
        or group_grants.objects.is_generic()
        or app_label not in ("", model._meta.app_label)
    ):
        return get_objects_for_user(
            user, perm, klass=queryset, with_superuser=False, accept_global_perms=False
        )
    permission_id = (
        Permission.objects.order_by()
        .filter(content_type=ContentType.objects.get_for_model(model), codename=codename)
        .values("pk")
    )
    # One look-up: the permission's id, whether the user holds it personally on anything, and
    # their groups, a row each (one row, with no group, for someone in none).
    found = list(
        get_user_model()
        ._default_manager.filter(pk=user.pk)
        .annotate(
            permission=Subquery(permission_id),
            personal=Exists(
                user_grants.objects.filter(user=OuterRef("pk"), permission=OuterRef("permission"))
            ),
        )
        .values_list("permission", "personal", "groups")
    )
    if not found or found[0][0] is None:
        return queryset.none()
    permission, personal, _ = found[0]
    groups = [group for *_, group in found if group is not None]
    held = Q(
        Exists(
            group_grants.objects.filter(
                group__in=groups, permission=permission, content_object=OuterRef("pk")
            )
        )
    )
    if personal:
        held |= Q(
            Exists(
                user_grants.objects.filter(
                    user=user, permission=permission, content_object=OuterRef("pk")
                )
            )
        )
    return queryset.filter(held)


def can(user: User, perm: str, obj: models.Model, *, grants_only: bool = False) -> bool:
    """Whether ``user`` holds object permission ``perm`` (``app.codename``) on ``obj``."""
    if not active_memberships(user):
        return False
    objects = type(obj)._default_manager.filter(pk=obj.pk)
    return visible_to(user, objects, perm, grants_only=grants_only).exists()


# --- the API side ----------------------------------------------------------------------


PUBLIC = Policy(scopes=(Scope.PUBLIC,), roles=frozenset(), summary="Open to anyone")


class DeclaredAccess(BasePermission):
    """The default for every endpoint: deny unless the view declares a policy for this
    operation and the caller holds one of its roles in an active membership."""

    message = "Your role does not allow this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        declared = declared_policy(view, request)
        if declared is None:
            return False
        if declared is PUBLIC or declared.admits(request.user):
            return True
        if active_memberships(request.user) and _names_an_object(view):
            # Refuse as the object's absence first: an object the caller may not see is a
            # 404 whatever their role, exactly like one that does not exist.
            view._probing_access = True  # type: ignore[attr-defined]
            view.get_object()  # type: ignore[attr-defined]
        return False


def _names_an_object(view: APIView) -> bool:
    lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", None)
    return hasattr(view, "get_object") and lookup in (getattr(view, "kwargs", None) or {})


def declared_policy(view: APIView, request: Request) -> Policy | None:
    """The policy a view declares for the operation being called, or None (deny)."""
    policies: dict[str, Policy] = getattr(view, "access_policy", {})
    action = getattr(view, "action", None) or request.method.lower()
    if action == "metadata":
        return None
    return policies.get(action) or policies.get(request.method.lower())


class ProtectedViewSetMixin:
    """For viewsets over case data: visibility by object permission, auditing of reads.

    Subclasses declare ``access_policy`` (action name → :class:`Policy`). Every queryset
    the view uses goes through :meth:`visible_queryset`, so an invisible object is a 404.
    Retrieves and list pages are written to the audit trail with the ids returned.
    """

    access_policy: ClassVar[dict[str, Policy]] = {}
    permission_classes: ClassVar[list[type[BasePermission]]] = [DeclaredAccess]
    # Object permission (``app.codename``) that makes an object visible; default ``view_<model>``.
    visibility_perm: ClassVar[str | None] = None
    audit_reads: ClassVar[bool] = True
    # Set while DeclaredAccess checks visibility before refusing a role: not a real read.
    _probing_access: bool = False
    request: Request
    action: str | None
    kwargs: dict[str, Any]
    lookup_field: str
    lookup_url_kwarg: str | None

    def visible_queryset(self, queryset: QuerySet) -> QuerySet:
        return visible_to(self.request.user, queryset, self.visibility_perm)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return super().filter_queryset(self.visible_queryset(queryset))  # type: ignore[misc]

    def get_object(self) -> models.Model:
        try:
            obj = super().get_object()  # type: ignore[misc]
        except Http404:
            self._audit_hidden_lookup()
            raise
        if self.audit_reads and self.action == "retrieve" and not self._probing_access:
            _audit("view", self.request, obj=obj)
        return obj

    def paginate_queryset(self, queryset: QuerySet | Rows) -> list[Any] | None:
        page = super().paginate_queryset(queryset)  # type: ignore[misc]
        if self.audit_reads and page is not None:
            model = queryset.model
            _audit(
                "list",
                self.request,
                object_type=model._meta.label_lower,
                details={"ids": [str(_pk(item, model)) for item in page]},
            )
        return page

    def _audit_hidden_lookup(self) -> None:
        """A lookup of an object that exists but is not visible is a denial worth recording."""
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        model = self.get_queryset().model  # type: ignore[attr-defined]
        try:
            exists = model._default_manager.filter(**{self.lookup_field: lookup}).exists()
        except (ValueError, ValidationError):  # a malformed id is a plain 404
            return
        if exists:
            _audit(
                "denied",
                self.request,
                object_type=model._meta.label_lower,
                object_id=str(lookup),
                details={"reason": "not_visible", "action": self.action or ""},
            )


def _pk(item: models.Model | Mapping[str, Any], model: type[models.Model]) -> Any:
    """The primary key of a page's item: an object, or a row of the columns a list selects
    (``QuerySet.values``, which must include the primary key)."""
    return item[model._meta.pk.name] if isinstance(item, Mapping) else item.pk


def _audit(action: str, request: Request, **kwargs: Any) -> None:
    from audit.services import record  # audit imports core; import late to avoid a cycle

    record(action, actor=request.user, request=request, **kwargs)
