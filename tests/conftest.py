"""Fixtures shared by the whole suite.

Tests run on a real PostgreSQL (the embedded one unless DATABASE_URL is set). The test
database is migrated by our ``migrate`` command, so the tenant schema template and the
warm pool are built exactly as in production. Two tenants, ``alpha`` and ``bravo``, are
provisioned once per session and committed; each test runs in a transaction that is
rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pytest
import pytest_django.fixtures
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.config_cache import TenantConfigCache
from tenants.db import connection
from tenants.models import Tenant
from tenants.routing import router
from tenants.services import tenant_create

pytest_plugins = ["tests.smtp", "tests.ticketing_fixtures"]


def _setup_the_default_database_always(
    items: Sequence[pytest.Item],
) -> tuple[set[str], set[str]]:
    """pytest-django sets the test database up only when some selected test asks for
    ``db``. Browser tests (tests/e2e) deliberately do not — the live server must see
    committed data — so running them alone would find no tables. Every run of this suite
    needs the database, so it is always set up."""
    aliases, serialized = _databases_for_setup(items)
    return {*aliases, "default"}, serialized


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright's event loop stays open in the main thread for
    the rest of the session, and Django refuses ORM calls from an async context."""
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: "/e2e/" in str(item.path))


_databases_for_setup = pytest_django.fixtures._get_databases_for_setup
pytest_django.fixtures._get_databases_for_setup = _setup_the_default_database_always

PASSWORD = "correct-horse-battery-staple"


@dataclass(frozen=True)
class TenantUnderTest:
    tenant: Tenant
    admin: User

    @property
    def host(self) -> str:
        return self.tenant.subdomain_host

    def client(self) -> Client:
        return Client(HTTP_HOST=self.host)

    def signed_in_client(self, email: str, password: str = PASSWORD) -> Client:
        """Client.login() authenticates outside any request, so it needs the schema."""
        client = self.client()
        with schema_context(self.tenant.schema_name):
            assert client.login(email=email, password=password), f"cannot sign in {email}"
        return client

    def can_sign_in(self, email: str, password: str = PASSWORD) -> bool:
        with schema_context(self.tenant.schema_name):
            return self.client().login(email=email, password=password)


@pytest.fixture(scope="session")
def session_tenants(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> dict[str, TenantUnderTest]:
    created = {}
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        for slug, name in (("alpha", "Alpha Ltd"), ("bravo", "Bravo Inc")):
            result = tenant_create(
                slug=slug,
                name=name,
                admin_email=f"admin@{slug}.example",
                admin_password=PASSWORD,
            )
            created[slug] = TenantUnderTest(tenant=result.tenant, admin=result.admin)
        connection.set_schema_to_public()
    return created


@pytest.fixture
def tenant_a(session_tenants: dict[str, TenantUnderTest], db: None) -> TenantUnderTest:
    return session_tenants["alpha"]


@pytest.fixture
def tenant_b(session_tenants: dict[str, TenantUnderTest], db: None) -> TenantUnderTest:
    return session_tenants["bravo"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    """The production hasher costs ~0.3 s per password here; tests create many users."""
    settings.PASSWORD_HASHERS = [  # type: ignore[attr-defined]
        "django.contrib.auth.hashers.MD5PasswordHasher",
        # the session tenants' admins were created before this fixture applied
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _fresh_routing_and_schema() -> Iterator[None]:
    """No route or tenant configuration cached by one test (maybe of a rolled-back
    tenant) leaks into the next."""
    router.clear()
    for cache in TenantConfigCache.instances:  # the configuration's, the API keys'
        cache.clear()
    yield
    router.clear()
    for cache in TenantConfigCache.instances:
        cache.clear()
    connection.set_schema_to_public()
