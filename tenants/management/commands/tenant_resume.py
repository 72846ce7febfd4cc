from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from tenants.management.commands._base import TenantCommand
from tenants.services import tenant_resume


class Command(TenantCommand):
    help = "Resume a suspended tenant."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("slug")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = tenant_resume(slug=options["slug"])
        self.stdout.write(self.style.SUCCESS(f"Resumed {tenant.slug}."))
