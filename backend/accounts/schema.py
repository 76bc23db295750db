"""OpenAPI descriptions of the session authentication classes: Django's session cookie."""

from drf_spectacular.authentication import SessionScheme


class VerifiedSessionScheme(SessionScheme):
    target_class = "accounts.authentication.SessionAuthentication"


class PendingSessionScheme(SessionScheme):
    """The same cookie, also admitted before the second factor is given."""

    target_class = "accounts.authentication.SecondFactorPendingAuthentication"
    name = "cookieAuthBeforeSecondFactor"
