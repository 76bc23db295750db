"""The platform's URLconf with the bench-only variants in front (``bench.settings``)."""

from django.urls import path

from bench.variants import AgencyFilteredReferralViewSet, PingView
from config.urls import urlpatterns as platform

urlpatterns = [
    path(
        "bench/agency-fk/referrals/",
        AgencyFilteredReferralViewSet.as_view({"get": "list"}),
        name="bench-agency-fk-referrals",
    ),
    path("bench/ping/", PingView.as_view(), name="bench-ping"),
    *platform,
]
