"""``migrate_schemas`` (and ``migrate``) that also keeps provisioning current.

After the public schema and every tenant are migrated, the tenant schema template is
recaptured if the tenant migrations changed, stale pooled schemas are dropped and the
pool is refilled. A stale template or pool is therefore never left behind by a deploy.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand

from tenants.provisioning.pool import pool_discard_stale, pool_refill
from tenants.provisioning.template import template_refresh


class Command(MigrateSchemasCommand):
    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-template",
            action="store_false",
            dest="refresh_template",
            default=True,
            help="Do not recapture the tenant schema template or refill the pool.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
        single_schema = options.get("schema_name") and options["schema_name"] != "public"
        if not options.get("refresh_template", True) or single_schema or options.get("plan"):
            return
        if options.get("app_label") or options.get("check_unapplied"):
            return
        verbose = int(options.get("verbosity", 1)) >= 1
        template = template_refresh()
        if verbose:
            self.stdout.write(
                f"Tenant schema template {template.fingerprint[:12]}: "
                f"{template.statement_count} statements."
            )
        dropped = pool_discard_stale()
        built = pool_refill()
        if verbose and (dropped or built):
            self.stdout.write(f"Warm pool: {dropped} stale dropped, {built} built.")
