"""Shared shape of the tenant commands: domain errors become clean CLI errors."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tenants.errors import TenantError


class TenantCommand(BaseCommand):
    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            return super().execute(*args, **options)
        except TenantError as error:
            prefix = f"{error.field}: " if error.field else ""
            raise CommandError(prefix + error.message) from error
