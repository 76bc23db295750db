"""One JSON shape for every API error: ``{"detail": str, "code": str, "errors": {...}}``.

Messages never echo submitted values, so personal data cannot leak through an error: the
stock messages of DRF and Django that repeat what was sent (``"x" is not a valid choice.``,
``Invalid pk "x" - object does not exist.``, ``“x” is not a valid UUID.``) are found in the
libraries themselves and answered with a message of their own (:func:`without_echo`).
Every refusal (401/403) is written to the audit trail.
"""

import functools
import re
import string
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from django.utils import translation
from rest_framework import exceptions, serializers, status
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from audit.models import AuditAction
from audit.services import DENIAL_RECORDED_ATTR, record

_REFUSALS = (
    exceptions.PermissionDenied,
    exceptions.NotAuthenticated,
    exceptions.AuthenticationFailed,
)


class Conflict(exceptions.APIException):
    """The action is not allowed in the object's current state, or someone else won the race."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This action is not possible in the current state."
    default_code = "conflict"


class StateConflict(Exception):
    """Raised by domain services when the object's state does not allow the action: 409."""


def _from_domain(exc: Exception) -> Exception:
    """Domain services raise Django's and the platform's own exceptions; the API speaks DRF."""
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(*exc.args[:1])
    if isinstance(exc, DjangoValidationError):
        detail = get_error_detail(exc)  # keeps each error's code
        return exceptions.ValidationError(
            detail if isinstance(detail, dict) else {"non_field_errors": detail}
        )
    if isinstance(exc, StateConflict):
        return Conflict(str(exc) or None)
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _from_domain(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, _REFUSALS):
        _record_refusal(exc, context)
    if isinstance(exc, exceptions.ValidationError):
        errors = without_echo(exc.detail)
        response.data = {
            "detail": "Some of the information is not valid.",
            "code": "invalid",
            "errors": errors if isinstance(errors, dict) else {"non_field_errors": errors},
        }
    elif isinstance(exc, exceptions.APIException):
        detail = without_echo(exc.detail)
        response.data = {
            "detail": str(detail) if not isinstance(detail, list | dict) else "Request failed.",
            "code": exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code,
        }
    return response


# --- messages that repeat what was sent ---------------------------------------------------

# Placeholders of DRF's and Django's message templates that describe the field or the server
# (limits, formats, names), never what was sent. A template with any other placeholder (the
# input, a key of it, a header) repeats what was sent, and its message is replaced.
DESCRIBES_THE_FIELD = frozenset(
    {
        "count", "data_type", "datatype", "date_field", "date_field_label", "field",
        "field_label", "field_names", "format", "input_type", "length", "limit_value",
        "lookup_type", "max_decimal_places", "max_digits", "max_days", "max_length",
        "max_value", "max_whole_digits", "min_days", "min_length", "min_value", "model",
        "model_name", "nth", "protocol", "show_value", "slug_name", "timezone", "wait",
    }
)  # fmt: skip
_DJANGO_PLACEHOLDER = re.compile(r"%\((\w+)\)[sr]")
# What is said instead, by error code; any other echoing message becomes the generic one.
_INSTEAD = {
    "does_not_exist": "No such object.",
    "invalid_choice": "Not one of the allowed choices.",
    "surrogate_characters_not_allowed": "Surrogate characters are not allowed.",
    "unsupported_media_type": "Unsupported media type: send JSON.",
    "method_not_allowed": "This method is not allowed here.",
}
_GENERIC = "Not a valid value."


def _subclasses(root: type) -> list[type]:
    found, pending = [], [root]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def _pattern(parts: list[tuple[str, str | None]]) -> re.Pattern[str] | None:
    """A pattern matching the rendered template, or None if it inserts no submitted value."""
    if all(name is None or name in DESCRIBES_THE_FIELD for _, name in parts):
        return None
    return re.compile(
        "".join(re.escape(text) + (".*" if name is not None else "") for text, name in parts),
        re.DOTALL,
    )


def _drf_parts(template: str) -> list[tuple[str, str | None]]:
    return [(text, name) for text, name, _, _ in string.Formatter().parse(template)]


def _django_parts(template: str) -> list[tuple[str, str | None]]:
    pieces = _DJANGO_PLACEHOLDER.split(template)  # text, name, text, name, ..., text
    names = [*pieces[1::2], None]
    return list(zip(pieces[::2], names, strict=True))


@functools.cache
def _echoing_templates(language: str | None) -> tuple[re.Pattern[str], ...]:
    """Every stock message of the libraries that inserts a submitted value, as a pattern of
    its rendered form (per language: the templates are translated)."""
    del language  # the cache key: templates render in the active language
    found: list[re.Pattern[str] | None] = []
    for cls in _subclasses(serializers.Field):  # fields, relations and serializers
        for template in vars(cls).get("default_error_messages", {}).values():
            found.append(_pattern(_drf_parts(str(template))))
    for cls in _subclasses(exceptions.APIException):
        found.append(_pattern(_drf_parts(str(cls.default_detail))))
    for cls in _subclasses(models.Field):
        for template in vars(cls).get("default_error_messages", {}).values():
            found.append(_pattern(_django_parts(str(template))))
    return tuple(p for p in found if p is not None)


def _echoes(message: str) -> bool:
    return any(p.fullmatch(message) for p in _echoing_templates(translation.get_language()))


def without_echo(detail: Any) -> Any:
    """``detail`` (an error message, or a list or dict of them) with every message that would
    repeat a submitted value replaced by one that does not; its code is kept."""
    if isinstance(detail, dict):
        return {key: without_echo(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [without_echo(value) for value in detail]
    if isinstance(detail, str) and _echoes(detail):
        code = getattr(detail, "code", None) or "invalid"
        return exceptions.ErrorDetail(_INSTEAD.get(code, _GENERIC), code=code)
    return detail


def _record_refusal(exc: exceptions.APIException, context: dict[str, Any]) -> None:
    """Put a refusal on the audit trail, unless the code that refused already did.

    This runs after the view's own transaction has ended (ATOMIC_REQUESTS is off), so the
    event is kept although the request failed.
    """
    request = context.get("request")
    view = context.get("view")
    if request is None or getattr(request, DENIAL_RECORDED_ATTR, False):
        return
    kwargs = getattr(view, "kwargs", None) or {}
    lookup = kwargs.get(
        getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
    )
    record(
        AuditAction.DENIED,
        request=request,
        object_type=_model_label(view),
        object_id=str(lookup) if lookup is not None else "",
        details={
            "code": exc.default_code,
            "method": request.method,
            "view": f"{type(view).__module__}.{type(view).__qualname__}",
            "action": getattr(view, "action", None) or "",
        },
    )


def _model_label(view: APIView | None) -> str:
    """The model a view serves, read from its declarations only (no queries, no side effects)."""
    model = getattr(getattr(view, "queryset", None), "model", None)
    if model is None:
        meta = getattr(getattr(view, "serializer_class", None), "Meta", None)
        model = getattr(meta, "model", None)
    return model._meta.label_lower if model is not None else ""
