from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from tenants.management.commands._base import TenantCommand
from tenants.services import tenant_suspend


class Command(TenantCommand):
    help = "Suspend a tenant: its hosts answer 503 until it is resumed. Nothing is deleted."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--reason", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = tenant_suspend(slug=options["slug"], reason=options["reason"])
        self.stdout.write(self.style.SUCCESS(f"Suspended {tenant.slug}."))
