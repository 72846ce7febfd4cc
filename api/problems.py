"""Errors as RFC 9457 ``application/problem+json`` with a stable ``code`` and, for bad
input, the errors of each field. Domain errors map to 4xx; nothing a client sends
produces a 500."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from api.renderers import ApiJSONRenderer
from ticketing import errors as domain

PROBLEM_CONTENT_TYPE = "application/problem+json"

DOMAIN_STATUS: dict[type[domain.TicketingError], int] = {
    domain.PermissionDenied: status.HTTP_403_FORBIDDEN,
    domain.InvalidInput: status.HTTP_422_UNPROCESSABLE_ENTITY,
    domain.InvalidTransition: status.HTTP_409_CONFLICT,
    domain.TicketLocked: status.HTTP_409_CONFLICT,
    domain.DescriptionFrozen: status.HTTP_409_CONFLICT,
    domain.OpenTicketLimitReached: status.HTTP_409_CONFLICT,
    domain.SupportPlanRequired: status.HTTP_403_FORBIDDEN,
    domain.ContactNotAllowed: status.HTTP_403_FORBIDDEN,
    domain.AttachmentRejected: status.HTTP_422_UNPROCESSABLE_ENTITY,
    domain.CannotMerge: status.HTTP_409_CONFLICT,
    domain.CannotLink: status.HTTP_409_CONFLICT,
    domain.AssigneeNotEligible: status.HTTP_409_CONFLICT,
    domain.DuplicateContact: status.HTTP_409_CONFLICT,
    domain.ContactHasTickets: status.HTTP_409_CONFLICT,
    domain.AlreadyExists: status.HTTP_409_CONFLICT,
}


class ProblemJSONRenderer(ApiJSONRenderer):
    media_type = PROBLEM_CONTENT_TYPE


def problem(
    *,
    status_code: int,
    title: str,
    code: str,
    detail: str = "",
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": f"https://caseway.dev/problems/{code}",
        "title": title,
        "status": status_code,
        "code": code,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = Response(
        body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE
    )
    return response


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(_flatten(value, name))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{prefix}[{index}]"))
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, domain.TicketingError):
        status_code = next(
            (code for kind, code in DOMAIN_STATUS.items() if isinstance(exc, kind)),
            status.HTTP_400_BAD_REQUEST,
        )
        return problem(
            status_code=status_code,
            title=exc.message,
            code=exc.code,
            errors=exc.field_errors or None,
        )
    if isinstance(exc, DjangoValidationError):
        return problem(
            status_code=422,
            title=_("Invalid input."),
            code="invalid_input",
            errors={"non_field_errors": list(exc.messages)},
        )
    if isinstance(exc, Http404 | DjangoPermissionDenied):
        exc = exceptions.NotFound() if isinstance(exc, Http404) else exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        return problem(
            status_code=422,
            title=_("Please correct the highlighted fields."),
            code="invalid_input",
            errors=_flatten(exc.detail),
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else ""
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    headers = {
        key: value for key, value in response.items() if key in ("Retry-After", "WWW-Authenticate")
    }
    return problem(
        status_code=response.status_code,
        title=str(detail),
        code=str(code),
        headers=headers,
    )
