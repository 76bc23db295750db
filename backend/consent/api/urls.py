from django.urls import path
from rest_framework.routers import SimpleRouter

from consent.api import views

router = SimpleRouter()
router.register("consents", views.ConsentViewSet, basename="consent")
router.register("disclosures", views.DisclosureViewSet, basename="disclosure")
router.register("sharing-overrides", views.OverrideViewSet, basename="sharing-override")

urlpatterns = [
    path("lawful-bases/", views.LawfulBasisView.as_view(), name="lawful-bases"),
    *router.urls,
]
