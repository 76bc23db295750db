"""seed_demo fills both regions' directories with services and published pathways, once."""

import pytest
from django.core.management import call_command

from pathways.models import Pathway, Service
from pathways.vocabulary import PathwayStatus

pytestmark = pytest.mark.django_db


def counts():
    return (
        Service.objects.count(),
        Pathway.objects.count(),
        Pathway.objects.filter(steps__isnull=False).distinct().count(),
    )


def test_seed_demo_adds_services_and_pathways_idempotently(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", "--quiet")
    first = counts()
    call_command("seed_demo", "--quiet")

    assert counts() == first
    for region in ("north", "south"):
        services = Service.objects.filter(agency__region__code=region)
        assert services.count() == 15
        assert set(services.values_list("agency__kind", flat=True)) == {
            "police",
            "social_services",
            "health",
            "ngo",
            "helpline",
        }
        published = Pathway.objects.filter(
            agency__region__code=region, status=PathwayStatus.PUBLISHED
        )
        assert published.filter(name="Online sexual exploitation — immediate risk").exists()
        assert published.filter(name="Disclosure of abuse — within 24h").exists()
        for pathway in published:
            positions = list(pathway.steps.values_list("position", flat=True))
            assert positions
            assert positions == list(range(1, len(positions) + 1))
    assert Service.objects.filter(intake_status="closed").count() == 1
