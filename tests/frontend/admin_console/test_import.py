"""CSV import of customers and organizations: template, preview with per-row errors,
nothing written before confirmation, upserts, file-level refusals, 10,000 rows in a
bounded number of queries, admins only, tenants apart."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import ContactFactory, OrganizationFactory
from ticketing.models import Agent, Contact, Organization
from ticketing.services import imports

pytestmark = pytest.mark.django_db
FACTORY_PASSWORD = "pass-word-123"


@pytest.fixture
def admin(in_alpha: TenantUnderTest) -> Client:
    return in_alpha.signed_in_client(in_alpha.admin.email)


def _upload(client: Client, text: str | bytes, kind: str = "customers") -> Any:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(
        "/admin-console/import/",
        {"kind": kind, "file": SimpleUploadedFile("people.csv", raw, content_type="text/csv")},
    )


def test_template_downloads_with_bom_and_documented_headers(admin: Client) -> None:
    page = admin.get("/admin-console/import/")
    assert page.status_code == 200
    assert "employee_number" in page.content.decode()
    response = admin.get("/admin-console/import/customers/template.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffemail,employee_number,full_name")
    assert "سارا احمدی" in text
    # the template itself imports cleanly
    preview = imports.import_preview(kind="customers", raw=response.content)
    assert len(preview.valid_rows) == 2
    assert not preview.failed_rows
    organizations = admin.get("/admin-console/import/organizations/template.csv")
    assert "上海工厂" in organizations.content.decode()
    assert admin.get("/admin-console/import/agents/template.csv").status_code == 404


def test_customer_preview_lists_refused_rows_then_imports_only_the_valid_ones(
    admin: Client,
) -> None:
    existing = ContactFactory.create(
        email="old@example.com", full_name="Old Name", phone="+48 111", employee_number=""
    )
    by_number = ContactFactory.create(email="", full_name="Numbered", employee_number="E-7")
    text = (
        "\ufeffE-mail;Employee number;Name;Organization;VIP;Language;Favourite colour\r\n"
        "OLD@example.com;;New Name;Acme;yes;pl;blue\r\n"  # update: name, org, VIP; phone kept
        ";E-7;;دفتر تهران;;fa;\r\n"  # update by employee number
        "li.wei@example.cn;;李伟;上海工厂;no;zh-hans;\r\n"  # new, Chinese
        "not-an-email;;Broken;;;;\r\n"
        ";;Nobody;;;;\r\n"
        "li.wei@example.cn;;Again;;;;\r\n"
        "x@example.com;;Bad vip;;maybe;;\r\n"
        "y@example.com;;Bad language;;;xx;\r\n"
    )
    response = _upload(admin, text)
    assert response.status_code == 200
    body = response.content.decode()
    context = response.context
    assert context["valid_count"] == 3
    assert (context["creates"], context["updates"]) == (1, 2)
    assert context["failed_count"] == 5
    reasons = {row.line: " ".join(row.errors) for row in context["failed"]}
    assert "not an email" in reasons[5]
    assert "email or an employee number" in reasons[6]
    assert "line 4" in reasons[7]
    assert "yes or no" in reasons[8]
    assert "Unknown language" in reasons[9]
    assert "Favourite colour" in body  # ignored column named
    assert "李伟" in body
    # nothing is written before the confirmation
    assert not Contact.objects.filter(email="li.wei@example.cn").exists()
    existing.refresh_from_db()
    assert existing.full_name == "Old Name"
    result = admin.post("/admin-console/import/confirm/", {"token": context["token"]})
    assert result.status_code == 200
    assert result.context["result"].created == 1
    assert result.context["result"].updated == 2
    assert result.context["failed_count"] == 5
    existing.refresh_from_db()
    assert (existing.full_name, existing.is_vip, existing.language) == ("New Name", True, "pl")
    assert existing.phone == "+48 111"  # an empty cell never erases
    assert existing.organization is not None
    assert existing.organization.name == "Acme"
    by_number.refresh_from_db()
    assert by_number.organization is not None
    assert by_number.organization.name == "دفتر تهران"
    new = Contact.objects.get(email="li.wei@example.cn")
    assert (new.full_name, new.language, new.organization.name) == ("李伟", "zh-hans", "上海工厂")  # type: ignore[union-attr]
    assert Organization.objects.filter(name="Acme").count() == 1
    entry = AuditEntry.objects.get(action="customers.imported")
    assert entry.changes["created"] == ["", "1"]
    # the token is spent: confirming twice imports nothing more
    again = admin.post("/admin-console/import/confirm/", {"token": context["token"]})
    assert again.status_code == 302
    assert Contact.objects.filter(email="li.wei@example.cn").count() == 1


def test_conflicting_identities_are_refused(admin: Client) -> None:
    ContactFactory.create(email="a@example.com", employee_number="E-1")
    ContactFactory.create(email="b@example.com", employee_number="E-2")
    ContactFactory.create(email="c@example.com", external_id="CRM-9")
    preview = imports.import_preview(
        kind="customers",
        raw=(
            b"email,employee_number,external_id\n"
            b"a@example.com,E-2,\n"
            b"new@example.com,,CRM-9\n"
            b"new2@example.com,E-3,\n"
        ),
    )
    reasons = [" ".join(row.errors) for row in preview.rows]
    assert "two different customers" in reasons[0]
    assert "external id" in reasons[1]
    assert reasons[2] == ""


def test_organizations_upsert_by_external_id_or_name_with_parents_from_the_file(
    admin: Client,
) -> None:
    OrganizationFactory.create(name="Acme HQ", external_id="ORG-1")
    text = (
        "name,kind,parent,external_id,phone\n"
        "Acme Headquarters,company,,ORG-1,+48 1\n"  # renamed, matched by external id
        "Acme Kraków,branch,Acme Headquarters,,\n"
        "Fabryka,factory,Nowhere Ltd,,\n"
        "Acme Kraków,office,,,\n"
        "Loop,office,loop,,\n"
        "Odd,spaceship,,,\n"
    )
    response = _upload(admin, text, kind="organizations")
    assert response.status_code == 200
    context = response.context
    reasons = {row.line: " ".join(row.errors) for row in context["failed"]}
    assert "No organization named Nowhere Ltd" in reasons[4]
    assert "line 3" in reasons[5]
    assert "part of itself" in reasons[6]
    assert "company, branch" in reasons[7]
    admin.post("/admin-console/import/confirm/", {"token": context["token"]})
    headquarters = Organization.objects.get(external_id="ORG-1")
    assert headquarters.name == "Acme Headquarters"
    assert Organization.objects.get(name="Acme Kraków").parent == headquarters
    assert not Organization.objects.filter(name="Fabryka").exists()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("email,full_name\n".encode("utf-16"), "UTF-8"),
        (b"", "empty"),
        (b"colour,size\nred,big\n", "name the columns"),
        (b"email,full_name\n", "no rows"),
        (b"email,Email\na@example.com,b@example.com\n", "appear twice"),
        (b"\x00\x01binary", "CSV"),
    ],
)
def test_unreadable_files_are_form_errors(admin: Client, raw: bytes, message: str) -> None:
    response = _upload(admin, raw)
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["file"])
    assert message in errors


def test_row_cap(admin: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    rows = "".join(f"p{i}@example.com\n" for i in range(4))
    response = _upload(admin, "email\n" + rows)
    assert response.status_code == 400
    assert "more than 3 rows" in " ".join(response.context["form"].errors["file"])


def test_ten_thousand_rows_import_in_a_bounded_number_of_queries(
    admin: Client, in_alpha: TenantUnderTest
) -> None:
    for i in range(0, 10_000, 1000):
        ContactFactory.create(email=f"bulk{i}@example.com", full_name="Before")
    lines = ["email,full_name,organization,phone"]
    lines += [
        f"bulk{i}@example.com,Bulk person {i},Org {i % 50},+48 600 {i:06d}" for i in range(10_000)
    ]
    response = _upload(admin, "\n".join(lines))
    token = response.context["token"]
    assert response.context["valid_count"] == 10_000
    with CaptureQueriesContext(connection) as queries:
        result = admin.post("/admin-console/import/confirm/", {"token": token})
    assert result.status_code == 200
    assert result.context["result"].created == 9_990
    assert result.context["result"].updated == 10
    # session, user, agent, the checks (4), 50 organizations in one INSERT, contacts in
    # batches of 1,000, the audit entry: nothing per row
    assert len(queries) < 60, len(queries)
    assert Contact.objects.filter(email__startswith="bulk").count() == 10_000
    assert Contact.objects.get(email="bulk1000@example.com").full_name == "Bulk person 1000"
    assert Organization.objects.filter(name__startswith="Org ").count() == 50


def test_only_admins_import(in_alpha: TenantUnderTest, agent: Agent, supervisor: Agent) -> None:
    for person in (agent, supervisor):
        client = in_alpha.signed_in_client(person.user.email, FACTORY_PASSWORD)
        assert client.get("/admin-console/import/").status_code == 403
        assert _upload(client, "email\na@example.com\n").status_code == 403
        assert client.post("/admin-console/import/confirm/", {"token": "x"}).status_code == 403
        assert client.get("/admin-console/import/customers/template.csv").status_code == 403


def test_a_preview_of_tenant_a_cannot_be_confirmed_in_tenant_b(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    alpha = tenant_a.signed_in_client(tenant_a.admin.email)
    response = _upload(alpha, "email,full_name\nshared@example.com,Only Alpha\n")
    token = response.context["token"]
    bravo = tenant_b.signed_in_client(tenant_b.admin.email)
    refused = bravo.post("/admin-console/import/confirm/", {"token": token})
    assert refused.status_code == 302
    with schema_context(tenant_b.tenant.schema_name):
        assert not Contact.objects.filter(email="shared@example.com").exists()
    assert alpha.post("/admin-console/import/confirm/", {"token": token}).status_code == 200
    with schema_context(tenant_a.tenant.schema_name):
        assert Contact.objects.filter(email="shared@example.com").exists()
    with schema_context(tenant_b.tenant.schema_name):
        assert not Contact.objects.filter(email="shared@example.com").exists()


def test_imported_customers_reach_webhooks_with_one_subscription_read(
    admin: Client,
    admin_agent: Agent,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from api.models import WebhookDelivery, WebhookSubscription

    queued: list[int] = []
    monkeypatch.setattr("api.tasks.deliver_webhook.delay", queued.append)
    subscription = WebhookSubscription.objects.create(
        url="https://hooks.example.com/caseway", events=["contact.created"], secret="s" * 32
    )
    ContactFactory.create(email="known@example.com")
    text = "email,full_name\nknown@example.com,Known\n" + "".join(
        f"hook{i}@example.com,Hook {i}\n" for i in range(30)
    )
    token = _upload(admin, text).context["token"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        admin.post("/admin-console/import/confirm/", {"token": token})
    assert len(callbacks) == 1  # one batch for the import, not one callback per contact
    deliveries = WebhookDelivery.objects.filter(subscription=subscription)
    assert deliveries.count() == 30  # the created ones; an update is not a new contact
    assert sorted(queued) == sorted(deliveries.values_list("pk", flat=True))
