from rest_framework import serializers


class SecondFactorCodeSerializer(serializers.Serializer):
    otp_token = serializers.CharField(
        max_length=64,
        trim_whitespace=True,
        help_text="The 6-digit code from the authenticator app, or an unused recovery code.",
    )


class SecondFactorStatusSerializer(serializers.Serializer):
    required = serializers.BooleanField(help_text="This session needs a second factor.")
    verified = serializers.BooleanField(help_text="This session has given its second factor.")
    enrolled = serializers.BooleanField(help_text="An authenticator app is set up.")
    recovery_codes_left = serializers.IntegerField()


class TotpEnrolmentSerializer(serializers.Serializer):
    otpauth_uri = serializers.CharField(
        help_text="otpauth:// URI for the authenticator app (show it as a QR code)."
    )
    secret = serializers.CharField(help_text="The same secret in base32, to type in by hand.")


class RecoveryCodesSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(
        child=serializers.CharField(),
        help_text="Single-use codes, shown this once: each signs in once without the app.",
    )
