"""The error responses every operation can give, documented once for the whole API.

Each operation's own ``extend_schema`` describes its successes; the refusals come from the
shared machinery (authentication, :class:`core.access.DeclaredAccess`, validation,
:class:`core.exceptions.Conflict`, throttling, pagination) and so are added here, in the one
error shape of :mod:`core.exceptions`. A client generated from the schema, and the fuzzer that
checks responses against it, then know every status an operation may answer.
"""

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

from core.access import PUBLIC, Policy

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, safe to show to the user.")
    code = serializers.CharField(help_text="Machine-readable reason, e.g. 'not_found'.")
    errors = serializers.DictField(
        required=False,
        help_text="Only for 400: the messages for each field that is not valid.",
    )


ERROR_DESCRIPTIONS = {
    400: "Some of the information is not valid.",
    401: "Not signed in.",
    403: "The caller's role does not allow this, or the CSRF check failed.",
    404: "No such object, or one the caller may not see (the two are indistinguishable).",
    409: "Not possible in the object's current state, or someone else changed it first.",
    429: "Too many attempts; try again later.",
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, with the platform's error responses on every operation."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        error = {
            "application/json": {"schema": self.resolve_serializer(ErrorSerializer, "response").ref}
        }
        for code in self._error_codes(operation):
            responses.setdefault(
                str(code), {"description": ERROR_DESCRIPTIONS[code], "content": error}
            )
        return operation

    def _error_codes(self, operation: dict[str, Any]) -> list[int]:
        public = self._policy() is PUBLIC
        codes = []
        has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
        if self.method in WRITE_METHODS or has_query:
            codes.append(400)
        if not public or self.method in WRITE_METHODS:
            codes += [401, 403, 404]
        if self.method in WRITE_METHODS and not public:
            codes.append(409)
        if getattr(self.view, "throttle_classes", None):
            codes.append(429)
        return codes

    def _policy(self) -> Policy | None:
        policies: dict[str, Policy] = getattr(self.view, "access_policy", {}) or {}
        action = getattr(self.view, "action", None) or self.method.lower()
        return policies.get(action) or policies.get(self.method.lower())
