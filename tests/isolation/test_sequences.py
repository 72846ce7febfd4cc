"""Each tenant numbers its tickets with its own sequence."""

from __future__ import annotations

from django.db import connection
from django_tenants.utils import schema_context

from tests.conftest import TenantUnderTest
from ticketing.models.tickets import FIRST_TICKET_NUMBER, TICKET_NUMBER_SEQUENCE


def _next(schema: str) -> int:
    with schema_context(schema), connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [TICKET_NUMBER_SEQUENCE])
        return int(cursor.fetchone()[0])


def test_ticket_numbers_are_per_tenant(
    tenant_a: TenantUnderTest, tenant_b: TenantUnderTest
) -> None:
    alpha, bravo = tenant_a.tenant.schema_name, tenant_b.tenant.schema_name
    a1 = _next(alpha)
    b1, b2 = _next(bravo), _next(bravo)
    a2 = _next(alpha)
    assert a2 == a1 + 1  # bravo's numbers did not advance alpha's counter
    assert b2 == b1 + 1
    assert min(a1, b1) >= FIRST_TICKET_NUMBER
