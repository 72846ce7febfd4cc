"""CSV import of customers and organizations in the admin console: upload, a preview
with every refused row and why, then the valid rows imported in one go after the admin
confirms. Between preview and confirmation the file waits in the tenant's cache (keys
are tenant-scoped) under a random token bound to the admin who uploaded it."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from audit.services import audit_record
from frontend.base_views import TenantAdminView
from frontend.domain_errors import add_domain_error
from ticketing.errors import TicketingError
from ticketing.services import imports

PREVIEW_SECONDS = 60 * 60
#: Rows listed on the preview and result pages; the counts cover every row.
ROWS_SHOWN = 200

KINDS = [
    (imports.CUSTOMERS, gettext_lazy("Customers")),
    (imports.ORGANIZATIONS, gettext_lazy("Organizations")),
]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Import"), choices=KINDS)
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "UTF-8, separated by commas or semicolons, the first row naming the columns; "
            "at most 10,000 rows and 5 MB."
        ),
    )


def _key(token: str) -> str:
    return f"admin-import:{token}"


def _documentation() -> list[tuple[str, Any, list[tuple[str, Any]]]]:
    return [
        (kind, label, [(name, about) for name, (_size, about) in imports.columns_for(kind).items()])
        for kind, label in KINDS
    ]


class ImportView(TenantAdminView, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        kind = request.GET.get("kind", imports.CUSTOMERS)
        return self._form_page(request, ImportForm(initial={"kind": kind}))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._form_page(request, form, status=400)
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"]
        if upload.size > imports.MAX_BYTES:
            form.add_error("file", _("The file is larger than 5 MB."))
            return self._form_page(request, form, status=400)
        raw = upload.read()
        try:
            preview = imports.import_preview(kind=kind, raw=raw)
        except TicketingError as error:
            add_domain_error(form, error)
            return self._form_page(request, form, status=400)
        token = secrets.token_urlsafe(24)
        cache.set(
            _key(token),
            {"kind": kind, "raw": raw, "user_id": request.user.pk, "name": upload.name},
            PREVIEW_SECONDS,
        )
        return render(
            request,
            "admin_console/import_preview.html",
            {
                "preview": preview,
                "token": token,
                "filename": upload.name,
                "kind_label": dict(KINDS)[kind],
                "valid_count": len(preview.valid_rows),
                "failed": preview.failed_rows[:ROWS_SHOWN],
                "failed_count": len(preview.failed_rows),
                "sample": preview.valid_rows[:20],
                "creates": sum(row.action == "create" for row in preview.valid_rows),
                "updates": sum(row.action == "update" for row in preview.valid_rows),
            },
        )

    def _form_page(self, request: HttpRequest, form: ImportForm, status: int = 200) -> HttpResponse:
        return render(
            request,
            "admin_console/import.html",
            {"form": form, "documentation": _documentation()},
            status=status,
        )


class ImportConfirmView(TenantAdminView, View):
    """POST the preview's token: import the valid rows of that file."""

    def post(self, request: HttpRequest) -> HttpResponse:
        token = request.POST.get("token", "")[:100]
        stored = cache.get(_key(token)) if token else None
        if not stored or stored.get("user_id") != request.user.pk:
            messages.error(request, _("The preview has expired; upload the file again."))
            return HttpResponseRedirect("/admin-console/import/")
        kind = stored["kind"]
        try:
            with transaction.atomic():
                result = imports.import_apply(kind=kind, raw=stored["raw"])
                audit_record(
                    actor=request.user,
                    action=f"{kind}.imported",
                    target=stored.get("name", ""),
                    changes={
                        "created": ("", result.created),
                        "updated": ("", result.updated),
                        "failed rows": ("", len(result.failed)),
                    },
                )
        except TicketingError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect("/admin-console/import/")
        cache.delete(_key(token))
        return render(
            request,
            "admin_console/import_result.html",
            {
                "result": result,
                "kind_label": dict(KINDS)[kind],
                "failed": result.failed[:ROWS_SHOWN],
                "failed_count": len(result.failed),
            },
        )


class ImportTemplateView(TenantAdminView, View):
    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        if kind not in dict(KINDS):
            raise Http404
        response = HttpResponse(imports.template_csv(kind), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="caseway-{kind}.csv"'
        return response
