"""The operator's command-line tools: clear output, clear errors."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.models import Domain, Tenant, TenantStatus
from tenants.provisioning.template import schema_exists
from tests.conftest import TenantUnderTest


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_tenant_create_with_every_option(db: None) -> None:
    output = run(
        "tenant_create", "--slug", "omega", "--name", "Omega Ltd", "--admin-email",
        "boss@omega.example", "--domain", "support.omega.example", "--language", "fa",
        "--timezone", "Asia/Tehran",
    )  # fmt: skip
    assert "Created tenant omega" in output
    assert "omega.localhost" in output
    assert "password (shown once):" in output
    tenant = Tenant.objects.get(slug="omega")
    assert (tenant.language, tenant.timezone) == ("fa", "Asia/Tehran")
    assert Domain.objects.get(tenant=tenant).domain == "support.omega.example"
    password = output.split("password (shown once): ")[1].strip()
    with schema_context("t_omega"):
        assert User.objects.get(email="boss@omega.example").check_password(password)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--slug", "www"], "slug: “www” is reserved"),
        (["--slug", "Bad_Slug"], "slug: Use only lowercase letters"),
        (["--slug", "ab"], "slug: The address must be 3 to 50 characters long"),
        (["--language", "de"], "language: Unknown language “de”"),
        (["--timezone", "Mars/Base"], "timezone: Unknown time zone"),
        (["--domain", "x.localhost"], "domain: Custom domains cannot be under localhost"),
        (["--admin-email", "nope"], "admin_email: Enter a valid email address"),
    ],
)
def test_tenant_create_validation_errors(db: None, args: list[str], message: str) -> None:
    base = {"--slug": "valid", "--name": "Valid", "--admin-email": "a@valid.example"}
    for flag, value in zip(args[::2], args[1::2], strict=False):
        base[flag] = value
    flat = [item for pair in base.items() for item in pair]
    with pytest.raises(CommandError, match=message):
        run("tenant_create", *flat)
    assert not Tenant.objects.filter(slug="valid").exists()


def test_taken_slug_is_refused(tenant_a: TenantUnderTest) -> None:
    with pytest.raises(CommandError, match="slug: The address “alpha” is already taken"):
        run("tenant_create", "--slug", "alpha", "--name", "X", "--admin-email", "x@x.example")


def test_list_suspend_resume_delete_purge(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    listing = run("tenant_list")
    assert "alpha" in listing
    assert "bravo" in listing
    assert "2 tenant(s)" in listing

    assert "Suspended alpha" in run("tenant_suspend", "alpha", "--reason", "unpaid")
    assert Tenant.objects.get(slug="alpha").status == TenantStatus.SUSPENDED
    assert "alpha" in run("tenant_list", "--status", "suspended")
    with pytest.raises(CommandError, match="Only an active tenant can be suspended"):
        run("tenant_suspend", "alpha")
    assert "Resumed alpha" in run("tenant_resume", "alpha")
    with pytest.raises(CommandError, match="Only a suspended tenant can be resumed"):
        run("tenant_resume", "alpha")

    assert "dropped in 30 days" in run("tenant_delete", "bravo")
    assert schema_exists("t_bravo")
    assert "bravo" not in run("tenant_list")
    assert "and dropped its data" in run("tenant_delete", "bravo", "--purge")
    assert not schema_exists("t_bravo")
    assert not Tenant.objects.filter(slug="bravo").exists()


def test_unknown_tenant(db: None) -> None:
    with pytest.raises(CommandError, match="No tenant with the address “ghost”"):
        run("tenant_suspend", "ghost")


def test_purge_task_drops_only_tenants_past_the_grace_period(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from tenants.tasks import purge_deleted

    run("tenant_delete", "alpha")
    run("tenant_delete", "bravo")
    Tenant.objects.filter(slug="alpha").update(deleted_at=timezone.now() - timedelta(days=31))
    assert purge_deleted() == ["alpha"]
    assert not schema_exists("t_alpha")
    assert schema_exists("t_bravo")
