"""The one base class every API v1 view uses. Scoping cannot be bypassed: a subclass
says what it serves through ``scoped_queryset(agent)``, and defining ``get_queryset``
in a subclass is refused when the class is created (the PostHog pattern)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from api.authentication import AgentSessionAuthentication, ApiKeyAuthentication
from api.models import ApiKey, IdempotencyRecord
from api.permissions import AgentWithScope
from api.problems import problem
from api.throttling import ApiRateThrottle
from tenants.services import tenant_in_maintenance
from ticketing.models import Agent


class ApiCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"


class InMaintenance(exceptions.APIException):
    status_code = 503
    default_detail = gettext_lazy("The help desk is in maintenance mode. Try again later.")
    default_code = "maintenance"


class TenantApiViewSet(viewsets.GenericViewSet):
    authentication_classes: ClassVar[list[type]] = [
        ApiKeyAuthentication,
        AgentSessionAuthentication,
    ]
    permission_classes: ClassVar[list[type]] = [AgentWithScope]
    throttle_classes: ClassVar[list[type]] = [ApiRateThrottle]
    pagination_class = ApiCursorPagination
    #: Ids are numbers; anything else is a 404 at the URL, never a query.
    lookup_value_regex = r"[0-9]{1,18}"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__} must define scoped_queryset(), not get_queryset()")

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before authentication: a help desk in maintenance answers nothing but 503.
        if tenant_in_maintenance(getattr(request, "tenant", None)):
            raise InMaintenance()
        super().initial(request, *args, **kwargs)
        # PostgreSQL text cannot hold NUL: refused here for every view, never a 500 later.
        for name, values in request.query_params.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                raise ValidationError({name: [_("Null characters are not allowed.")]})

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if hasattr(response, "add_post_render_callback"):
            response.add_post_render_callback(self._release_rows)
        return response

    def _release_rows(self, response: Any) -> None:
        """Once the body is written, let go of the rows it was written from.

        DRF ties the view, its request, paginator and response, and each serializer
        and its fields, into reference cycles, and a page's model instances hang from
        them (the paginator's page; the serializer's instance, also kept in the
        arguments it was built with, as is its list child's): they then outlive the
        request until the cycle collector walks them all. Dropped here, they are freed
        as the request ends; the cycles left hold a few dozen small objects.
        (Returns None: a post-render callback's return value would replace the response.)
        """
        paginator = self.__dict__.get("_paginator")
        if paginator is not None and hasattr(paginator, "page"):
            paginator.page = None
        data = getattr(response, "data", None)
        # A page's rows are the "results" of the paginated body; other bodies are the
        # serializer's output itself.
        for output in (data, *(data.values() if isinstance(data, dict) else ())):
            serializer = getattr(output, "serializer", None)
            for rendered in (serializer, getattr(serializer, "child", None)):
                if isinstance(rendered, BaseSerializer):
                    rendered.instance = None
                    rendered._args = ()  # kept by BaseSerializer.__new__

    @property
    def agent(self) -> Agent:
        agent: Agent = self.request.agent
        return agent

    def scoped_queryset(self, agent: Agent) -> QuerySet[Any]:
        """What this view serves to ``agent``; every concrete view defines it."""
        raise ImproperlyConfigured(f"{type(self).__name__} must define scoped_queryset()")

    def get_queryset(self) -> QuerySet[Any]:
        return self.scoped_queryset(self.agent)


def _principal(request: Request) -> str:
    if isinstance(request.auth, ApiKey):
        return f"key:{request.auth.prefix}"
    return f"user:{request.user.pk}"


def _request_hash(request: Request) -> str:
    try:
        payload = json.dumps(request.data, sort_keys=True, default=str)
    except (TypeError, ValueError):
        payload = repr(request.data)
    return hashlib.sha256(f"{request.method} {request.path}\n{payload}".encode()).hexdigest()


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    """POSTs with an ``Idempotency-Key`` return the first result when retried."""

    def wrapper(view: TenantApiViewSet, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > 255:
            return problem(
                status_code=422, title=_("The Idempotency-Key is too long."), code="invalid_input"
            )
        principal, digest = _principal(request), _request_hash(request)
        earlier = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
        if earlier is not None:
            if earlier.request_hash != digest:
                return problem(
                    status_code=409,
                    title=_("This Idempotency-Key was used for a different request."),
                    code="idempotency_conflict",
                )
            replay = Response(earlier.body, status=earlier.status_code)
            replay["Idempotent-Replayed"] = "true"
            return replay
        response = handler(view, request, *args, **kwargs)
        if response.status_code < 500:
            try:
                with transaction.atomic():
                    IdempotencyRecord.objects.create(
                        principal=principal,
                        key=key,
                        method=request.method or "POST",
                        path=request.path[:500],
                        request_hash=digest,
                        status_code=response.status_code,
                        body=response.data,
                    )
            except IntegrityError:  # a concurrent retry stored it first
                pass
        return response

    wrapper.__name__ = handler.__name__
    wrapper.__doc__ = handler.__doc__
    return wrapper


def get_object_or_404_scoped(queryset: QuerySet[Any], **lookup: Any) -> Model:
    from django.shortcuts import get_object_or_404

    obj: Model = get_object_or_404(queryset, **lookup)
    return obj
