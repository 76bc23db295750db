"""OpenAPI descriptions for the project's own API building blocks."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme


class TokenScheme(KnoxTokenScheme):
    """Our audited token authentication is knox's scheme on the wire."""

    target_class = "core.authentication.TokenAuthentication"
