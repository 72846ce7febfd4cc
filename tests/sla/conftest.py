"""SLA tests run in tenant alpha's schema, with a simple policy per test."""

from __future__ import annotations

import pytest

from sla.models import SlaPolicy
from tests.conftest import TenantUnderTest


@pytest.fixture
def policy(in_alpha: TenantUnderTest) -> SlaPolicy:
    """Calendar-time targets: first response 1 h, next response 2 h, resolution 8 h."""
    return SlaPolicy.objects.create(
        name="Standard",
        position=10,
        first_response_minutes=60,
        first_response_business=False,
        next_response_minutes=120,
        next_response_business=False,
        resolution_minutes=480,
        resolution_business=False,
    )
