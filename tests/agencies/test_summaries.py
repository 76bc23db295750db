"""The summaries shown in every list row are built directly (agencies.api.serializers), from
an agency or from the columns a list selects: they must give exactly what DRF's field-by-field
path gives for the fields they declare, which is also what the schema says."""

import pytest

from agencies.api.serializers import (
    AgencySummarySerializer,
    RegionSerializer,
    summary_columns,
    summary_of_row,
)
from pathways.vocabulary import NeedCategory
from referrals.api.serializers import ServiceRefSerializer
from tests.factories import AgencyFactory
from tests.pathways.conftest import make_service
from tests.representation import field_by_field

pytestmark = pytest.mark.django_db


def test_summaries_show_what_their_fields_declare():
    agency = AgencyFactory(kind="police")
    service = make_service(
        agency, "Online child exploitation team", [NeedCategory.POLICE_INVESTIGATION]
    )
    for serializer, instance in [
        (RegionSerializer(), agency.region),
        (AgencySummarySerializer(), agency),
        (ServiceRefSerializer(), service),
    ]:
        direct = serializer.to_representation(instance)
        assert direct == field_by_field(serializer, instance)
        assert list(direct) == [field.field_name for field in serializer._readable_fields]


def test_summaries_read_from_the_database_match_too():
    agency = AgencyFactory(kind="health")
    loaded = type(agency).objects.select_related("region").get(pk=agency.pk)
    serializer = AgencySummarySerializer()
    assert serializer.to_representation(loaded) == field_by_field(serializer, loaded)
    assert serializer.to_representation(loaded)["kind"] == "health"


def test_a_summary_from_the_columns_a_list_selects_matches_too():
    agency = AgencyFactory(kind="ngo")
    service = make_service(agency, "Family support", [NeedCategory.POLICE_INVESTIGATION])
    row = type(service).objects.values(*summary_columns("agency")).get(pk=service.pk)
    serializer = AgencySummarySerializer()
    assert summary_of_row(row, "agency") == field_by_field(serializer, agency)
