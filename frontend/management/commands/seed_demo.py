"""Demo data for ``make run``: a platform operator and the tenant ``acme`` with an admin,
two agents in two departments and a customer. Safe to run again: it only creates what
is missing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.selectors import tenant_get
from tenants.services import tenant_create
from ticketing.models import AssignmentStrategy, Contact, Department
from ticketing.services.people import (
    agent_create,
    category_create,
    contact_create,
    department_create,
)

DEMO_PASSWORD = "caseway-demo"  # noqa: S105 - printed for the local demo only
OPERATOR_EMAIL = "operator@caseway.example"
TENANT_SLUG = "acme"
ADMIN_EMAIL = "admin@acme.example"
DEPARTMENTS = [
    ("Customer Support", AssignmentStrategy.ROUND_ROBIN, "General questions"),
    ("Field Engineering", AssignmentStrategy.BEST_FIT, "Operational problems"),
]
AGENTS = [
    ("ava.agent@acme.example", "Ava Agent", "Customer Support"),
    ("bruno.engineer@acme.example", "Bruno Engineer", "Field Engineering"),
]
CUSTOMER_EMAIL = "carla.customer@example.com"


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
            self._seed_tenant()
        self._print(tenant.slug)

    def _seed_tenant(self) -> None:
        for name, strategy, category in DEPARTMENTS:
            if not Department.objects.filter(name=name).exists():
                department = department_create(name=name, assignment_strategy=strategy)
                category_create(name=category, department=department)
        for email, full_name, department_name in AGENTS:
            if not User.objects.filter(email=email).exists():
                agent_create(
                    email=email,
                    full_name=full_name,
                    password=DEMO_PASSWORD,
                    departments=[Department.objects.get(name=department_name)],
                    weekly_availability={},  # empty = never "available": demo stays manual
                )
        if not Contact.objects.filter(email=CUSTOMER_EMAIL).exists():
            user = User.objects.create_user(
                CUSTOMER_EMAIL, DEMO_PASSWORD, full_name="Carla Customer"
            )
            contact_create(full_name="Carla Customer", email=CUSTOMER_EMAIL, user=user)

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
            f"  Acme agent        {portal}/accounts/login/   {email} ({department})"
            for email, _, department in AGENTS
        ]
        lines += [f"  Acme customer     {portal}/accounts/login/   {CUSTOMER_EMAIL}"]
        lines += [f"  Health            {platform}/healthz   {platform}/readyz", ""]
        self.stdout.write("\n".join(lines))
