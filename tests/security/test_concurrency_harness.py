"""The concurrency harness (tests/concurrency.py) proven on a tiny endpoint where exactly one
request can win: giving an agency its duty phone line once, guarded by a row lock and recorded
on the audit trail. (Not closing the agency: a request arriving after that would find its
caller's membership ended, a 403 rather than the conflict the race is about.)"""

import pytest
from django.db import connection, transaction
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Agency, Role
from audit.models import AuditAction, AuditEvent
from audit.services import record
from core.access import Scope, policy
from core.exceptions import Conflict
from tests.concurrency import RaceOutcome, assert_one_wins, check_one_winner
from tests.factories import member

DUTY_LINE = "0300 555 0100"


class SetDutyLine(APIView):
    access_policy = {"post": policy(Scope.OWN_AGENCY, roles=[Role.AGENCY_ADMIN])}

    def post(self, request: Request, pk: int) -> Response:
        with transaction.atomic():
            agency = Agency.objects.select_for_update().get(pk=pk)
            if agency.phone:
                raise Conflict()
            agency.phone = DUTY_LINE
            agency.save(update_fields=["phone"])
            record(AuditAction.UPDATE, request=request, obj=agency, details={"field": "phone"})
        return Response({"agency": agency.pk})


urlpatterns = [
    path("duty-line/<int:pk>/", SetDutyLine.as_view()),
]


@pytest.fixture
def admins(social_services, client_for):
    return [client_for(member(social_services, Role.AGENCY_ADMIN)) for _ in range(6)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.urls(__name__)
def test_exactly_one_of_six_simultaneous_requests_wins(social_services, admins):
    outcome = assert_one_wins(
        admins,
        "post",
        f"/duty-line/{social_services.pk}/",
        history=lambda: AuditEvent.objects.filter(
            action=AuditAction.UPDATE, object_id=str(social_services.pk)
        ).count(),
    )
    assert sorted(outcome.statuses) == [200, 409, 409, 409, 409, 409]
    social_services.refresh_from_db()
    assert social_services.phone == DUTY_LINE


@pytest.mark.parametrize(
    ("statuses", "errors", "history", "complaint"),
    [
        ([200, 200, 409], [], 1, "2 requests won"),
        ([200, 409, 500], [], 1, "server errors"),
        ([200, 409, 403], [], 1, "losers answered"),
        ([200, 409], [], 1, "never answered"),
        ([200, 409, 409], ["OperationalError"], 1, "raised"),
        ([200, 409, 409], [], 2, "2 history entries"),
    ],
)
def test_the_checker_refuses_every_other_outcome(statuses, errors, history, complaint):
    outcome = RaceOutcome(statuses=statuses, errors=errors)
    with pytest.raises(AssertionError, match=complaint):
        check_one_winner(outcome, 3, history=lambda: history)
    check_one_winner(RaceOutcome(statuses=[409, 200, 409]), 3, history=lambda: 1)
