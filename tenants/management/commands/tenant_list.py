from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from tenants.management.commands._base import TenantCommand
from tenants.models import TenantStatus
from tenants.selectors import tenant_list


class Command(TenantCommand):
    help = "List tenants (deleted ones only with --status deleted)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--status", choices=TenantStatus.values, default=None)
        parser.add_argument("--search", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = [("SLUG", "NAME", "STATUS", "LANGUAGE", "TIME ZONE", "DOMAINS", "CREATED")]
        for tenant in tenant_list(status=options["status"], search=options["search"]):
            domains = ", ".join(d.domain for d in tenant.domains.all()) or "-"
            rows.append(
                (
                    tenant.slug,
                    tenant.name,
                    tenant.status,
                    tenant.language,
                    tenant.timezone,
                    domains,
                    tenant.created_at.strftime("%Y-%m-%d %H:%M"),
                )
            )
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            cells = (str(value).ljust(width) for value, width in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
        self.stdout.write(f"{len(rows) - 1} tenant(s)")
