from rest_framework.routers import SimpleRouter

from caseplans.api import views

PLAN = r"case-plans/(?P<plan_pk>[0-9a-fA-F-]{32,36})"

router = SimpleRouter()
router.register("case-plans", views.CasePlanViewSet, basename="caseplan")
router.register(f"{PLAN}/team", views.TeamViewSet, basename="caseplan-team")
router.register(f"{PLAN}/actions", views.ActionViewSet, basename="caseplan-action")
router.register(
    f"{PLAN}/risk-assessments", views.RiskAssessmentViewSet, basename="caseplan-risk-assessment"
)
router.register(f"{PLAN}/reviews", views.ReviewViewSet, basename="caseplan-review")

urlpatterns = router.urls
