"""Id filters in query strings are read strictly (core.query): "²" passes ``str.isdigit`` but
not ``int`` (a server error), a string of 5,000 digits exceeds ``int``'s limit (another), and
other scripts' digits were read as numbers. Each is now a 400 naming the parameter."""

import pytest
from django.http import QueryDict
from rest_framework.exceptions import ValidationError

from core.query import LARGEST_ID, whole_number
from tests.referrals.conftest import (  # noqa: F401  (fixtures)
    child,
    consent_to_police,
    health,
    helpline,
    helpline_worker,
    investigation,
    make_referral,
    medical,
    officer,
    police,
)

NOT_IDS = ["²", "\u0661", "1.0", "-1", " 1", "1e3", "0x1", "9" * 5000, str(LARGEST_ID + 1)]

pytestmark = pytest.mark.django_db


def _params(**values: str) -> QueryDict:
    params = QueryDict(mutable=True)
    params.update(values)
    return params


@pytest.mark.parametrize("value", NOT_IDS)
def test_anything_but_a_plain_whole_number_is_refused(value):
    with pytest.raises(ValidationError) as refused:
        whole_number(_params(agency=value), "agency")
    assert refused.value.detail == {"agency": [f"Give a whole number from 0 to {LARGEST_ID}."]}


def test_a_whole_number_is_read_and_absence_is_none():
    assert whole_number(QueryDict("agency=42"), "agency") == 42
    assert whole_number(QueryDict("agency=" + str(LARGEST_ID)), "agency") == LARGEST_ID
    assert whole_number(QueryDict("agency="), "agency") is None
    assert whole_number(QueryDict(""), "agency") is None
    with pytest.raises(ValidationError):
        whole_number(QueryDict("limit=101"), "limit", maximum=100)


@pytest.mark.parametrize("value", NOT_IDS)
def test_the_referral_service_filter_refuses_what_is_not_an_id(officer, client_for, value):
    response = client_for(officer).get("/api/v1/referrals/", {"service": value})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"service"}


def test_the_referral_service_filter_filters(
    make_referral, investigation, medical, officer, client_for
):
    to_police = make_referral("sent")
    client = client_for(officer)
    listed = client.get("/api/v1/referrals/", {"service": investigation.pk}).json()["results"]
    assert [row["id"] for row in listed] == [str(to_police.pk)]
    assert client.get("/api/v1/referrals/", {"service": medical.pk}).json()["results"] == []
