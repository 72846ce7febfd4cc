"""Demo data for ``make run``: a platform operator and the tenant ``acme`` with an admin,
two agents and a customer. Safe to run again: it only creates what is missing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.selectors import tenant_get
from tenants.services import tenant_create

DEMO_PASSWORD = "caseway-demo"  # noqa: S105 - printed for the local demo only
OPERATOR_EMAIL = "operator@caseway.example"
TENANT_SLUG = "acme"
ADMIN_EMAIL = "admin@acme.example"
PEOPLE = [
    # email, full name, staff
    ("ava.agent@acme.example", "Ava Agent", True),
    ("bruno.engineer@acme.example", "Bruno Engineer", True),
    ("carla.customer@example.com", "Carla Customer", False),
]


class Command(BaseCommand):
    help = "Create the demo operator and tenant (idempotent) and print how to reach them."

    def handle(self, *args: Any, **options: Any) -> None:
        if not User.objects.filter(email=OPERATOR_EMAIL).exists():
            User.objects.create_superuser(OPERATOR_EMAIL, DEMO_PASSWORD, full_name="Olga Operator")
        tenant = tenant_get(slug=TENANT_SLUG)
        if tenant is None:
            tenant = tenant_create(
                slug=TENANT_SLUG,
                name="Acme Ltd",
                admin_email=ADMIN_EMAIL,
                admin_password=DEMO_PASSWORD,
                admin_name="Adam Admin",
            ).tenant
        with schema_context(tenant.schema_name):
            for email, full_name, _staff in PEOPLE:
                if not User.objects.filter(email=email).exists():
                    User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
        self._print(tenant.slug)

    def _print(self, slug: str) -> None:
        port = "8000"
        platform = f"http://{settings.PLATFORM_DOMAIN}:{port}"
        portal = f"http://{slug}.{settings.PLATFORM_DOMAIN}:{port}"
        lines = [
            "",
            "Caseway is running. Every demo password is: " + DEMO_PASSWORD,
            f"  Platform          {platform}/",
            f"  Operator admin    {platform}/django-admin/   {OPERATOR_EMAIL}",
            f"  Acme portal       {portal}/",
            f"  Acme admin        {portal}/django-admin/   {ADMIN_EMAIL}",
        ]
        lines += [
            f"  Acme user         {portal}/accounts/login/   {email}" for email, _, _ in PEOPLE
        ]
        lines += [f"  Health            {platform}/healthz   {platform}/readyz", ""]
        self.stdout.write("\n".join(lines))
