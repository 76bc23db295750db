from django.urls import path
from rest_framework.routers import SimpleRouter

from pathways.api import views

router = SimpleRouter()
router.register("services", views.ServiceViewSet, basename="service")
router.register("pathways", views.PathwayViewSet, basename="pathway")

urlpatterns = [
    path("directory/export/", views.DirectoryExportView.as_view(), name="directory-export"),
    path("directory/import/", views.DirectoryImportView.as_view(), name="directory-import"),
    *router.urls,
]
