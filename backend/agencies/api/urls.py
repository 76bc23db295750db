from django.urls import path
from rest_framework.routers import SimpleRouter

from agencies.api import auth, views

router = SimpleRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("memberships", views.MembershipViewSet, basename="membership")

urlpatterns = [
    path("auth/csrf/", auth.CsrfView.as_view(), name="auth-csrf"),
    path("auth/login/", auth.LoginView.as_view(), name="auth-login"),
    path("auth/logout/", auth.LogoutView.as_view(), name="auth-logout"),
    path("auth/me/", auth.MeView.as_view(), name="auth-me"),
    path("auth/active-agency/", auth.ActiveAgencyView.as_view(), name="auth-active-agency"),
    *router.urls,
]
