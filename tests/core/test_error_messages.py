"""Error responses never repeat what was submitted: a name typed into the wrong field, or an
object sent where an id is expected, must not come back in the error (core.exceptions)."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import exceptions, serializers

from agencies.models import Role
from core.exceptions import DESCRIBES_THE_FIELD, exception_handler, without_echo
from tests.factories import member
from tests.sharing_world import helpline, helpline_worker  # noqa: F401  (fixtures)

PERSONAL = "Jessica Canarywood"  # stands for personal data typed where it does not belong


def _all_subclasses(root: type) -> set[type]:
    found, pending = set(), [root]
    while pending:
        cls = pending.pop()
        found.add(cls)
        pending.extend(cls.__subclasses__())
    return found


def _drf_templates() -> list[tuple[str, str]]:
    return sorted(
        (code, str(template))
        for cls in _all_subclasses(serializers.Field)
        for code, template in vars(cls).get("default_error_messages", {}).items()
    )


def _django_templates() -> list[tuple[str, str]]:
    return sorted(
        (code, str(template))
        for cls in _all_subclasses(models.Field)
        for code, template in vars(cls).get("default_error_messages", {}).items()
    )


class _Submitted(dict):
    """Fills a message template: the submitted personal value wherever the template inserts
    something other than a description of the field (a limit, a format, a name)."""

    def __getitem__(self, key: str) -> str:
        return "7" if key in DESCRIBES_THE_FIELD else PERSONAL


@pytest.mark.parametrize(("code", "template"), _drf_templates())
def test_no_drf_field_message_repeats_the_submitted_value(code, template):
    message = exceptions.ErrorDetail(template.format_map(_Submitted()), code=code)
    response = exception_handler(exceptions.ValidationError({"field": [message]}), {})
    assert PERSONAL not in str(response.data)
    assert response.data["errors"]["field"][0].code == code


@pytest.mark.parametrize(("code", "template"), _django_templates())
def test_no_django_field_message_repeats_the_submitted_value(code, template):
    error = DjangoValidationError(template, code=code, params=_Submitted())
    response = exception_handler(DjangoValidationError({"field": [error]}), {})
    assert PERSONAL not in str(response.data)
    assert response.data["errors"]["field"][0].code == code


def test_messages_that_repeat_nothing_are_kept():
    kept = serializers.CharField(max_length=5).error_messages["max_length"].format(max_length=5)
    assert without_echo({"name": [exceptions.ErrorDetail(kept, code="max_length")]}) == {
        "name": [kept]
    }


def test_an_unsupported_media_type_is_not_repeated():
    response = exception_handler(exceptions.UnsupportedMediaType(f"text/{PERSONAL}"), {})
    assert response.status_code == 415
    assert PERSONAL not in str(response.data)


@pytest.mark.django_db
def test_an_unknown_agency_id_and_role_are_not_repeated(social_services, client_for):
    admin = member(social_services, Role.AGENCY_ADMIN)
    response = client_for(admin).post(
        "/api/v1/memberships/",
        {"agency": 987654321, "username": "new.worker", "role": PERSONAL},
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"agency", "role"}
    assert "987654321" not in response.content.decode()
    assert PERSONAL not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "child",
    [
        PERSONAL,  # a name where the child's id belongs
        {"name": PERSONAL, "date_of_birth": "2013-04-02"},  # an object where an id belongs
        [PERSONAL],
        "0b5c7c4e-1f0a-4c55-9a2e-3d1c2b3a4f50",  # a well-formed id of no child
    ],
    ids=["text", "object", "list", "unknown-id"],
)
def test_a_child_given_wrongly_is_not_repeated(helpline_worker, client_for, child):
    response = client_for(helpline_worker).post(
        "/api/v1/referrals/",
        {"child": child, "urgency": PERSONAL, "need_categories": [PERSONAL], "concern": "x"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert {"child", "urgency", "need_categories"} <= set(response.json()["errors"])
    assert PERSONAL not in body
    assert "0b5c7c4e" not in body
