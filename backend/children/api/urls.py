from rest_framework.routers import SimpleRouter

from children.api import views

router = SimpleRouter()
router.register("children", views.ChildViewSet, basename="child")
router.register("duplicate-checks", views.DuplicateCheckViewSet, basename="duplicate-check")

urlpatterns = router.urls
