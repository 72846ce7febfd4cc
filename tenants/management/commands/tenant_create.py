from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from tenants.management.commands._base import TenantCommand
from tenants.services import random_password, tenant_create


class Command(TenantCommand):
    help = "Provision a tenant: its schema, settings, optional custom domain and first admin."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--slug", required=True, help="Subdomain, e.g. acme → acme.<platform>")
        parser.add_argument("--name", required=True, help="Display name, e.g. 'Acme Ltd'")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", default="")
        parser.add_argument(
            "--admin-password", default=None, help="Default: a random one, printed once."
        )
        parser.add_argument("--domain", default=None, help="Custom domain, e.g. support.acme.com")
        parser.add_argument("--language", default="en", help="en, fa, pl or zh-hans")
        parser.add_argument("--timezone", default="UTC", help="e.g. Asia/Tehran")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["admin_password"] or random_password()
        result = tenant_create(
            slug=options["slug"],
            name=options["name"],
            admin_email=options["admin_email"],
            admin_password=password,
            admin_name=options["admin_name"],
            domain=options["domain"],
            language=options["language"],
            timezone_name=options["timezone"],
        )
        tenant = result.tenant
        if not result.created:
            self.stdout.write(f"Tenant {tenant.slug} already exists with that admin; nothing done.")
            return
        source = "warm pool" if result.from_pool else "schema script"
        self.stdout.write(self.style.SUCCESS(f"Created tenant {tenant.slug} ({source})."))
        self.stdout.write(f"  host:   {tenant.subdomain_host}")
        for domain in tenant.domains.all():
            self.stdout.write(f"  domain: {domain.domain}")
        self.stdout.write(f"  admin:  {result.admin.email}")
        if not options["admin_password"]:
            self.stdout.write(f"  password (shown once): {password}")
