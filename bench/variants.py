"""Bench-only variants of production endpoints, mounted only by ``bench.urls``.

* :class:`AgencyFilteredReferralViewSet` is the referral list with visibility decided by the
  referral's agency foreign keys instead of object permissions: the baseline the real inbox
  is compared with. It is not a safe substitute (a share that ended still leaves the
  referral in the receiving agency's foreign key), which is why production does not do it.
* :class:`PingView` is the cheapest signed-in API call: session, middleware, DRF and JSON,
  no query of its own. It shows how much of a request is the stack itself.
"""

from typing import Any

from django.db.models import Q, QuerySet
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.selectors import agencies_of
from core.access import Scope, policy
from referrals.api.views import ReferralViewSet
from referrals.models import Referral, ReferralStatus
from referrals.selectors import Box


class AgencyFilteredReferralViewSet(ReferralViewSet):
    def visible_queryset(self, queryset: QuerySet[Referral]) -> QuerySet[Referral]:
        if self.request.query_params.get("box") == Box.INCOMING:
            # The incoming box (to one of my agencies, not a draft) is the agency-FK rule
            # itself: an OR with the outgoing side would only hide the index from the planner.
            return queryset
        mine = [agency.pk for agency in agencies_of(self.request.user)]
        return queryset.filter(
            Q(from_agency__in=mine) | Q(to_agency__in=mine) & ~Q(status=ReferralStatus.DRAFT)
        )


class PingView(APIView):
    access_policy = {"get": policy(Scope.STAFF, summary="Any signed-in staff member")}

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response({"ok": True})
