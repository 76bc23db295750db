"""Factories for the shared world every test builds on: regions, agencies and staff."""

import factory
from django.contrib.auth import get_user_model

from agencies import services
from agencies.models import Agency, AgencyKind, Membership, Region, Role

User = get_user_model()

TEST_PASSWORD = "correct horse battery staple"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"region-{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.SOCIAL_SERVICES
    region = factory.SubFactory(RegionFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    password = factory.django.Password(TEST_PASSWORD)


def member(agency: Agency, role: Role = Role.SOCIAL_WORKER, **user_fields: object) -> User:
    """A new person holding ``role`` in ``agency``."""
    user = UserFactory(**user_fields)
    services.add_membership(agency=agency, user=user, role=role, by=None)
    return user


def membership_of(user: User, agency: Agency) -> Membership:
    return Membership.objects.get(user=user, agency=agency)


def child_record(agency: Agency, by: User | None = None, **details: object) -> object:
    """A child recorded by ``agency`` (anonymous unless ``details`` are given)."""
    from children.services import record_child

    actor = by or member(agency, Role.HELPLINE_WORKER)
    child, _ = record_child(actor=actor, agency=agency, **details)
    return child


def consent_given(child: object, by: User, agency: Agency, **scope: object) -> object:
    """An active consent given by a parent for ``child``; ``scope`` overrides the defaults
    (recipient_kinds police, categories identity, purposes investigation)."""
    from consent.services import record_consent

    defaults = {
        "given_by": "parent_carer",
        "given_by_relationship": "mother",
        "decision": "active",
        "recipient_kinds": ["police"],
        "categories": ["identity"],
        "purposes": ["investigation"],
    }
    return record_consent(child=child, actor=by, agency=agency, **{**defaults, **scope})
