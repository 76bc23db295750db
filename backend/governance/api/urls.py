from django.urls import path
from rest_framework.routers import SimpleRouter

from governance.api import views

router = SimpleRouter()
router.register("break-glass", views.BreakGlassViewSet, basename="break-glass")
router.register("legal-holds", views.LegalHoldViewSet, basename="legal-hold")

urlpatterns = [
    path(
        "children/<uuid:pk>/break-glass/",
        views.ChildBreakGlassView.as_view(),
        name="child-break-glass",
    ),
    *router.urls,
]
