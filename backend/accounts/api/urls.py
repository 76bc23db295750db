from django.urls import path

from accounts.api import views

urlpatterns = [
    path("auth/mfa/", views.SecondFactorStatusView.as_view(), name="auth-mfa"),
    path("auth/mfa/verify/", views.VerifySecondFactorView.as_view(), name="auth-mfa-verify"),
    path("auth/mfa/totp/", views.TotpEnrolmentView.as_view(), name="auth-mfa-totp"),
    path(
        "auth/mfa/totp/confirm/",
        views.ConfirmTotpEnrolmentView.as_view(),
        name="auth-mfa-totp-confirm",
    ),
    path(
        "auth/mfa/recovery-codes/",
        views.RecoveryCodesView.as_view(),
        name="auth-mfa-recovery-codes",
    ),
]
