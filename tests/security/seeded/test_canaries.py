"""Field-level disclosure: a planted value reaches only callers allowed to know it (issue 10,
point 3), and canary discovery itself cannot silently find nothing.

Every GET operation of the live schema is called as the anonymous caller and a demo user of
each role, on objects that carry canaries (for each caller, one whose every canary is theirs to
know, one with a category not disclosed to them, one they may not see); each canary found in a
response body must belong to an object the caller may see and, for categorised fields, to a
category disclosed to them.
"""

from collections import Counter, defaultdict

import pytest
from django.apps import apps
from django.db import models, transaction
from django.test.utils import isolate_apps

from agencies.models import Role
from core.access import Scope
from tests.security.canaries import (
    PER_FIELD,
    category_mapping,
    encrypted_field_classes,
    encrypted_fields,
    may_know,
    plant_everywhere,
)
from tests.security.catalogue import operations
from tests.security.matrix import bind
from tests.security.plugin import REPORT, leaks_in

pytestmark = pytest.mark.django_db

READS = [op for op in operations() if op.method == "get"]
SEEN: Counter[str] = Counter()


@pytest.fixture(scope="module")
def planting(world, django_db_blocker):
    """Canaries in the shared world for this module only: rolled back when it ends."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield plant_everywhere()
        transaction.set_rollback(True)


def test_discovery_finds_every_encrypted_field():
    by_name = {
        f"{f.model._meta.label}.{f.name}"
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if type(f).__name__.startswith("Encrypted")
    }
    found = {f"{f.model._meta.label}.{f.name}" for f in encrypted_fields()}
    assert by_name <= found, f"encrypted fields the discovery misses: {sorted(by_name - found)}"


@isolate_apps("core")
def test_discovery_reads_encrypted_fields_and_category_declarations():
    classes = encrypted_field_classes()
    assert classes, "core.fields.EncryptedField is where encrypted fields come from"
    from core.fields import EncryptedTextField

    class Record(models.Model):  # noqa: DJ008
        FIELDS_BY_CATEGORY = {"identity": ("name",), "health": ("diagnosis",)}
        name = EncryptedTextField(blank=True)
        diagnosis = models.TextField(blank=True)
        note = models.TextField(blank=True)

        class Meta:
            app_label = "core"

    assert [f.name for f in encrypted_fields([Record])] == ["name"]
    assert category_mapping(Record) == {"name": "identity", "diagnosis": "health"}


def test_canaries_are_planted_in_every_field_that_has_data(planting):
    REPORT.count(
        "canaries",
        fields=len(planting.fields),
        planted=len(planting.canaries),
        fields_without_demo_rows=len(planting.unexercised),
        date_fields_not_plantable=len(planting.unplantable),
    )
    if encrypted_fields():
        assert planting.canaries, "encrypted fields exist but no canary was planted"
    planted_fields = {f"{c.model._meta.label}.{c.field}" for c in planting.canaries}
    assert set(planting.fields) - set(planting.unexercised) <= planted_fields
    per_field = Counter(f"{c.model._meta.label}.{c.field}" for c in planting.canaries)
    assert all(n <= PER_FIELD for n in per_field.values())


KNOWS: dict[tuple[str, str, bool], bool] = {}


def _knows(caller, canary, oversight):
    """``may_know``, worked out once per caller and canary for the whole module."""
    key = (caller.name, canary.value, oversight)
    if key not in KNOWS:
        KNOWS[key] = may_know(caller, canary, oversight)
    return KNOWS[key]


def _urls(op, planting, caller, oversight):
    """The operation's URL; for one that names an object, one carrier of each kind for this
    caller: all of its canaries theirs to know, some (a category not disclosed to them), none
    (an object they may not see)."""
    if not op.path_params:
        return [op.url()]
    model = op.model(caller.user)
    if model is None:
        return []
    by_pk = defaultdict(list)
    for canary in planting.canaries:
        if canary.model is model:
            by_pk[canary.pk].append(canary)
    kinds = {}
    for pk in sorted(by_pk, key=str):
        known = [_knows(caller, c, oversight) for c in by_pk[pk]]
        kinds.setdefault("all" if all(known) else "some" if any(known) else "none", pk)
    urls = []
    for obj in model._default_manager.filter(pk__in=kinds.values()):
        values = bind(op, obj)
        if values is not None:
            urls.append(op.url(**values))
    return urls


@pytest.mark.parametrize("operation", READS, ids=[op.label for op in READS])
def test_no_planted_value_reaches_a_caller_who_may_not_know_it(world, planting, operation):
    by_value = {c.value: c for c in planting.canaries}
    policy = operation.policy
    leaks = []
    responses = 0
    for caller in world.callers_for(operation.label):
        oversight = policy is not None and Scope.DPO in policy.scopes and Role.DPO in caller.roles
        for url in _urls(operation, planting, caller, oversight):
            query = {"page_size": 100} if operation.is_collection_read else None
            response = caller.client().get(url, query)
            responses += 1
            text = response.content.decode("utf-8", errors="replace")
            for value in set(v for v in by_value if v in text):
                canary = by_value[value]
                if _knows(caller, canary, oversight):
                    SEEN[caller.name] += 1
                else:
                    leaks.append(f"{operation.label} as {caller.name} reveals {canary.where}")
            assert not leaks_in(response.get("WWW-Authenticate", ""))
    REPORT.count("canaries", responses_scanned=responses, leaks_in_responses=len(leaks))
    assert not leaks, "\n".join(sorted(set(leaks))[:40])


def test_the_scan_saw_canaries_where_they_are_allowed(planting):
    """Guards against a scan that passes because it never looked at the right responses."""
    if not planting.canaries:
        pytest.skip("no canaries planted: no encrypted or categorised field has demo data")
    if not SEEN:
        pytest.skip("run together with the response scan above")
    REPORT.count("canaries", shown_to_allowed_callers=sum(SEEN.values()))
    assert sum(SEEN.values()) > 0
