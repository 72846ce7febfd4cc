from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings

from tenants.management.commands._base import TenantCommand
from tenants.services import tenant_delete


class Command(TenantCommand):
    help = (
        "Delete a tenant: offline at once, schema dropped after the grace period "
        "(TENANT_PURGE_GRACE_DAYS) or now with --purge."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--purge", action="store_true", help="Drop the schema now.")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = tenant_delete(slug=options["slug"], purge=options["purge"])
        if options["purge"]:
            self.stdout.write(self.style.SUCCESS(f"Deleted {tenant.slug} and dropped its data."))
        else:
            days = settings.TENANT_PURGE_GRACE_DAYS
            self.stdout.write(
                self.style.SUCCESS(
                    f"Deleted {tenant.slug}; its data is dropped in {days} days "
                    f"(or now: tenant_delete {tenant.slug} --purge)."
                )
            )
