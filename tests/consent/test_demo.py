"""Demo children and consents: every consent state, idempotent, and minimised as designed."""

import pytest
from django.contrib.auth import get_user_model

from agencies import demo as agencies_demo
from children import demo as children_demo
from children.models import Child, DuplicateCheck
from consent import demo as consent_demo
from consent import services
from consent.models import ConsentRecord, Disclosure
from core import access

pytestmark = pytest.mark.django_db


def _seed() -> None:
    for module in (agencies_demo, children_demo, consent_demo):
        module.seed(lambda _message: None)


def test_demo_children_and_consents_in_every_state_idempotently():
    _seed()
    counts = (Child.objects.count(), ConsentRecord.objects.count(), Disclosure.objects.count())
    _seed()
    assert (
        Child.objects.count(),
        ConsentRecord.objects.count(),
        Disclosure.objects.count(),
    ) == counts
    assert set(ConsentRecord.objects.values_list("status", flat=True)) == {
        "active",
        "refused",
        "withdrawn",
        "expired",
    }
    assert Child.objects.filter(is_anonymous=True).count() == 2
    assert set(Disclosure.objects.values_list("basis", flat=True)) == {"consent", "override"}
    assert DuplicateCheck.objects.count() == 1


def test_demo_police_see_what_was_disclosed_to_them():
    _seed()
    police = get_user_model().objects.get(username="police.north")
    visible = access.visible_to(police, Child.objects.all())
    amira, leo, maya = (children_demo.demo_child(k) for k in ("amira", "leo", "maya"))
    assert set(visible) == {amira, maya}
    assert services.categories_disclosed_to(police, amira) == {"identity", "contact"}
    assert services.categories_disclosed_to(police, maya) == {"identity", "disclosure_narrative"}
    health = get_user_model().objects.get(username="health.north")
    assert not access.can(health, "children.view_child", leo), "Leo's consent was withdrawn"
