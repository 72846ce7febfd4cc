"""List pages run a bounded number of queries at 10,000 tickets."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import TenantUnderTest
from tests.ticketing.factories import ContactFactory
from ticketing.models import Agent, Department, Priority, Ticket
from ticketing.services.saved_views import saved_view_create

pytestmark = pytest.mark.django_db

FACTORY_PASSWORD = "pass-word-123"
TICKETS = 10_000
#: Session, user, agent, departments, the page's count and rows, the filter form's
#: choices, the unread badge... — a constant, whatever the number of tickets.
MAX_QUERIES = 25


def _fill(support: Department, engineering: Department, agent: Agent) -> None:
    """One ticket through the ORM, then 9,999 copies of its row in one INSERT … SELECT
    (seconds faster than bulk_create here), varied in department, status, assignee,
    requester, tags and age."""
    priority = Priority.objects.order_by("level").first()
    assert priority is not None
    contacts = [ContactFactory.create(email=f"bulk{i}@example.com") for i in range(20)]
    now = timezone.now()
    proto = Ticket.objects.bulk_create(
        [
            Ticket(
                number=900_000,
                subject="Bulk ticket 0",
                department=engineering,
                priority=priority,
                priority_level=priority.level,
                status="new",
                channel="portal",
                requester=contacts[0],
                assignee=agent,
                tags=["bulk"],
                created_at=now,
                updated_at=now,
            )
        ]
    )[0]
    # % is doubled: the statement goes through the driver's parameter substitution.
    overrides = {
        "number": "900000 + g",
        "subject": "'Bulk ticket ' || g",
        "department_id": f"CASE WHEN g %% 2 = 1 THEN {support.pk} ELSE {engineering.pk} END",
        "status": "(ARRAY['new','open','pending','resolved'])[g %% 4 + 1]",
        "requester_id": "(ARRAY[{}])[g %% 20 + 1]".format(",".join(str(c.pk) for c in contacts)),
        "assignee_id": f"CASE WHEN g %% 3 = 0 THEN {agent.pk} END",
        "tags": "CASE WHEN g %% 5 = 0 THEN ARRAY['bulk']::varchar[] ELSE '{}' END",
        "created_at": "created_at - g * interval '1 minute'",
        "updated_at": "updated_at - g * interval '1 minute'",
    }
    columns = [
        f.column
        for f in Ticket._meta.concrete_fields
        if f.column != "id" and not getattr(f, "generated", False)
    ]
    select = ", ".join(overrides.get(column, column) for column in columns)
    table = Ticket._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # names from the model
            f"SELECT {select} FROM {table}, generate_series(1, {TICKETS - 1}) AS g "
            f"WHERE {table}.id = %s",
            [proto.pk],
        )
    assert Ticket.objects.count() >= TICKETS


URLS = [
    "/console/tickets/",
    "/console/tickets/?status=all&sort=sla",
    "/console/tickets/?sort=waiting&assignee=me&page=3",
    "/console/tickets/?q=bulk&tag=bulk&sort=updated",
    "/console/tickets/?preset=unassigned&view=unassigned",
    "/console/tickets/?preset=at_risk&status=all",
    "/console/",
]


def test_list_pages_have_bounded_query_counts(
    in_alpha: TenantUnderTest, agent: Agent, support: Department, engineering: Department
) -> None:
    _fill(support, engineering, agent)
    for number in range(5):  # the views bar counts every view in one query
        saved_view_create(owner=agent, name=f"View {number}", filters={"tag": "bulk"})
    client = in_alpha.signed_in_client(agent.user.email, FACTORY_PASSWORD)
    for url in URLS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert len(queries) <= MAX_QUERIES, [q["sql"][:120] for q in queries.captured_queries]
        if url != "/console/" and "at_risk" not in url:
            assert len(response.context["tickets"]) == 50
