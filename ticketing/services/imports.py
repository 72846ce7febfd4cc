"""CSV import of customers and organizations.

``import_preview`` reads a file (UTF-8, a byte-order mark tolerated, comma, semicolon or
tab separated) and checks every row without writing anything: the admin sees which rows
would create or update a record and which are refused, and why. ``import_apply`` then
writes the valid rows of the same file in one transaction, in bulk: a fixed number of
queries whatever the number of rows, so the row cap (10,000) imports in seconds inside
the request; no task queue is needed. Rows are checked again at that moment, because
customers may have changed since the preview.

Customers are matched by email (case-insensitive), else by employee number; a cell left
empty never erases what is stored. Organizations named in the customer file are found
by name or created. Organizations are matched by external id, else by name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ticketing import contact_events
from ticketing.errors import InvalidInput
from ticketing.models import Contact, Organization, OrganizationKind, PreferredChannel
from ticketing.services.people import phone_digits_reversed

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
CUSTOMERS, ORGANIZATIONS = "customers", "organizations"

#: Column → (maximum length, what it holds). The documented header names; headers are
#: matched ignoring case, spaces and underscores.
CUSTOMER_COLUMNS: dict[str, tuple[int, Any]] = {
    "email": (254, gettext_lazy("email address; matches an existing customer")),
    "employee_number": (50, gettext_lazy("employee number; matches when there is no email")),
    "full_name": (200, gettext_lazy("name")),
    "phone": (40, gettext_lazy("phone number")),
    "organization": (200, gettext_lazy("organization name; created when unknown")),
    "language": (10, gettext_lazy("en, fa, pl or zh-hans")),
    "service_area": (120, gettext_lazy("location / service area")),
    "address": (1000, gettext_lazy("address")),
    "is_vip": (5, gettext_lazy("yes or no")),
    "preferred_channel": (10, gettext_lazy("email or sms")),
    "external_id": (100, gettext_lazy("id in your other systems")),
}
ORGANIZATION_COLUMNS: dict[str, tuple[int, Any]] = {
    "name": (200, gettext_lazy("name; matches an existing organization")),
    "kind": (20, gettext_lazy("company, branch, office or factory")),
    "parent": (200, gettext_lazy("name of the organization it is part of")),
    "phone": (40, gettext_lazy("phone number")),
    "address": (1000, gettext_lazy("address")),
    "service_area": (120, gettext_lazy("location / service area")),
    "external_id": (100, gettext_lazy("id in your other systems; matches first")),
}
ALIASES = {
    "name": "full_name",
    "e-mail": "email",
    "mail": "email",
    "company": "organization",
    "vip": "is_vip",
    "channel": "preferred_channel",
}
EXAMPLES = {
    CUSTOMERS: [
        {
            "email": "carla@example.com",
            "employee_number": "E-1042",
            "full_name": "Carla Nowak",
            "phone": "+48 600 100 200",
            "organization": "Acme Warszawa",
            "language": "pl",
            "is_vip": "no",
            "preferred_channel": "email",
        },
        {
            "email": "sara@example.ir",
            "full_name": "سارا احمدی",
            "organization": "دفتر تهران",
            "language": "fa",
            "preferred_channel": "sms",
            "phone": "+98 912 000 0000",
        },
    ],
    ORGANIZATIONS: [
        {"name": "Acme Warszawa", "kind": "office", "phone": "+48 22 000 00 00"},
        {"name": "上海工厂", "kind": "factory", "parent": "Acme Warszawa"},
    ],
}
TRUE, FALSE = (
    {"yes", "y", "true", "1", "tak", "是", "بله"},
    {"no", "n", "false", "0", "nie", "否", "خیر"},
)


def columns_for(kind: str) -> dict[str, tuple[int, Any]]:
    return CUSTOMER_COLUMNS if kind == CUSTOMERS else ORGANIZATION_COLUMNS


@dataclass
class RowResult:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    #: "create" or "update" for valid rows.
    action: str = ""
    #: The matched record's id, for updates.
    target_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportPreview:
    kind: str
    columns: list[str]
    ignored_columns: list[str]
    rows: list[RowResult]

    @property
    def valid_rows(self) -> list[RowResult]:
        return [row for row in self.rows if row.ok]

    @property
    def failed_rows(self) -> list[RowResult]:
        return [row for row in self.rows if not row.ok]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    failed: list[RowResult]
    organizations_created: int = 0


def _normalise_header(header: str, kind: str) -> str:
    key = header.strip().lower().replace(" ", "_")
    if kind == CUSTOMERS:
        key = ALIASES.get(key, key)
    return key.replace("-", "_")


def template_csv(kind: str) -> str:
    """The header row and example rows, with a byte-order mark so spreadsheet programs
    open it as UTF-8."""
    columns = list(columns_for(kind))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for example in EXAMPLES[kind]:
        writer.writerow(example)
    return "\ufeff" + out.getvalue()


def _read(kind: str, raw: bytes) -> tuple[list[str], list[str], list[tuple[int, dict[str, str]]]]:
    if kind not in (CUSTOMERS, ORGANIZATIONS):
        raise InvalidInput(_("Choose what to import."), field_errors={"kind": [_("Not a choice.")]})
    if len(raw) > MAX_BYTES:
        message = _("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)}
        raise InvalidInput(message, field_errors={"file": [message]})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = _("The file is not UTF-8 text; save it as “CSV UTF-8” and try again.")
        raise InvalidInput(message, field_errors={"file": [message]}) from None
    if "\x00" in text:
        message = _("The file is not a CSV text file.")
        raise InvalidInput(message, field_errors={"file": [message]})
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        header = []
    known = columns_for(kind)
    columns = [_normalise_header(h, kind) for h in header]
    if not any(column in known for column in columns):
        message = _("The first row must name the columns, e.g. %(columns)s.") % {
            "columns": ", ".join(list(known)[:4])
        }
        raise InvalidInput(message, field_errors={"file": [message]})
    repeated = sorted({c for c in columns if c in known and columns.count(c) > 1})
    if repeated:
        message = _("These columns appear twice: %(columns)s.") % {"columns": ", ".join(repeated)}
        raise InvalidInput(message, field_errors={"file": [message]})
    ignored = [
        h.strip() for h, c in zip(header, columns, strict=True) if c not in known and h.strip()
    ]
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= MAX_ROWS:
                message = _("The file has more than %(count)d rows; split it.") % {
                    "count": MAX_ROWS
                }
                raise InvalidInput(message, field_errors={"file": [message]})
            values = {
                column: (record[index].strip() if index < len(record) else "")
                for index, column in enumerate(columns)
                if column in known
            }
            rows.append((reader.line_num, values))
    except csv.Error as error:
        message = _("The file is not valid CSV near line %(line)d.") % {"line": reader.line_num}
        raise InvalidInput(message, field_errors={"file": [message]}) from error
    if not rows:
        message = _("The file has no rows under the header.")
        raise InvalidInput(message, field_errors={"file": [message]})
    return [c for c in columns if c in known], ignored, rows


def _check_lengths(row: RowResult, known: dict[str, tuple[int, Any]]) -> None:
    for column, value in row.values.items():
        if len(value) > known[column][0]:
            row.errors.append(
                _("%(column)s is longer than %(count)d characters.")
                % {"column": column, "count": known[column][0]}
            )


def _lower_map(values: Iterable[str]) -> set[str]:
    return {value.lower() for value in values if value}


def _update_rows(model: Any, updates: dict[int, dict[str, Any]], *, batch: int = 1000) -> int:
    """Write ``{pk: {field: value}}`` with one ``UPDATE … FROM (VALUES …)`` per batch; a
    field a row leaves out keeps its stored value. (``bulk_update`` builds a CASE per
    field and row in Python: seconds for thousands of rows.) Returns the rows changed."""
    if not updates:
        return 0
    names = sorted({name for values in updates.values() for name in values})
    fields = [model._meta.get_field(name) for name in names]
    pk_type = model._meta.pk.db_type(connection)
    table = model._meta.db_table
    quoted = [connection.ops.quote_name(f.column) for f in fields]
    columns = ", ".join(quoted)
    assignments = ", ".join(f"{name} = COALESCE(v.{name}, t.{name})" for name in quoted)
    casts = ", ".join([f"%s::{pk_type}", *(f"%s::{f.db_type(connection)}" for f in fields)])
    changed = 0
    items = list(updates.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), batch):
            chunk = items[start : start + batch]
            params: list[Any] = []
            for pk, values in chunk:
                params.append(pk)
                for f in fields:
                    value = values.get(f.name)
                    if isinstance(value, models.Model):
                        value = value.pk
                    params.append(value)
            rows_sql = ", ".join([f"({casts})"] * len(chunk))
            # Table and column names come from the model; values are parameters.
            cursor.execute(
                f"UPDATE {connection.ops.quote_name(table)} AS t SET {assignments} "
                f"FROM (VALUES {rows_sql}) AS v(id, {columns}) WHERE t.id = v.id",
                params,
            )
            changed += cursor.rowcount
    return changed


# --- customers ---------------------------------------------------------------------


LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _check_customer(row: RowResult) -> None:
    values = row.values
    email = values.get("email", "").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            row.errors.append(_("%(value)s is not an email address.") % {"value": email[:80]})
        values["email"] = email
    if not email and not values.get("employee_number"):
        row.errors.append(_("Give an email or an employee number to find the customer by."))
    if values.get("language") and values["language"].lower() not in LANGUAGES:
        row.errors.append(_("Unknown language %(value)s.") % {"value": values["language"][:10]})
    vip = values.get("is_vip", "").lower()
    if vip and vip not in TRUE | FALSE:
        row.errors.append(_("VIP must be yes or no."))
    channel = values.get("preferred_channel", "").lower()
    if channel and channel not in PreferredChannel.values:
        row.errors.append(_("The preferred channel must be email or sms."))


def _customer_matches(rows: list[RowResult]) -> None:
    """Find each row's customer (email first, then employee number) in a fixed number of
    queries, and refuse rows that repeat another row or point at two customers."""
    emails = _lower_map(row.values.get("email", "") for row in rows)
    numbers = {row.values["employee_number"] for row in rows if row.values.get("employee_number")}
    externals = {row.values["external_id"] for row in rows if row.values.get("external_id")}
    by_email = {
        e: pk
        for pk, e in Contact.objects.annotate(e=Lower("email"))
        .filter(e__in=emails)
        .values_list("pk", "e")
    }
    by_number: dict[str, list[int]] = {}
    for pk, number in Contact.objects.filter(employee_number__in=numbers).values_list(
        "pk", "employee_number"
    ):
        by_number.setdefault(number, []).append(pk)
    by_external = dict(
        Contact.objects.filter(external_id__in=externals).values_list("external_id", "pk")
    )
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        if not row.ok:
            continue
        email, number = row.values.get("email", ""), row.values.get("employee_number", "")
        for key in (
            ("email", email),
            ("employee_number", number),
            ("external_id", row.values.get("external_id", "")),
        ):
            if key[1]:
                if key in seen:
                    row.errors.append(
                        _("Same %(column)s as line %(line)d.")
                        % {"column": key[0], "line": seen[key]}
                    )
                else:
                    seen[key] = row.line
        if not row.ok:
            continue
        target = by_email.get(email) if email else None
        numbered = by_number.get(number, []) if number else []
        if target is None and len(numbered) > 1:
            row.errors.append(
                _("%(count)d customers have the employee number %(value)s.")
                % {"count": len(numbered), "value": number}
            )
            continue
        if target is None and numbered:
            target = numbered[0]
        elif target is not None and numbered and target not in numbered:
            row.errors.append(
                _("The email and the employee number belong to two different customers.")
            )
            continue
        external = row.values.get("external_id", "")
        if external and by_external.get(external, target) != target:
            row.errors.append(
                _("Another customer has the external id %(value)s.") % {"value": external}
            )
            continue
        row.action, row.target_id = ("update", target) if target else ("create", None)


def _organization_by_name(names: set[str]) -> dict[str, Organization]:
    found: dict[str, Organization] = {}
    for organization in (
        Organization.objects.annotate(n=Lower("name")).filter(n__in=names).order_by("pk")
    ):
        found.setdefault(organization.name.lower(), organization)
    return found


def _apply_customers(rows: list[RowResult]) -> tuple[int, int, int]:
    names = _lower_map(row.values.get("organization", "") for row in rows)
    organizations = _organization_by_name(names)
    missing: dict[str, Organization] = {}
    for row in rows:
        name = row.values.get("organization", "")
        if name and name.lower() not in organizations and name.lower() not in missing:
            missing[name.lower()] = Organization(name=name)
    Organization.objects.bulk_create(list(missing.values()))
    organizations.update(missing)

    def fields_of(row: RowResult) -> dict[str, Any]:
        values = row.values
        data: dict[str, Any] = {}
        for column in (
            "email",
            "employee_number",
            "full_name",
            "phone",
            "service_area",
            "address",
            "external_id",
        ):
            if values.get(column):
                data[column] = values[column]
        if values.get("phone"):
            data["phone_digits_reversed"] = phone_digits_reversed(values["phone"])
        if values.get("language"):
            data["language"] = values["language"].lower()
        if values.get("is_vip"):
            data["is_vip"] = values["is_vip"].lower() in TRUE
        if values.get("preferred_channel"):
            data["preferred_channel"] = values["preferred_channel"].lower()
        if values.get("organization"):
            data["organization"] = organizations[values["organization"].lower()]
        return data

    new = []
    for row in rows:
        if row.action == "create":
            data = fields_of(row)
            data.setdefault("full_name", data.get("email") or data.get("employee_number", ""))
            new.append(Contact(**data))
    created = Contact.objects.bulk_create(new, batch_size=1000)
    now = timezone.now()
    updated = _update_rows(
        Contact,
        {
            row.target_id: {**fields_of(row), "updated_at": now}
            for row in rows
            if row.action == "update" and row.target_id is not None
        },
    )
    contact_events.publish_created_many(created)
    return len(created), updated, len(missing)


# --- organizations -----------------------------------------------------------------


def _check_organization(row: RowResult) -> None:
    values = row.values
    if not values.get("name"):
        row.errors.append(_("The name is missing."))
    kind = values.get("kind", "").lower()
    if kind and kind not in OrganizationKind.values:
        row.errors.append(_("The kind must be company, branch, office or factory."))
    if values.get("parent") and values["parent"].lower() == values.get("name", "").lower():
        row.errors.append(_("An organization cannot be part of itself."))


def _organization_matches(rows: list[RowResult]) -> None:
    names = _lower_map(row.values.get("name", "") for row in rows) | _lower_map(
        row.values.get("parent", "") for row in rows
    )
    by_name = {name: org.pk for name, org in _organization_by_name(names).items()}
    externals = {row.values["external_id"] for row in rows if row.values.get("external_id")}
    by_external = dict(
        Organization.objects.filter(external_id__in=externals).values_list("external_id", "pk")
    )
    in_file = _lower_map(row.values.get("name", "") for row in rows if row.ok)
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        if not row.ok:
            continue
        for key in (
            ("name", row.values["name"].lower()),
            ("external_id", row.values.get("external_id", "")),
        ):
            if key[1]:
                if key in seen:
                    row.errors.append(
                        _("Same %(column)s as line %(line)d.")
                        % {"column": key[0], "line": seen[key]}
                    )
                else:
                    seen[key] = row.line
        parent = row.values.get("parent", "").lower()
        if parent and parent not in by_name and parent not in in_file:
            row.errors.append(
                _("No organization named %(value)s.") % {"value": row.values["parent"][:80]}
            )
        if not row.ok:
            continue
        external = row.values.get("external_id", "")
        target = by_external.get(external) if external else None
        if target is None:
            target = by_name.get(row.values["name"].lower())
        row.action, row.target_id = ("update", target) if target else ("create", None)


def _apply_organizations(rows: list[RowResult]) -> tuple[int, int, int]:
    def fields_of(row: RowResult) -> dict[str, Any]:
        data = {
            column: row.values[column]
            for column in ("name", "phone", "address", "service_area", "external_id")
            if row.values.get(column)
        }
        if row.values.get("kind"):
            data["kind"] = row.values["kind"].lower()
        return data

    created = Organization.objects.bulk_create(
        [Organization(**fields_of(row)) for row in rows if row.action == "create"], batch_size=1000
    )
    updated = _update_rows(
        Organization,
        {
            row.target_id: fields_of(row)
            for row in rows
            if row.action == "update" and row.target_id is not None
        },
    )
    # Parents last: they may be rows of this same file.
    parents = {
        row.values["name"].lower(): row.values["parent"].lower()
        for row in rows
        if row.values.get("parent")
    }
    if parents:
        by_name = _organization_by_name(set(parents) | set(parents.values()))
        children = []
        for child, parent in parents.items():
            if child in by_name and parent in by_name and by_name[child].pk != by_name[parent].pk:
                by_name[child].parent = by_name[parent]
                children.append(by_name[child])
        Organization.objects.bulk_update(children, ["parent"], batch_size=1000)
    return len(created), updated, 0


CHECKS: dict[str, tuple[Callable[[RowResult], None], Callable[[list[RowResult]], None]]] = {
    CUSTOMERS: (_check_customer, _customer_matches),
    ORGANIZATIONS: (_check_organization, _organization_matches),
}


def import_preview(*, kind: str, raw: bytes) -> ImportPreview:
    """Every row of the file, checked, with what importing it would do. Writes nothing.
    A file that cannot be read at all raises ``InvalidInput`` (field ``file``)."""
    columns, ignored, records = _read(kind, raw)
    known = columns_for(kind)
    check_row, match_rows = CHECKS[kind]
    rows = []
    for line, values in records:
        row = RowResult(line=line, values=values)
        _check_lengths(row, known)
        if row.ok:
            check_row(row)
        rows.append(row)
    match_rows(rows)
    return ImportPreview(kind=kind, columns=columns, ignored_columns=ignored, rows=rows)


def import_apply(*, kind: str, raw: bytes) -> ImportResult:
    """Import the file's valid rows in one transaction (checked again now); the refused
    rows come back with their reasons."""
    preview = import_preview(kind=kind, raw=raw)
    valid = preview.valid_rows
    try:
        with transaction.atomic():
            if kind == CUSTOMERS:
                created, updated, organizations = _apply_customers(valid)
            else:
                created, updated, organizations = _apply_organizations(valid)
    except IntegrityError as error:
        raise InvalidInput(
            _("Customers changed while importing; check the preview again."),
            field_errors={
                "file": [_("Customers changed while importing; check the preview again.")]
            },
        ) from error
    return ImportResult(
        created=created,
        updated=updated,
        failed=preview.failed_rows,
        organizations_created=organizations,
    )
