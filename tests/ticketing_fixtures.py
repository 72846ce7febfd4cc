"""Fixtures for tests that work inside tenant ``alpha``'s schema (rolled back after each
test): departments, agents of each role. Loaded for the whole suite by tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_context

from tests.conftest import TenantUnderTest
from tests.ticketing.factories import AgentFactory, DepartmentFactory
from ticketing.models import Agent, AgentRole, Department


@pytest.fixture
def in_alpha(tenant_a: TenantUnderTest) -> Iterator[TenantUnderTest]:
    with schema_context(tenant_a.tenant.schema_name):
        yield tenant_a


@pytest.fixture
def support(in_alpha: TenantUnderTest) -> Department:
    return DepartmentFactory.create(name="Support")


@pytest.fixture
def engineering(in_alpha: TenantUnderTest) -> Department:
    return DepartmentFactory.create(name="Engineering")


@pytest.fixture
def agent(support: Department) -> Agent:
    return AgentFactory.create(departments=[support], user__full_name="Ava Agent")


@pytest.fixture
def colleague(support: Department) -> Agent:
    return AgentFactory.create(departments=[support], user__full_name="Cody Colleague")


@pytest.fixture
def engineer(engineering: Department) -> Agent:
    return AgentFactory.create(departments=[engineering], user__full_name="Erin Engineer")


@pytest.fixture
def admin_agent(in_alpha: TenantUnderTest) -> Agent:
    return Agent.objects.get(user__email=in_alpha.admin.email)


@pytest.fixture
def supervisor(support: Department) -> Agent:
    chief = AgentFactory.create(
        departments=[support], role=AgentRole.SUPERVISOR, user__full_name="Sam Chief"
    )
    support.supervisors.add(chief)
    return chief
