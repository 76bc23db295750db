from rest_framework.routers import SimpleRouter

from referrals.api.views import ReferralViewSet

router = SimpleRouter()
router.register("referrals", ReferralViewSet, basename="referral")

urlpatterns = router.urls
