from django.urls import path

from audit.api import views

urlpatterns = [
    path("audit/", views.AuditEventListView.as_view(), name="audit-list"),
    path("audit/verify/", views.AuditVerifyView.as_view(), name="audit-verify"),
]
