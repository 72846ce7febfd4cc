"""Property-based contract test: schemathesis generates requests for every operation of
the live OpenAPI schema of a seeded tenant; no response is a 5xx and every response
matches the schema (status codes, bodies, content types)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from tests.api.conftest import ApiClient
from tests.conftest import TenantUnderTest
from tests.ticketing.factories import ContactFactory, DepartmentFactory, make_ticket

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def keep_connection_open() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, which would
    end the test's transaction; Django's own test client suspends that the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.filterwarnings("ignore")
def test_every_operation_honours_its_schema(
    make_api: Callable[..., ApiClient], in_alpha: TenantUnderTest, keep_connection_open: None
) -> None:
    department = DepartmentFactory.create(name="Contract desk")
    for index in range(3):
        make_ticket(
            department=department, subject=f"Seed {index}", requester=ContactFactory.create()
        )
    api = make_api(["read", "write"])
    headers = {"Host": in_alpha.host, "Authorization": api.client.defaults["HTTP_AUTHORIZATION"]}
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 20
    failures: list[str] = []

    @settings(
        max_examples=len(operations) * 6, deadline=None, database=None,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(data=st.data())
    def explore(data: st.DataObject) -> None:
        operation = data.draw(st.sampled_from(operations))
        case = data.draw(operation.as_strategy())
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS)
        except BaseException as error:  # collected, reported together below
            if isinstance(error, KeyboardInterrupt):
                raise
            summary = " ".join(str(error).split())[:300]
            failures.append(
                f"{case.method} {case.formatted_path} -> {response.status_code}: {summary}"
            )

    explore()
    assert failures == []
